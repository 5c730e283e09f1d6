// The import rule, run by `npm run lint` after Biome: a workspace imports another only through a
// path that package publishes in its `exports`, never through `dist/…`, `src/…` or a relative path
// into another workspace's folder; it declares what it imports in its dependencies; and imports
// point down the layers (consensus → state → p2p, market, light → node → examples, fuzz → benchmarks).
//
//   node scripts/check-imports.mjs [ROOT]     exit 0: no violation; exit 1: one line per violation
//
// Biome's `noRestrictedImports` matches import paths against fixed patterns; it cannot read each
// package's `exports`, tell a relative path that leaves its workspace, or order the layers, so this
// small script does. Specifiers come from TypeScript's `preProcessFile` (static, dynamic and type
// imports, re-exports, `require`, triple-slash references; absolute paths and `file:` URLs count
// as paths), so comments and strings are never mistaken for imports. A package's sources may not
// compute a specifier (`import(name)`) or use `createRequire`: what they load would go unchecked.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The documented layers; a workspace not named here sits one above the highest one it depends on. */
export const layers = {
  '@joule/consensus': 0,
  '@joule/state': 1,
  '@joule/p2p': 2,
  '@joule/market': 2,
  '@joule/light': 2,
  '@joule/node': 3,
};
const scope = '@joule/';
const sourceFile = /\.(?:[cm]?[jt]s|tsx)$/;
const skippedDirs = new Set(['node_modules', 'dist', '.git', 'results', 'vectors']);

/** Every workspace of the repository at `root`: its folder, name, published sub-paths and dependencies. */
export function readWorkspaces(root) {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const workspaces = [];
  for (const dir of manifest.workspaces ?? []) {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const exports = pkg.exports === undefined ? ['.'] : Object.keys(pkg.exports);
    // The sources of the published entry points: ./dist/x.js is built from src/x.ts.
    const entries = new Set();
    for (const target of Object.values(pkg.exports ?? {})) {
      const js = typeof target === 'string' ? target : target?.default;
      const m = typeof js === 'string' ? /^\.\/dist\/(.+)\.js$/.exec(js) : null;
      if (m !== null) entries.add(resolve(root, dir, 'src', `${m[1]}.ts`));
    }
    const deps = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.devDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    workspaces.push({ dir: resolve(root, dir), name: pkg.name, exports, entries, deps });
  }
  const byName = new Map(workspaces.map((w) => [w.name, w]));
  const layerOf = (w, seen = new Set()) => {
    if (w.layer !== undefined) return w.layer;
    if (layers[w.name] !== undefined) {
      w.layer = layers[w.name];
      return w.layer;
    }
    if (seen.has(w.name)) return Number.POSITIVE_INFINITY; // a cycle: reported as an upward import
    seen.add(w.name);
    let below = -1;
    for (const dep of w.deps) {
      const target = byName.get(dep);
      if (target !== undefined) below = Math.max(below, layerOf(target, seen));
    }
    w.layer = below + 1;
    return w.layer;
  };
  for (const w of workspaces) layerOf(w);
  return workspaces;
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skippedDirs.has(entry.name)) yield* sourceFiles(join(dir, entry.name));
    } else if (sourceFile.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield join(dir, entry.name);
    }
  }
}

/** Does `sub` (`.` or `./x`) match one of the keys of an `exports` map (`*` matches one segment or more)? */
function published(exports, sub) {
  return exports.some((key) => {
    if (!key.includes('*')) return key === sub;
    const [head, tail] = key.split('*');
    return sub.startsWith(head) && sub.endsWith(tail) && sub.length > head.length + tail.length;
  });
}

/** The path of a `file:` URL; a malformed one stays as it is (relative, so it is checked as a path). */
function fileUrlPath(url) {
  try {
    return fileURLToPath(url);
  } catch {
    return `./${url}`;
  }
}

/**
 * Loads the rule cannot read (a package's tests and bins may use them): `import(x)` or `require(x)` of a computed
 * specifier, and `createRequire`, whose loads name no path the rule sees.
 */
