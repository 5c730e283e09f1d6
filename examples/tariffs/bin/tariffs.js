#!/usr/bin/env node
// The tariffs chain's command: @joule/node's CLI (init, testnet, start, stop, keys, tx, query, …)
// over auth, bank, poa and tariffs.
import { existsSync } from 'node:fs';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`error: Node ${process.versions.node} is too old: tariffs needs Node >= 22.12`);
  process.exit(3);
}
const main = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(main)) {
  console.error('error: not built yet — run `npm run build` at the repository root first');
  process.exit(1);
}
await import(main.href);
