#!/usr/bin/env node
// The `joule` command. It lives outside dist/ so that `npm install` can link it before anything is
// built; the CLI itself is the compiled dist/cli/main.js. This file and the Node check it imports are
// plain JavaScript that any Node with ES modules parses: the Node version is checked before anything
// is loaded from dist/, so an old Node prints one line (exit 3) instead of failing inside the CLI.
import { existsSync } from 'node:fs';
import { checkNode } from '@joule/consensus/node-check';

if (checkNode()) {
  const main = new URL('../dist/cli/main.js', import.meta.url);
  if (!existsSync(main)) {
    console.error('joule: not built yet — run `npm run build` at the repository root first');
    process.exitCode = 1;
  } else await import(main.href);
}
