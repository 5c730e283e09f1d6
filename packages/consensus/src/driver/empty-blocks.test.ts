import { describe, expect, it } from 'vitest';
import { toHex } from '../crypto/hash.js';
import { kvTx } from '../sim/kv-app.js';
import { genesisTime, TestCluster } from '../testkit/cluster.js';
import { quietKvApp } from '../testkit/quiet-app.js';

/**
 * createEmptyBlocks / createEmptyBlocksIntervalMs, as CometBFT: a quiet energy community must not
 * write a block a second. The app is a KvApp whose hash does not change on an empty block.
 */
describe('ConsensusDriver: empty blocks', () => {
  it('createEmptyBlocks=false: the first block, then nothing until a transaction (and its proof block)', async () => {
    const cluster = new TestCluster({
      validators: 4,
      driver: { createEmptyBlocks: false },
      app: (node) => quietKvApp(node.kv),
    });
    await cluster.startAll();
    expect(
      await cluster.runUntil(() => cluster.minHeight() >= 1, 30_000),
      'the initial height is made without transactions',
    ).toBe(true);
    await cluster.runFor(120_000);
    expect(cluster.heights(), 'idle: no block after the first in 2 virtual minutes').toEqual([1, 1, 1, 1]);
    for (const node of cluster.nodes) {
      const votes = [...node.signed.keys()].filter((k) => k.startsWith('2/'));
      expect(votes, `idle: ${node.name} did not even start height 2`).toEqual([]);
    }

    const tx = kvTx('meter-7', '42');
    for (const node of cluster.nodes) await node.mempool?.add(tx);
    expect(
      await cluster.runUntil(() => cluster.minHeight() >= 3, 30_000),
      `a transaction starts height 2, then the proof block 3; heights ${cluster.heights()}`,
    ).toBe(true);
    const store = cluster.nodes[0]?.store;
    const [b2, b3] = [await store?.loadBlock(2), await store?.loadBlock(3)];
    if (!b2 || !b3) throw new Error('blocks 2 and 3 are missing');
    expect(
      b2.txs.map((t) => new TextDecoder().decode(t)),
      'block 2 carries the transaction',
    ).toEqual(['set meter-7 42']);
    expect(b3.txs.length, 'block 3 is empty: it only proves the new app hash').toBe(0);
    expect(toHex(b3.header.appHash), 'block 3 carries the app hash changed by block 2').not.toBe(
      toHex(b2.header.appHash),
    );

    await cluster.runFor(120_000);
    expect(cluster.heights(), 'idle again after the proof block').toEqual([3, 3, 3, 3]);
    for (const node of cluster.nodes) {
      expect(node.doubleSigns, `${node.name}: no double sign`).toEqual([]);
      await cluster.stop(node);
    }
  });

  it('createEmptyBlocksIntervalMs: an idle chain still makes a block per interval', async () => {
    const interval = 10_000;
    const cluster = new TestCluster({
      validators: 4,
      driver: { createEmptyBlocks: false, createEmptyBlocksIntervalMs: interval },
      app: (node) => quietKvApp(node.kv),
    });
    await cluster.startAll();
    const horizon = 65_000;
    await cluster.runUntil(() => cluster.time.now >= genesisTime + horizon, horizon + 1);
    const heights = cluster.heights();
    // Height 1 at once; then each height waits commitMs (1 s) + the interval + about a round.
    expect(
      Math.min(...heights),
      `a block per interval in ${horizon} ms; heights ${heights}`,
    ).toBeGreaterThanOrEqual(5);
    expect(Math.max(...heights), `no more than a block per interval; heights ${heights}`).toBeLessThanOrEqual(
      6,
    );
    const store = cluster.nodes[0]?.store;
    let previous: number | null = null;
    for (let h = 2; h <= Math.min(...heights); h++) {
      const block = await store?.loadBlock(h);
      if (!block) throw new Error(`block ${h} is missing`);
      expect(block.txs.length, `block ${h} is empty`).toBe(0);
      if (previous !== null) {
        const gap = block.header.time - previous;
        expect(gap, `block ${h}: at least the interval after block ${h - 1}`).toBeGreaterThanOrEqual(
          interval,
        );
        expect(gap, `block ${h}: not much later than the interval`).toBeLessThan(interval + 5_000);
      }
      previous = block.header.time;
    }
    for (const node of cluster.nodes) await cluster.stop(node);
  });
});
