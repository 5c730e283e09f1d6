// `npm run pack:packages [-- --out DIR]`: `npm pack` of every published Joule package (the built
// dist, README and bins; never the sources' tests) into DIR (default `packs/`), for installing Joule
// outside this repository without a registry: create-joule-app's `--packages DIR` writes them into a
// new project. Expects a built tree (`npm run pack:packages` builds first).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** The published packages, in dependency order; the tarballs are named `joule-<name>-<version>.tgz`. */
const publishedPackages = [
  'packages/consensus',
  'packages/state',
  'packages/p2p',
  'packages/market-module',
  'packages/light',
  'packages/node',
  'packages/create-joule-app',
];

const root = new URL('..', import.meta.url);
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = resolve(values.out ?? new URL('packs', root).pathname);
for (const dir of publishedPackages)
  if (!existsSync(new URL(`${dir}/package.json`, root))) throw new Error(`${dir}: no package.json`);
if (!existsSync(new URL('packages/node/dist/index.js', root)))
  throw new Error('the packages are not built: run `npm run build` first');
mkdirSync(out, { recursive: true });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const files = execFileSync(
  npm,
  ['pack', '--silent', '--pack-destination', out, ...publishedPackages.flatMap((d) => ['-w', d])],
  { cwd: root, encoding: 'utf8' },
)
  .trim()
  .split('\n');
for (const file of files) console.log(resolve(out, file));
