import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What `npm pack` would publish of each package (run after the build, as `npm test` does): every
 * file its `exports` and `bin` name, and none of the tests, sources or build caches.
 */
const repo = fileURLToPath(new URL('../..', import.meta.url));
const workspaces = (
  JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).workspaces as string[]
).filter((dir) => dir.startsWith('packages/'));

function packed(dir: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: join(repo, dir),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
}

function targets(dir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8')) as {
    exports?: Record<string, string | Record<string, string>>;
    bin?: string | Record<string, string>;
  };
  const out: string[] = [];
  for (const target of Object.values(pkg.exports ?? {}))
    out.push(...(typeof target === 'string' ? [target] : Object.values(target)));
  out.push(...(typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {})));
  return out.map((t) => t.replace(/^\.\//, ''));
}

describe('packed tarballs', () => {
  it.each(workspaces)('%s holds what its exports name, and no tests, sources or build caches', (dir) => {
    const files = packed(dir);
    expect(files.length).toBeGreaterThan(0);
    expect(targets(dir).filter((t) => !files.includes(t))).toEqual([]);
    // create-joule-app's template/ is the project it writes: its sources and tests are the product.
    const own = files.filter((f) => !(dir === 'packages/create-joule-app' && f.startsWith('template/')));
    expect(
      own.filter((f) => /(^|\/)src\/|\.test\.|\.tsbuildinfo$|(^|\/)\.env|\.pem$|\.key$/.test(f)),
    ).toEqual([]);
  });
});
