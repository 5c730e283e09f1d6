#!/usr/bin/env node
// The `joule` command. It lives outside dist/ so that `npm install` can link it before anything is
// built; the CLI itself is the compiled dist/cli/main.js. This file is plain JavaScript that any
// Node with ES modules parses: it checks the Node version before it loads anything from dist/, so
// an old Node prints one line instead of failing inside the CLI (e.g. on `Promise.withResolvers`).
import { existsSync } from 'node:fs';

const needed = [22, 12];
const found = process.versions.node.split('.').map(Number);
if (found[0] < needed[0] || (found[0] === needed[0] && found[1] < needed[1])) {
  console.error(`Joule needs Node ≥ ${needed.join('.')} (found v${process.versions.node})`);
  process.exit(1);
}
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('joule: not built yet — run `npm run build` at the repository root first');
  process.exit(1);
}
import(main.href);
