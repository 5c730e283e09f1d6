import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkImports } from '../check-imports.mjs';

/**
 * The import rule of `npm run lint`: run on a small repository written for each test (a consensus
 * package with a `./core` sub-path, a state package above it, an example on top), then on this one.
 */
let root = '';

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function manifest(dir: string, name: string, exports: string[], dependencies: string[]): void {
  const map = Object.fromEntries(exports.map((e) => [e, `./dist/${e === '.' ? 'index' : e.slice(2)}.js`]));
  const deps = Object.fromEntries(dependencies.map((d) => [d, '0.1.0']));
  write(`${dir}/package.json`, JSON.stringify({ name, exports: map, dependencies: deps }));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'joule-imports-'));
  write(
    'package.json',
    JSON.stringify({ workspaces: ['packages/consensus', 'packages/state', 'examples/app'] }),
  );
  manifest('packages/consensus', '@joule/consensus', ['.', './core'], []);
  manifest('packages/state', '@joule/state', ['.', './testkit'], ['@joule/consensus']);
  manifest('examples/app', '@joule/app', ['.'], ['@joule/consensus', '@joule/state']);
  write('packages/consensus/src/index.ts', 'export const codec = 1;\n');
  write(
    'packages/state/src/app.ts',
    "import { codec } from '@joule/consensus';\nimport type { Header } from '@joule/consensus/core';\nimport { local } from './local.js';\n// import { x } from '@joule/consensus/dist/index.js' in a comment is not an import\n",
  );
  write(
    'examples/app/src/main.ts',
    "import { App } from '@joule/state';\nimport { TestChain } from '@joule/state/testkit';\nexport const m = await import('@joule/consensus');\n",
  );
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('check-imports', () => {
  it('accepts published paths pointing down', () => {
    expect(checkImports(root)).toEqual([]);
  });

  it("refuses a path into another package's dist or src", () => {
    write('examples/app/src/deep.ts', "import { x } from '@joule/state/dist/app/app.js';\n");
    expect(checkImports(root)).toEqual([
      "examples/app/src/deep.ts:1: '@joule/state/dist/app/app.js' is not a public path of @joule/state (its exports: ., ./testkit)",
    ]);
  });

  it('refuses a sub-path the package does not export', () => {
    write('packages/state/src/sim.ts', "\nexport { KvApp } from '@joule/consensus/sim';\n");
    expect(checkImports(root)).toEqual([
      "packages/state/src/sim.ts:2: '@joule/consensus/sim' is not a public path of @joule/consensus (its exports: ., ./core)",
    ]);
  });

  it('refuses . and .. segments after a package name, even where an exports pattern would match them', () => {
    manifest('packages/consensus', '@joule/consensus', ['.', './core', './codec/*'], []);
    write('packages/state/src/dots.ts', "import { x } from '@joule/consensus/codec/../../src/index.js';\n");
    expect(checkImports(root)).toEqual([
      "packages/state/src/dots.ts:1: '@joule/consensus/codec/../../src/index.js' names a . or .. segment inside @joule/consensus; use a published path",
    ]);
  });

  it('refuses a relative path that leaves its workspace', () => {
    write('packages/state/src/reach.ts', "import { codec } from '../../consensus/src/index.js';\n");
    expect(checkImports(root)).toEqual([
      "packages/state/src/reach.ts:1: '../../consensus/src/index.js' reaches out of @joule/state into @joule/consensus; import '@joule/consensus' by its published name instead",
    ]);
  });

  it('refuses an absolute path or a file: URL into another workspace, and a triple-slash reference', () => {
    const target = join(root, 'packages/consensus/src/index.js');
    write('packages/state/src/abs.ts', `import { codec } from '${target}';\n`);
    write('packages/state/src/url.ts', `export { codec } from '${pathToFileURL(target).href}';\n`);
    write('packages/state/src/ref.ts', '/// <reference path="../../consensus/src/index.ts" />\n');
    expect(checkImports(root)).toEqual([
      `packages/state/src/abs.ts:1: '${target}' reaches out of @joule/state into @joule/consensus; import '@joule/consensus' by its published name instead`,
      "packages/state/src/ref.ts:1: '../../consensus/src/index.ts' reaches out of @joule/state into @joule/consensus; import '@joule/consensus' by its published name instead",
      `packages/state/src/url.ts:1: '${pathToFileURL(target).href}' reaches out of @joule/state into @joule/consensus; import '@joule/consensus' by its published name instead`,
    ]);
  });

  it('refuses an import whose specifier it cannot read (computed, or through createRequire) outside tests', () => {
    const code =
      "const name = '@joule/consensus/dist/index.js';\nexport const a = await import(name);\nimport { createRequire } from 'node:module';\nexport const b = createRequire(import.meta.url)('@joule/consensus/dist/index.js');\n";
    write('packages/state/src/hidden.ts', code);
    write('packages/state/src/hidden.test.ts', code);
    expect(checkImports(root)).toEqual([
      'packages/state/src/hidden.ts:2: an import whose specifier is computed cannot be checked; name the package and path in a string',
      'packages/state/src/hidden.ts:4: createRequire hides what it loads from the import rule; use import',
    ]);
  });

  it('refuses an import that points up a layer, or of an undeclared package', () => {
    write('packages/consensus/src/up.ts', "import type { App } from '@joule/state';\n");
    expect(checkImports(root)).toEqual([
      "packages/consensus/src/up.ts:1: '@joule/state': @joule/state is not a dependency of @joule/consensus",
      'packages/consensus/src/up.ts:1: @joule/consensus (layer 0) imports @joule/state (layer 1); imports point down only',
    ]);
  });

  it('refuses `export *` in a published entry point, not in other files', () => {
    write(
      'packages/consensus/src/core.ts',
      "export { codec } from './index.js';\nexport * from './codec.js';\n",
    );
    write('packages/consensus/src/barrel.ts', "export * from './codec.js';\n");
    write('packages/consensus/src/index.ts', "export const codec = 1;\nexport type * from './types.js';\n");
    expect(checkImports(root)).toEqual([
      "packages/consensus/src/core.ts:2: a published entry point names its exports; replace `export * from './codec.js'` with a named list",
      "packages/consensus/src/index.ts:2: a published entry point names its exports; replace `export * from './types.js'` with a named list",
    ]);
  });

  it("passes on this repository's own packages", () => {
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    expect(checkImports(repo)).toEqual([]);
  });
});
