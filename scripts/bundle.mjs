// `npm run bundle`: the `joule` CLI/node as one JavaScript file for boards, plus LevelDB's native addon.
//
//   bundle/
//     joule.js                                   every JS dependency inlined (esbuild, ESM, Node >= 22.12)
//     package.json                               {"type": "module"} so `node joule.js` never guesses
//     prebuilds/linux-x64/classic-level.node      classic-level's own prebuilds (N-API, any Node >= 18)
//     prebuilds/linux-x64/classic-level.musl.node
//     prebuilds/linux-arm64/classic-level.armv8.node
//     LICENSES.txt                               the licenses of what is inlined
//     dashboard.html                             the community dashboard ([api] ui = true)
//
// classic-level loads its addon with `require('node-gyp-build')(__dirname)`. In the bundle `__dirname`
// is the bundle's directory (see `banner` and `define` below), so node-gyp-build finds
// `prebuilds/<platform>-<arch>/` next to joule.js, exactly as it would inside the package.
//
// msgpackr-extract (msgpackr's optional native string decoder) is replaced by a stub that throws, so
// msgpackr always takes its pure-JS path: no second addon to ship, and no chance that node-gyp-build,
// called with the bundle's directory, picks classic-level's addon for it.
//
// Noise's crypto module is replaced by scripts/noise-native-crypto.js (node:crypto only): the
// original compiles a WebAssembly ChaCha20-Poly1305 when imported, which costs a board memory and
// made `--lite-mode` (a flag the systemd unit once had) crash at start.
//
// Run after `npm run build` (the root `bundle` script does both): the entry is the compiled CLI.
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { codeUnitCompareSource, rewriteLocaleCompare } from './code-unit-compare.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, process.env.JOULE_BUNDLE_DIR ?? 'bundle');
const entry = join(root, 'packages/node/dist/cli/main.js');
// classic-level as @joule/state resolves it (the version the node runs with).
const classicLevel = dirname(
  createRequire(join(root, 'packages/state/package.json')).resolve('classic-level/package.json'),
);
/** The prebuilds shipped: glibc and musl x64 (CI, servers), arm64 (Raspberry Pi 3/4/5, 64-bit OS). */
const prebuilds = [
  ['linux-x64', 'classic-level.node'],
  ['linux-x64', 'classic-level.musl.node'],
  ['linux-arm64', 'classic-level.armv8.node'],
];

const stubMsgpackrExtract = {
  name: 'stub-msgpackr-extract',
  setup(b) {
    b.onResolve({ filter: /^msgpackr-extract$/ }, () => ({ path: 'msgpackr-extract', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "throw new Error('msgpackr-extract is not bundled: msgpackr uses its pure-JS decoder');",
      loader: 'js',
    }));
  },
};

const noiseNativeCrypto = {
  name: 'noise-native-crypto',
  setup(b) {
    b.onLoad(
      { filter: /[/\\]@chainsafe[/\\]libp2p-noise[/\\]dist[/\\]src[/\\]crypto[/\\]index\.js$/ },
      (args) => {
        noiseCryptoReplaced = true;
        return {
          contents: readFileSync(join(root, 'scripts/noise-native-crypto.js'), 'utf8'),
          resolveDir: dirname(args.path),
          loader: 'js',
        };
      },
    );
  },
};
let noiseCryptoReplaced = false;

