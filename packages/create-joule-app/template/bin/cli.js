#!/usr/bin/env node
// This chain's command: @joule/node's CLI (init, testnet, start, stop, keys, tx, query, …) over the
// app's modules. Joule's one Node rule runs first: an old Node gets one line and exit 3 instead of
// a failure inside the program.
import { existsSync } from 'node:fs';
import { checkNode } from '@joule/consensus/node-check';

if (checkNode()) {
  const main = new URL('../dist/cli.js', import.meta.url);
  if (!existsSync(main)) {
    console.error('error: not built yet — run `npm run build` first');
    process.exitCode = 1;
  } else await import(main.href);
}
