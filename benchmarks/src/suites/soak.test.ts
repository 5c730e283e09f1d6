import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Progress, UsageError } from '../report.js';
import { soak } from './soak.js';

const dir = mkdtempSync(join(tmpdir(), 'joule-soak-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet: Progress = { tick: () => {}, done: () => {} };
const run = (...args: string[]) =>
  soak({ timeMs: 500, args: ['--snapshots', dir, ...args], progress: () => quiet });

describe('soak arguments', () => {
  // Refused before any node starts: a bad port or warm-up is a usage error, not a failed run.
  it.each([
    ['--base-port', '80'],
    ['--base-port', '65535'],
    ['--base-port', 'x'],
    ['--warm-up', '0.05'],
    ['--warm-up', '1'],
    ['--warm-up', 'half'],
  ])('refuses %s %s', async (flag, value) => {
    await expect(run(flag, value)).rejects.toBeInstanceOf(UsageError);
    await expect(run(flag, value)).rejects.toThrow(flag);
  });
});