// Node's built-in modules are required, never imported. An `import … from 'node:http'` is an ES module
// import of the built-in: Node builds its ES facade by reading every export, which runs the lazy ones —
// `http.WebSocket` loads undici with tls, http2 and web streams; `process.report`, `v8`'s profilers and
// `fs/promises`' readline load theirs. A `require()` returns the exports object and reads nothing. Each
// built-in becomes one ES module of the bundle, `node:NAME` however it was spelled: its default export
// is what `require` returns, and each of its data properties (as the Node running this script has
// them) a named export read once, so that an import is a plain binding (no interop object of getters
// per importing module), and only those some module imports are kept. An accessor is left out: importing one by name fails the bundle. Measured on
// an idle board validator: 3.6 MB less anonymous memory, 1.6 MB less of V8's old space (the module's
// README, "What the board keeps"). esbuild turns the `require` of these modules into the banner's.
const hostRequire = createRequire(import.meta.url);
const builtinsRequired = {
  name: 'builtins-required',
  setup(b) {
    b.onResolve({ filter: /^[a-z]/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      if (args.kind === 'require-call' || args.namespace === 'builtin')
        return { path: args.path, external: true };
      return { path: `node:${args.path.replace(/^node:/, '')}`, namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const exports = hostRequire(args.path);
      const names = Object.keys(exports).filter((name) => {
        if (name === 'default' || !/^[A-Za-z_$][\w$]*$/.test(name)) return false;
        if (!('value' in Object.getOwnPropertyDescriptor(exports, name))) return false;
        try {
          new Function(`const ${name} = 0;`);
          return true;
        } catch {
          return false;
        }
      });
      return {
        contents: [
          `const __jouleModule = require(${JSON.stringify(args.path)});`,
          'const __jouleExport = (name) => __jouleModule[name];',
          'export default __jouleModule;',
          // Pure calls: esbuild drops the exports nothing imports.
          ...names.map((name) => `export const ${name} = /* @__PURE__ */ __jouleExport('${name}');`),
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

// mortice (libp2p's read/write locks) picks its implementation by platform: Node's coordinates the
// locks across cluster workers and worker threads, and imports node:cluster (with child_process and
// dgram) and opens a BroadcastChannel for it. A Joule node is one process on one thread: mortice's
// single-process implementation (its react-native entry, an event emitter) is all it uses.
const morticeSingleProcess = {
  name: 'mortice-single-process',
  setup(b) {
    b.onResolve({ filter: /^\.\/node\.js$/ }, (args) => {
      if (!/[/\\]mortice[/\\]dist[/\\]src$/.test(args.resolveDir)) return undefined;
      morticeReplaced = true;
      return { path: join(args.resolveDir, 'react-native.js') };
    });
  },
};
let morticeReplaced = false;

// `localeCompare` in libp2p's peer store and peer records opens ICU's collator, whose data stays
// mapped for the life of the process: ~2.5 MB of file pages and ~0.4 MB of anonymous memory (a bare
// `node -e` with one `localeCompare`: RSS 42.1 → 45.2 MB). The calls compare ASCII strings and are
// rewritten to compare UTF-16 code units (scripts/code-unit-compare.mjs). The bundle is checked
// afterwards to hold no `localeCompare`, so a new call in a dependency is not missed.
const localeCompareFiles =
  /[/\\]@libp2p[/\\](?:peer-store[/\\]dist[/\\]src[/\\]utils[/\\](?:dedupe-addresses|to-peer-pb)|peer-record[/\\]dist[/\\]src[/\\]peer-record[/\\]utils)\.js$/;
const localeCompareCalls = new Map();
const codeUnitCompare = {
  name: 'code-unit-compare',
  setup(b) {
    b.onLoad({ filter: localeCompareFiles }, (args) => {
      const { text, count } = rewriteLocaleCompare(readFileSync(args.path, 'utf8'));
      localeCompareCalls.set(args.path, count);
      return { contents: text, loader: 'js' };
    });
  },
};

// libp2p's rate limiter (inbound connections per host) keeps each record's expiry as a `Date`. V8
// makes and reads a `Date` through ICU's time-zone code even for UTC, and the first one maps ~0.45 MB
// of ICU's zone data and code from the Node binary for the life of the process (the node writes its
// own times without one: packages/node/src/log/utc-time.ts). The expiry is private to the file's
// MemoryStorage and only ever compared with the clock: it is rewritten as epoch milliseconds, same
// arithmetic. The build fails if the three expressions are not found, so a new version is not missed.
const rateLimiterFile = /[/\\]@libp2p[/\\]utils[/\\]dist[/\\]src[/\\]rate-limiter\.js$/;
const rateLimiterDates = [
  ['existing.expiresAt.getTime() - new Date().getTime()', 'existing.expiresAt - Date.now()', 2],
  ['new Date(Date.now() + durationMs)', 'Date.now() + durationMs', 1],
];
let rateLimiterRewritten = false;
const rateLimiterEpochMs = {
  name: 'rate-limiter-epoch-ms',
  setup(b) {
    b.onLoad({ filter: rateLimiterFile }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to, count] of rateLimiterDates) {
        const parts = text.split(from);
        if (parts.length - 1 !== count)
          throw new Error(
            `bundle: expected ${count} × "${from}" in ${args.path}, found ${parts.length - 1}: update the rate-limiter-epoch-ms plugin`,
          );
        text = parts.join(to);
      }
      if (/new Date\b/.test(text))
        throw new Error(`bundle: ${args.path} still makes a Date: update the rate-limiter-epoch-ms plugin`);
      rateLimiterRewritten = true;
      return { contents: text, loader: 'js' };
    });
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const pkg = JSON.parse(readFileSync(join(root, 'packages/node/package.json'), 'utf8'));
const started = performance.now();
const result = await build({
  entryPoints: [entry],
  outfile: join(out, 'joule.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // CommonJS dependencies (classic-level, node-gyp-build, pino…) need require/__dirname/__filename,
  // which an ES module does not have: define them once, under names no module uses.
  banner: {
    js: [
      // ASCII only: one character beyond it and V8 holds the whole 1.2 MB source in two bytes a character.
      `// joule ${pkg.version} - bundled by scripts/bundle.mjs; licenses in LICENSES.txt`,
      "import { createRequire as __jouleCreateRequire } from 'node:module';",
      "import { fileURLToPath as __jouleFileURLToPath } from 'node:url';",
      "import { dirname as __jouleDirname } from 'node:path';",
      'const require = __jouleCreateRequire(import.meta.url);',
      'const __joule_filename = __jouleFileURLToPath(import.meta.url);',
      'const __joule_dirname = __jouleDirname(__joule_filename);',
      codeUnitCompareSource,
    ].join('\n'),
  },
  define: { __dirname: '__joule_dirname', __filename: '__joule_filename' },
  plugins: [
    stubMsgpackrExtract,
    noiseNativeCrypto,
    builtinsRequired,
    morticeSingleProcess,
    codeUnitCompare,
    rateLimiterEpochMs,
  ],
  // Whitespace, syntax and local identifiers are minified: V8 holds the whole source as one string
  // and every scope's variable names: 1.08 MB instead of 1.53, and an idle board node's heap in use
  // 16.4 MB instead of 17.1 at start. Names of functions and classes are kept (`keepNames`): stack
  // traces stay readable, and errors take their stable name from their class (`new.target.name`).
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  keepNames: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
const ms = Math.round(performance.now() - started);
// A warning is an error here: a name imported from a built-in that the plugin cannot bind (an
// accessor export read as undefined) or a bundling surprise would otherwise reach the boards.
if (result.warnings.length > 0)
  throw new Error(`bundle: esbuild warned ${result.warnings.length} time(s); fix them (listed above)`);
if (!morticeReplaced)
  throw new Error('bundle: mortice/dist/src/node.js was not found: update the mortice-single-process plugin');
if (!rateLimiterRewritten)
  throw new Error(
    'bundle: @libp2p/utils/dist/src/rate-limiter.js was not found: update the rate-limiter-epoch-ms plugin',
  );
if (!noiseCryptoReplaced)
  throw new Error(
    'bundle: @chainsafe/libp2p-noise/dist/src/crypto/index.js was not found: update the noise-native-crypto plugin',
  );
if ([...localeCompareCalls.values()].reduce((a, n) => a + n, 0) !== 4 || localeCompareCalls.size !== 3)
  throw new Error(
    `bundle: expected 4 localeCompare calls in 3 libp2p files, rewrote ${JSON.stringify([...localeCompareCalls])}: update the code-unit-compare plugin`,
  );
if (readFileSync(join(out, 'joule.js'), 'utf8').includes('localeCompare'))
  throw new Error(
    'bundle: joule.js calls localeCompare (ICU collation data, ~3 MB RSS): add the file to the code-unit-compare plugin',
  );

// Licenses of every package inlined, for redistribution with the bundle.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m !== null && !packages.has(m[1])) packages.set(m[1], input.slice(0, m.index + m[0].length));
}
const licenses = [];
for (const [name, dir] of [...packages].sort()) {
  const d = join(root, dir);
  let text = '';
  for (const f of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE', 'LICENSE-MIT']) {
    try {
      text = readFileSync(join(d, f), 'utf8');
      break;
    } catch {}
  }
  const meta = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8'));
  licenses.push(`== ${name}@${meta.version} (${meta.license ?? 'see package'})\n${text.trim()}\n`);
}
writeFileSync(join(out, 'LICENSES.txt'), `${licenses.join('\n')}`);
// The community dashboard ([api] ui = true) beside joule.js, where the bundled node looks for it.
copyFileSync(join(root, 'packages/light/dist/dashboard.html'), join(out, 'dashboard.html'));

writeFileSync(
  join(out, 'package.json'),
  `${JSON.stringify({ name: 'joule-bundle', version: pkg.version, private: true, type: 'module', engines: { node: '>=22.12.0' } }, null, 2)}\n`,
);
for (const [dir, file] of prebuilds) {
  mkdirSync(join(out, 'prebuilds', dir), { recursive: true });
  copyFileSync(join(classicLevel, 'prebuilds', dir, file), join(out, 'prebuilds', dir, file));
}

const kb = (p) => `${Math.round(statSync(p).size / 1024)} KiB`;
console.log(
  `bundle: ${relative(root, out)}/joule.js ${kb(join(out, 'joule.js'))} (${packages.size} packages inlined, ${ms} ms)`,
);
for (const [dir, file] of prebuilds) {
  console.log(
    `bundle: ${relative(root, out)}/prebuilds/${dir}/${file} ${kb(join(out, 'prebuilds', dir, file))}`,
  );
}
console.log(
  `bundle: run with \`node ${relative(root, out)}/joule.js --help\` (Node >= 22.12; copy the whole directory)`,
);
