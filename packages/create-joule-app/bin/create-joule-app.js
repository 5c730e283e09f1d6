#!/usr/bin/env node
// create-joule-app: copies the appchain template into a new folder and names it. No dependencies
// and no build step, so `npm create joule-app` (or `npx create-joule-app-<version>.tgz`) runs it
// straight from the package.
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const usage = `usage: create-joule-app <dir> [--module NAME] [--prefix PREFIX] [--packages DIR]

Makes <dir>, a new Joule appchain project: one module, its tests on the state test kit, its own
CLI bin (init, testnet, start, keys, tx, query), and a README with the next steps.

  --module NAME     the module's name (default: readings; [a-z][a-z0-9_]*)
  --prefix PREFIX   the chain's bech32 address prefix and bin name (default: from <dir>)
  --packages DIR    install @joule/* from the npm-pack tarballs in DIR instead of the registry
`;

/** Template files whose names and placeholders the scaffold rewrites. */
const named = ['package.json', 'README.md', 'src/chain.ts'];
/** The @joule packages an app imports; the others come with @joule/node. */
const direct = ['consensus', 'state', 'node'];
const transitive = ['p2p', 'market', 'light'];

function fail(message, code = 2) {
  process.stderr.write(`create-joule-app: ${message}\n`);
  process.exit(code);
}

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12))
  fail(`Node ${process.versions.node} is too old: Joule needs Node >= 22.12`, 3);

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      module: { type: 'string' },
      prefix: { type: 'string' },
      packages: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (error) {
  fail(`${error.message}\n\n${usage}`);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
if (positionals.length !== 1) fail(`expected one folder\n\n${usage}`);

const dir = resolve(positionals[0]);
if (existsSync(dir) && readdirSync(dir).length > 0) fail(`${dir} exists and is not empty`, 3);

const moduleName = values.module ?? 'readings';
if (!/^[a-z][a-z0-9_]{0,31}$/.test(moduleName))
  fail(`--module "${moduleName}": expected 1–32 of a–z, 0–9, _ starting with a letter`);
const prefix =
  values.prefix ??
  basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
if (!/^[a-z][a-z0-9]{1,15}$/.test(prefix))
  fail(`address prefix "${prefix}": expected 2–16 of a–z, 0–9 starting with a letter (pass --prefix)`);

const self = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
let tarballs;
if (values.packages !== undefined) {
  const from = resolve(values.packages);
  tarballs = {};
  for (const pkg of [...direct, ...transitive]) {
    const file = join(from, `joule-${pkg}-${self.version}.tgz`);
    if (!existsSync(file)) fail(`${file} is missing: \`npm pack\` each @joule package into ${from}`, 3);
    tarballs[`@joule/${pkg}`] = `file:${relative(dir, file)}`;
  }
}

cpSync(new URL('../template/', import.meta.url), dir, { recursive: true });
renameSync(join(dir, 'gitignore'), join(dir, '.gitignore')); // npm pack leaves out files named .gitignore
for (const file of named) {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8')
    .replaceAll('mychain', prefix)
    .replaceAll("moduleName: 'readings'", `moduleName: '${moduleName}'`)
    .replaceAll('`readings`', `\`${moduleName}\``)
    .replaceAll(' readings ', ` ${moduleName} `);
  writeFileSync(path, text);
}

const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
for (const name of Object.keys(manifest.dependencies))
  if (name.startsWith('@joule/')) manifest.dependencies[name] = tarballs?.[name] ?? self.version;
// Every @joule package, wherever in the tree, from the tarballs: npm then never asks the registry
// for one (`$name` points an override at the direct dependency's own spec).
if (tarballs !== undefined)
  manifest.overrides = Object.fromEntries([
    ...direct.map((pkg) => [`@joule/${pkg}`, `$@joule/${pkg}`]),
    ...transitive.map((pkg) => [`@joule/${pkg}`, tarballs[`@joule/${pkg}`]]),
  ]);
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

const shown = relative(process.cwd(), dir) || '.';
process.stdout.write(`Made ${dir}: the appchain "${prefix}" with the module "${moduleName}".

  cd ${shown}
  npm install
  npm test                      # builds, then runs the module's tests
  ./bin/cli.js init --home .${prefix}
  ./bin/cli.js start --home .${prefix}

README.md has the rest: sending a transaction, queries, a local testnet.
`);
