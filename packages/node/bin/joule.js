#!/usr/bin/env node
// The `joule` command. It lives outside dist/ so that `npm install` can link it before anything is
// built; the CLI itself is the compiled dist/cli/main.js.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('joule: not built yet — run `npm run build` at the repository root first');
  process.exit(1);
}
await import(main.href);
