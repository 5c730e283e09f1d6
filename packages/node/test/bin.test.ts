import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { nodeTooOldExitCode, nodeVersionProblem } from '@joule/consensus/node-check';
import { describe, expect, it } from 'vitest';

/**
 * The `joule` bin checks the Node version before it loads the compiled CLI. The child runs on this
 * Node with `process.versions.node` replaced first, so the check sees the version under test.
 */
const bin = fileURLToPath(new URL('../bin/joule.js', import.meta.url));
const run = promisify(execFile);

async function joule(
  nodeVersion: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  const pretend = `data:text/javascript,Object.defineProperty(process,'versions',{value:{...process.versions,node:'${nodeVersion}'}})`;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', pretend, bin, ...args], {
      timeout: 60_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

describe('the joule bin', () => {
  it('refuses a Node older than 22.12 with one line and exit 3, before loading anything', async () => {
    for (const version of ['20.19.0', '22.11.0', '18.0.0']) {
      const result = await joule(version, '--version');
      expect(result.code, version).toBe(nodeTooOldExitCode);
      expect(result.code, version).toBe(3);
      expect(result.err).toBe(`${nodeVersionProblem(version, process.execPath)}\n`);
      expect(result.err).toMatch(/^error: Node .* is too old: Joule needs Node >= 22\.12 — /);
      expect(result.out).toBe('');
    }
  });

  it('runs the CLI on Node 22.12 and later', async () => {
    for (const version of ['22.12.0', '24.0.0']) {
      const result = await joule(version, '--version');
      expect(result.code, result.err).toBe(0);
      expect(result.out).toMatch(/^\d+\.\d+\.\d+/);
    }
  });
});
