import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { componentRows } from './throughput-profile.js';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url },
  children,
});

describe('throughput profile components', () => {
  it('splits a window’s CPU per tx by the first component on each sample’s stack', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'joule-prof-'));
    try {
      const profile = {
        nodes: [
          frame(1, '(root)', '', [2, 5, 6]),
          frame(2, 'checkTx', 'file:///x/packages/state/dist/app/executor.js', [3, 4]),
          frame(3, 'verifyOneShot', 'node:internal/crypto/sig'),
          frame(4, 'get', 'file:///x/packages/state/dist/app/state-layer.js'),
          frame(5, '(idle)', ''),
          frame(6, '(garbage collector)', ''),
        ],
        startTime: 1_000,
        // 100 µs apart: verify, verify, the rest of checkTx, idle, GC; then one after the window.
        samples: [3, 3, 4, 5, 6, 3],
        timeDeltas: [100, 100, 100, 100, 100, 100],
      };
      await writeFile(join(dir, 'CPU.1.cpuprofile'), JSON.stringify(profile));
      const [row] = await componentRows(dir, [{ label: 'w', fromUs: 1_050, toUs: 1_550, cpuUsPerTx: 400 }]);
      expect(row?.['ed25519 verify'], 'two of four busy samples').toBe(200);
      expect(row?.['checkTx (ante, simulation)'], 'checkTx without its verify').toBe(100);
      expect(row?.['garbage collection']).toBe(100);
      expect(row?.['node CPU µs/tx']).toBe(400);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
