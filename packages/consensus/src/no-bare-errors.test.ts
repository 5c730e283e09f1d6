import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('.', import.meta.url));

/** Every `.ts` file under `dir` that is not a test. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** `new Error(`, `throw Error(` and the untyped built-ins (TypeError, RangeError, …). */
const bareError = /\b(?:new|throw)\s+(?:Type|Range|Syntax|Reference|Eval|URI)?Error\s*\(/;

describe('@joule/consensus source rules', () => {
  it('throws only typed errors (a JouleError with a stable name and code), never a bare Error', () => {
    const files = sourceFiles(src);
    expect(files.length, 'the source files were found').toBeGreaterThan(50);
    const offences = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          bareError.test(line) ? [`${relative(src, file)}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(offences, 'use a JouleError subclass (see errors.ts and the errors.ts of each folder)').toEqual(
      [],
    );
  });

  it('keeps the driver class to its lifecycle, input queue and effects (at most 300 lines)', () => {
    const lines = readFileSync(join(src, 'driver', 'driver.ts'), 'utf8')
      .trimEnd()
      .split('\n').length;
    expect(lines, 'driver/driver.ts: move the rest to its modules (see the README)').toBeLessThanOrEqual(300);
  });
});
