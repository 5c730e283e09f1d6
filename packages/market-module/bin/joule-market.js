#!/usr/bin/env node
// The `joule-market` command (the offline audit). It lives outside dist/ so that `npm install` can
// link it before anything is built; the command itself is the compiled dist/audit/cli.js.
import { existsSync } from 'node:fs';

const main = new URL('../dist/audit/cli.js', import.meta.url);
if (!existsSync(main)) {
  console.error('joule-market: not built yet — run `npm run build` at the repository root first');
  process.exit(1);
}
await import(main.href);
