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

  it('proofBlockDelayMs: the proof block waits for a transaction to carry, then comes without one', async () => {
    const delay = 5_000;
    const cluster = new TestCluster({
      validators: 4,
      driver: { createEmptyBlocks: false, proofBlockDelayMs: delay },
      app: (node) => quietKvApp(node.kv),
    });
    await cluster.startAll();
    expect(
      await cluster.runUntil(() => cluster.minHeight() >= 1, 30_000),
      'the initial height is not delayed',
    ).toBe(true);
    const store = cluster.nodes[0]?.store;
    const txs = async (h: number) =>
      ((await store?.loadBlock(h))?.txs ?? []).map((t) => new TextDecoder().decode(t));

    for (const node of cluster.nodes) await node.mempool?.add(kvTx('meter-7', '42'));
    expect(await cluster.runUntil(() => cluster.minHeight() >= 2, 30_000), 'the transaction’s block').toBe(
      true,
    );
    const committed2 = cluster.time.now;
    // The commit wait (1 s) and part of the delay: no node starts the proof block yet.
    await cluster.runFor(3_000);
    expect(cluster.heights(), 'the proof block waits').toEqual([2, 2, 2, 2]);
    for (const node of cluster.nodes) {
      const votes = [...node.signed.keys()].filter((k) => k.startsWith('3/'));
      expect(votes, `${node.name} did not start height 3 yet`).toEqual([]);
    }
    // A transaction in the wait starts height 3 at once: its block carries the app hash of block 2.
    for (const node of cluster.nodes) await node.mempool?.add(kvTx('meter-8', '43'));
    expect(
      await cluster.runUntil(() => cluster.minHeight() >= 3, 1_500),
      `a transaction starts the waiting height at once; heights ${cluster.heights()}`,
    ).toBe(true);
    const [b2, b3] = [await store?.loadBlock(2), await store?.loadBlock(3)];
    if (!b2 || !b3) throw new Error('blocks 2 and 3 are missing');
    expect(await txs(3), 'block 3 carries the second transaction').toEqual(['set meter-8 43']);
    expect(toHex(b3.header.appHash), 'and the app hash changed by block 2').not.toBe(
      toHex(b2.header.appHash),
    );
    expect(cluster.time.now - committed2, 'before the delay ran out').toBeLessThan(1_000 + delay);

    // No transaction now: the proof block of block 3 comes after the delay, empty.
    const committed3 = cluster.time.now;
    expect(await cluster.runUntil(() => cluster.minHeight() >= 4, 30_000), 'the proof block').toBe(true);
    expect(cluster.time.now - committed3, 'not before the delay').toBeGreaterThanOrEqual(delay);
    const b4 = await store?.loadBlock(4);
    if (!b4) throw new Error('block 4 is missing');
    expect(b4.txs.length, 'block 4 is empty').toBe(0);
    expect(toHex(b4.header.appHash), 'block 4 carries the app hash changed by block 3').not.toBe(
      toHex(b3.header.appHash),
    );
    await cluster.runFor(120_000);
    expect(cluster.heights(), 'idle after the proof block').toEqual([4, 4, 4, 4]);
    for (const node of cluster.nodes) {
      expect(node.doubleSigns, `${node.name}: no double sign`).toEqual([]);
      await cluster.stop(node);
    }
  });
});
