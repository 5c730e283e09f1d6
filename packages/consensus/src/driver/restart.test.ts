import { describe, expect, it } from 'vitest';
import { blockId } from '../block/block.js';
import { toHex } from '../crypto/hash.js';
import { KvApp, kvTx } from '../sim/kv-app.js';
import { delegateApp, TestCluster, type TestNode } from '../testkit/cluster.js';

/**
 * The restart handshake (CometBFT's): a node whose application is behind its block store replays
 * the missing committed blocks into the application on start, and ends with its peers' app hash.
 */

/** The app hash after height `h` as `node` committed it (in header h+1, or its latest state). */
async function appHashAfter(node: TestNode, h: number): Promise<string | undefined> {
  const next = await node.store.loadBlock(h + 1);
  if (next !== null) return toHex(next.header.appHash);
  const state = await node.store.loadState();
  return state?.lastBlockHeight === h ? toHex(state.appHash) : undefined;
}

/** A transaction every 600 ms to every running node, so blocks change the app state. */
function load(cluster: TestCluster): void {
  let n = 0;
  const tick = () => {
    const tx = kvTx(`k${n % 4}`, `v${n}`);
    n++;
    for (const node of cluster.nodes) void node.mempool?.add(tx).catch(() => {});
    cluster.time.schedule(600, tick);
  };
  cluster.time.schedule(50, tick);
}

const replayed = (node: TestNode): number[] =>
  node.infos
    .filter((line) => line.startsWith('replayed block into the application'))
    .map((line) => (JSON.parse(line.slice(line.indexOf('{'))) as { height: number }).height);

async function expectCaughtUp(cluster: TestCluster, node: TestNode, name: string): Promise<void> {
  const stored = node.store.height();
  expect(node.kv.height, `${name}: the app is at the store height again`).toBe(stored);
  const state = await node.store.loadState();
  expect(toHex(node.kv.appHash), `${name}: the app hash matches the stored state`).toBe(
    toHex(state?.appHash ?? new Uint8Array(0)),
  );
  for (const peer of cluster.nodes.filter((p) => p !== node)) {
    const theirs = await appHashAfter(peer, stored);
    if (theirs !== undefined)
      expect(toHex(node.kv.appHash), `${name}: same app hash as ${peer.name}`).toBe(theirs);
  }
  // And the network (with the restarted node) goes on, in agreement.
  const goal = cluster.minHeight() + 3;
  expect(
    await cluster.runUntil(() => cluster.minHeight() >= goal, 60_000),
    `${name}: every node reaches ${goal}; heights ${cluster.heights()}`,
  ).toBe(true);
  for (let h = 1; h <= goal - 1; h++) {
    const hashes = new Set(await Promise.all(cluster.nodes.map((p) => appHashAfter(p, h))));
    expect(hashes.size, `${name}: one app hash after height ${h}`).toBe(1);
  }
  for (const peer of cluster.nodes)
    expect(peer.doubleSigns, `${name}: ${peer.name} never double-signed`).toEqual([]);
}

describe('restart handshake', () => {
  it('replays the k blocks a rolled-back application is missing', async () => {
    const cluster = new TestCluster({ validators: 4 });
    await cluster.startAll();
    load(cluster);
    expect(
      await cluster.runUntil(() => cluster.minHeight() >= 6, 60_000),
      'six heights before the crash',
    ).toBe(true);
    const node = cluster.node('v3');
    await cluster.stop(node);
    const stored = node.store.height();
    const k = 3;
    // The application's disk lost its last k commits: rebuild it from the first stored-k blocks.
    const durable = KvApp.empty();
    const app = new KvApp(durable);
    for (let h = 1; h <= stored - k; h++) {
      const block = await node.store.loadBlock(h);
      if (block === null) throw new Error(`block ${h} missing`);
      await app.finalizeBlock({ block, hash: blockId(block).hash, misbehavior: [] });
      await app.commit();
    }
    expect(durable.height, 'rolled back by k blocks').toBe(stored - k);
    expect(toHex(durable.appHash), 'the rolled-back app hash is an older one').not.toBe(
      toHex(node.kv.appHash),
    );
    node.kv = durable;

    await cluster.start(node);
    expect(replayed(node), `the handshake replays exactly heights ${stored - k + 1}..${stored}`).toEqual(
      Array.from({ length: k }, (_, i) => stored - k + 1 + i),
    );
    await expectCaughtUp(cluster, node, `rolled back by ${k}`);
  });

  it('replays the block of a crash between saveBlock and app.commit', async () => {
    let crashAt: number | null = 4;
    const cluster = new TestCluster({
      validators: 4,
      app: (node) => {
        const inner = new KvApp(node.kv);
        if (node.name !== 'v2' || crashAt === null) return inner;
        let finalizing = 0;
        return delegateApp(inner, {
          finalizeBlock: (request) => {
            finalizing = request.block.header.height;
            return inner.finalizeBlock(request);
          },
          commit: async () => {
            if (finalizing === crashAt) throw new Error('power cut before app.commit');
            return inner.commit();
          },
        });
      },
    });
    await cluster.startAll();
    load(cluster);
    const node = cluster.node('v2');
    expect(
      await cluster.runUntil(() => node.store.height() >= 4, 60_000),
      'v2 saved block 4 before its app could commit it',
    ).toBe(true);
    expect(node.kv.height, 'the app missed the last commit').toBe(3);
    await cluster.stop(node);
    crashAt = null;
    await cluster.start(node);
    expect(replayed(node), 'the handshake replays block 4 only').toEqual([4]);
    await expectCaughtUp(cluster, node, 'crash before app.commit');
  });

  /**
   * Regression (found by these tests): `#handshake` (driver.ts) ignored the app hash
   * that replayed blocks produce and never compared `info().lastBlockAppHash` with the store, so
   * an application whose state diverged (a corrupt or mismatched database) starts without a word
   * and later just stops agreeing with its peers. CometBFT's handshake fails on a wrong app hash; so does this one now.
   */
  it('a replay that yields another app hash than the block store stops the start', async () => {
    const cluster = new TestCluster({ validators: 4 });
    await cluster.startAll();
    load(cluster);
    expect(await cluster.runUntil(() => cluster.minHeight() >= 4, 60_000), 'four heights').toBe(true);
    const node = cluster.node('v3');
    await cluster.stop(node);
    // The app's disk is one block behind and holds a state no block ever produced.
    const durable = KvApp.empty();
    durable.height = node.store.height() - 1;
    durable.appHash = new Uint8Array(32).fill(9);
    node.kv = durable;
    await expect(cluster.start(node), 'a diverged application is refused at start').rejects.toThrow();
  });
});
