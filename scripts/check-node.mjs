// Fails fast when `npm run …` is not running on the Node pinned in devDependencies.
// npm puts node_modules/.bin first on PATH for scripts, so `node` here is the pinned binary;
// this check makes that visible in every test run and catches a broken install. A Node too old for
// Joule at all gets the commands' own line and exit 3 first (the one rule, @joule/consensus/node-check).
import { readFileSync } from 'node:fs';
import { checkNode } from '@joule/consensus/node-check';

if (checkNode()) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const pinned = pkg.devDependencies.node;
  const running = process.versions.node;
  if (running !== pinned) {
    console.error(
      `joule: expected the pinned Node ${pinned} (node_modules/.bin/node), but ${running} is running at ${process.execPath}.\n` +
        'Run `npm install` first, and start scripts with `npm run …` / `npm test`.',
    );
    process.exitCode = 1;
  } else console.log(`joule: Node ${running} (${process.execPath})`);
}
