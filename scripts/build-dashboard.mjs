// The community dashboard as one self-contained HTML file (no CDN, no request but to its node's
// API): packages/light/dashboard/index.html with the page's code inlined, bundled for browsers
// from the compiled packages. `@joule/consensus` resolves to its browser-safe `core` entry, and
// any `node:` import fails the build: the light client's browser path is noble's crypto alone.
//
//   packages/light/dist/dashboard.html   served by a node at /ui ([api] ui = true)
//
// Run after `tsc -b` (the root `build` script does both).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const light = join(root, 'packages/light');

const result = await build({
  entryPoints: [join(light, 'dist/dashboard/page.js')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [
    {
      name: 'browser-only',
      setup(b) {
        b.onResolve({ filter: /^@joule\/consensus$/ }, () => ({
          path: join(root, 'packages/consensus/dist/core.js'),
        }));
        b.onResolve({ filter: /^node:/ }, (args) => ({
          errors: [
            { text: `${args.path} imported by ${args.importer}: the browser bundle takes no Node built-in` },
          ],
        }));
      },
    },
  ],
});
const code = result.outputFiles[0].text.replaceAll('</script', '<\\/script');
const html = readFileSync(join(light, 'dashboard/index.html'), 'utf8').replace('/*DASHBOARD*/', () => code);
writeFileSync(join(light, 'dist/dashboard.html'), html);
const inputs = Object.keys(result.metafile.inputs).length;
console.log(`dashboard: packages/light/dist/dashboard.html (${html.length} bytes, ${inputs} modules)`);
