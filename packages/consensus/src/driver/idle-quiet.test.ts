import { describe, expect, it } from 'vitest';
import { kvTx } from '../sim/kv-app.js';
import { TestCluster } from '../testkit/cluster.js';
import { quietKvApp } from '../testkit/quiet-app.js';

const sentOf = (cluster: TestCluster) =>
  cluster.nodes.map((n) => Object.fromEntries([...n.sentKinds].sort(([a], [b]) => a.localeCompare(b))));

/**
 * A quiet chain (createEmptyBlocks=false, no transactions) sends next to nothing: a height that
 * waits for transactions is not stuck, so the rebroadcast tick says where the node is once and
 * then keeps quiet, as CometBFT's nodes do between blocks.
 */
describe('ConsensusDriver: a quiet chain is quiet', () => {
  it('a node waiting for transactions sends its status once, not every rebroadcast tick', async () => {
    const cluster = new TestCluster({
      validators: 4,
      driver: { createEmptyBlocks: false, rebroadcastMs: 2_000 },
      app: (node) => quietKvApp(node.kv),
    });
    await cluster.startAll();
    expect(await cluster.runUntil(() => cluster.minHeight() >= 1, 30_000)).toBe(true);
    // The next height is entered after the commit timeout; then the nodes only wait.
    await cluster.runFor(10_000);
    const before = sentOf(cluster);
    await cluster.runFor(120_000);
    expect(cluster.heights(), 'no block in 2 idle minutes').toEqual([1, 1, 1, 1]);
    const after = sentOf(cluster);
    for (const [i, node] of cluster.nodes.entries()) {
      const b = before[i] as Record<string, number>;
      const a = after[i] as Record<string, number>;
      const sent = Object.fromEntries(
        Object.keys(a)
          .map((k) => [k, (a[k] ?? 0) - (b[k] ?? 0)] as const)
          .filter(([, d]) => d > 0),
      );
      // 60 ticks of 2 s: every tick would be 60 statuses.
      expect(
        sent.status ?? 0,
        `${node.name} sent ${JSON.stringify(sent)} in 2 idle minutes`,
      ).toBeLessThanOrEqual(1);
      expect(
        Object.keys(sent).filter((k) => k !== 'status'),
        `${node.name}: only a status`,
      ).toEqual([]);
    }
    for (const node of cluster.nodes) await cluster.stop(node);
  });

  it('a node that restarts behind a quiet chain catches up without a new block', async () => {
    const cluster = new TestCluster({
      validators: 4,
      driver: { createEmptyBlocks: false, rebroadcastMs: 2_000 },
      app: (node) => quietKvApp(node.kv),
    });
    await cluster.startAll();
    expect(await cluster.runUntil(() => cluster.minHeight() >= 1, 30_000)).toBe(true);
    const late = cluster.node('v3');
    await cluster.stop(late);
    const tx = kvTx('meter-7', '42');
    for (const node of cluster.nodes) await node.mempool?.add(tx);
    const others = cluster.nodes.filter((n) => n !== late);
    expect(
      await cluster.runUntil(() => others.every((n) => n.store.height() >= 3), 60_000),
      `the other three commit the transaction and its proof block; heights ${cluster.heights()}`,
    ).toBe(true);
    await cluster.runFor(30_000);
    const top = others.map((n) => n.store.height());
    expect(late.store.height(), 'v3 is behind').toBe(1);
    await cluster.start(late);
    expect(
      await cluster.runUntil(() => late.store.height() >= Math.max(...top), 60_000),
      `v3 catches up from the quiet chain's answers to its status; heights ${cluster.heights()}`,
    ).toBe(true);
    expect(
      others.map((n) => n.store.height()),
      'the chain made no block meanwhile',
    ).toEqual(top);
    for (const node of cluster.nodes) await cluster.stop(node);
  });
});