function hiddenImports(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out = [];
  const literal = (node) => node !== undefined && ts.isStringLiteralLike(node);
  const visit = (node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const loads =
        callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require');
      if (loads && !literal(node.arguments[0]))
        out.push({
          pos: node.getStart(source),
          problem:
            'an import whose specifier is computed cannot be checked; name the package and path in a string',
        });
    }
    if (ts.isIdentifier(node) && node.text === 'createRequire' && !ts.isImportSpecifier(node.parent))
      out.push({
        pos: node.getStart(source),
        problem: 'createRequire hides what it loads from the import rule; use import',
      });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const inside = (dir, path) => path === dir || path.startsWith(dir + sep);

/** The violations in the repository at `root`, each `file:line: message`. */
export function checkImports(root) {
  const workspaces = readWorkspaces(root);
  const byName = new Map(workspaces.map((w) => [w.name, w]));
  const problems = [];
  for (const from of workspaces) {
    for (const file of sourceFiles(from.dir)) {
      const text = readFileSync(file, 'utf8');
      const where = (pos) => `${relative(root, file)}:${text.slice(0, pos).split('\n').length}`;
      if (from.entries.has(file)) {
        for (const star of text.matchAll(
          /^\s*export\s+(?:type\s+)?\*(?:\s+as\s+\w+)?\s*from\s*['"]([^'"]+)['"]/gm,
        )) {
          problems.push(
            `${where(star.index)}: a published entry point names its exports; replace \`export * from '${star[1]}'\` with a named list`,
          );
        }
      }
      // A package's sources; its tests and the bins' launchers (which load their own dist) may compute.
      if (inside(join(from.dir, 'src'), file) && !/\.test\.[cm]?[jt]sx?$/.test(file))
        for (const { pos, problem } of hiddenImports(file, text)) problems.push(`${where(pos)}: ${problem}`);
      const { importedFiles, referencedFiles } = ts.preProcessFile(text, true, true);
      // `/// <reference path>` names a file like a relative import does.
      const references = referencedFiles.map((r) => ({
        ...r,
        fileName: r.fileName.startsWith('.') ? r.fileName : `./${r.fileName}`,
      }));
      for (const imported of [...importedFiles, ...references]) {
        const spec = imported.fileName;
        // A relative path, an absolute one or a file: URL names a file, not a package.
        const path = spec.startsWith('file:') ? fileUrlPath(spec) : spec;
        if (spec.startsWith('.') || isAbsolute(path)) {
          const target = resolve(dirname(file), path);
          if (inside(from.dir, target)) continue;
          const other = workspaces.find((w) => inside(w.dir, target));
          problems.push(
            `${where(imported.pos)}: '${spec}' reaches out of ${from.name} into ${
              other === undefined ? relative(root, target) : other.name
            }; import ${other === undefined ? 'a package' : `'${other.name}'`} by its published name instead`,
          );
          continue;
        }
        if (!spec.startsWith(scope)) continue;
        const [, name, rest] = /^(@joule\/[^/]+)(\/.*)?$/.exec(spec) ?? [];
        const target = byName.get(name);
        if (target === undefined) {
          problems.push(`${where(imported.pos)}: '${spec}': no workspace is named ${name}`);
          continue;
        }
        const sub = rest === undefined ? '.' : `.${rest}`;
        if ((rest ?? '').split('/').some((segment) => segment === '.' || segment === '..')) {
          problems.push(
            `${where(imported.pos)}: '${spec}' names a . or .. segment inside ${name}; use a published path`,
          );
        } else if (!published(target.exports, sub)) {
          problems.push(
            `${where(imported.pos)}: '${spec}' is not a public path of ${name} (its exports: ${target.exports.join(', ')})`,
          );
        }
        if (target === from) {
          problems.push(
            `${where(imported.pos)}: ${from.name} imports itself as '${spec}'; use a relative path`,
          );
          continue;
        }
        if (!from.deps.has(name)) {
          problems.push(`${where(imported.pos)}: '${spec}': ${name} is not a dependency of ${from.name}`);
        }
        if (!(target.layer < from.layer)) {
          problems.push(
            `${where(imported.pos)}: ${from.name} (layer ${from.layer}) imports ${name} (layer ${target.layer}); imports point down only`,
          );
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? '.');
  if (!existsSync(join(root, 'package.json'))) {
    console.error(`check-imports: no package.json in ${root}`);
    process.exit(2);
  }
  const problems = checkImports(root);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`check-imports: ${problems.length} import(s) break the public-surface or layer rule`);
    process.exit(1);
  }
  console.log(
    'check-imports: every cross-package import uses a public path and points down; entry points name their exports',
  );
}
