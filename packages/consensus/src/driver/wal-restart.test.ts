import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockId } from '../block/block.js';
import { toHex } from '../crypto/hash.js';
import { FileSignerStore } from '../signer/file-signer-store.js';
import { comparePositions } from '../signer/guard.js';
import { SignStep } from '../signer/signer-store.js';
import { kvTx } from '../sim/kv-app.js';
import { TestCluster } from '../testkit/cluster.js';
import { FileWal } from '../wal/file-wal.js';

/**
 * A validator with the real FileWal and FileSignerStore stops in the middle of a height (after it
 * signed a prevote, or a precommit, for a block it has not committed), and a torn frame is left at
 * the end of its WAL. A new driver over the same stores resumes that height from the WAL, the
 * double-sign guard hands back what was already signed, and the network goes on.
 */
describe('restart from the FileWal in the middle of a height', () => {
  it.each([
    { name: 'after its prevote', step: SignStep.Prevote },
    { name: 'after its precommit', step: SignStep.Precommit },
  ])('a validator stopped $name resumes without double-signing', async ({ name, step }) => {
    const dir = await mkdtemp(join(tmpdir(), 'joule-wal-restart-'));
    const walDir = join(dir, 'wal');
    const signerPath = join(dir, 'signer', 'state.bin');
    try {
      const cluster = new TestCluster({ validators: 4 });
      const node = cluster.node('v1');
      node.wal = await FileWal.open({ dir: walDir });
      node.signerStore = new FileSignerStore({ path: signerPath });
      await cluster.startAll();
      let n = 0;
      const load = () => {
        const tx = kvTx('k', `v${n++}`);
        for (const peer of cluster.nodes) void peer.mempool?.add(tx).catch(() => {});
        cluster.time.schedule(800, load);
      };
      cluster.time.schedule(10, load);

      const midHeight = () => {
        const last = node.guard?.lastSigned() ?? null;
        return last !== null && last.height >= 3 && last.step === step && node.store.height() < last.height;
      };
      expect(await cluster.runUntil(midHeight, 60_000), `${name}: v1 reaches the middle of a height`).toBe(
        true,
      );
      const before = node.guard?.lastSigned();
      if (!before) throw new Error('nothing signed');
      const height = before.height;
      await cluster.stop(node);
      await node.wal.close();
      // A crash during a write leaves a torn frame: a header promising 100 bytes, and 20 of them.
      const segments = (await readdir(walDir)).filter((f) => f.endsWith('.log')).sort();
      const torn = new Uint8Array(29);
      new DataView(torn.buffer).setUint32(0, 100);
      await appendFile(join(walDir, segments.at(-1) as string), torn);

      const reopened = await FileWal.open({ dir: walDir });
      expect(reopened.recovered.truncated?.bytes, `${name}: the torn tail is cut off on open`).toBe(29);
      node.wal = reopened;
      node.signerStore = new FileSignerStore({ path: signerPath });
      await cluster.start(node);
      const after = node.guard?.lastSigned();
      expect(
        after && comparePositions(after, before),
        `${name}: the guard state survived`,
      ).toBeGreaterThanOrEqual(0);
      expect(node.driver?.height, `${name}: v1 resumes height ${height}, not a new one`).toBe(height);
      expect(
        node.infos.some((l) => l.startsWith('replayed the WAL') && l.includes(`"height":${height}`)),
        `${name}: the height was rebuilt from the WAL`,
      ).toBe(true);

      const goal = height + 3;
      expect(
        await cluster.runUntil(() => cluster.minHeight() >= goal, 60_000),
        `${name}: every node reaches ${goal}; heights ${cluster.heights()}`,
      ).toBe(true);
      for (let h = 1; h <= goal; h++) {
        const hashes = new Set<string>();
        for (const peer of cluster.nodes) {
          const block = await peer.store.loadBlock(h);
          hashes.add(block === null ? 'none' : toHex(blockId(block).hash));
        }
        expect([...hashes], `${name}: one block at height ${h}`).toHaveLength(1);
      }
      for (const peer of cluster.nodes) {
        expect(peer.doubleSigns, `${name}: ${peer.name} never signed two values for one step`).toEqual([]);
        expect(
          peer.warnings.filter(
            (w) => w.startsWith('signer refused') || w.startsWith('consensus input failed'),
          ),
          `${name}: ${peer.name} never tried to sign a conflicting vote, and no input failed`,
        ).toEqual([]);
        await cluster.stop(peer);
      }
      await node.wal.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
