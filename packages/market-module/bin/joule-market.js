#!/usr/bin/env node
// The `joule-market` command (the offline audit). It lives outside dist/ so that `npm install` can
// link it before anything is built; the command itself is the compiled dist/audit/cli.js. This file
// and the Node check it imports are plain JavaScript that any Node with ES modules parses: the Node
// version is checked before anything is loaded from dist/, so an old Node prints one line (exit 3)
// instead of failing inside the command.
import { existsSync } from 'node:fs';
import { checkNode } from '@joule/consensus/node-check';

if (checkNode()) {
  const main = new URL('../dist/audit/cli.js', import.meta.url);
  if (!existsSync(main)) {
    console.error('joule-market: not built yet — run `npm run build` at the repository root first');
    process.exitCode = 1;
  } else await import(main.href);
}
