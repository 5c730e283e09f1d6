#!/usr/bin/env node
// The tariffs chain's command: @joule/node's CLI (init, testnet, start, stop, keys, tx, query, …)
// over auth, bank, poa and tariffs. Joule's one Node rule runs first: an old Node gets one line and
// exit 3 instead of a failure inside the program.
import { existsSync } from 'node:fs';
import { checkNode } from '@joule/consensus/node-check';

if (checkNode()) {
  const main = new URL('../dist/cli.js', import.meta.url);
  if (!existsSync(main)) {
    console.error('error: not built yet — run `npm run build` at the repository root first');
    process.exitCode = 1;
  } else await import(main.href);
}
