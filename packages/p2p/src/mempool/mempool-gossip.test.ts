import { kvTx } from '@joule/consensus/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { maxMempoolBatchBytes, maxMempoolBatchTxs } from '../constants.js';
import { TestNet } from '../testkit/test-net.js';
import { decodeTxBatch, encodeTxBatch, splitTxBatches } from './tx-batch.js';

let net: TestNet | null = null;
afterEach(async () => {
  await net?.stop();
  net = null;
});

describe('transaction batches', () => {
  it('round-trip in order and refuse an empty transaction', () => {
    const txs = [kvTx('a', '1'), kvTx('b', '2'), kvTx('c', '3')];
    expect(decodeTxBatch(encodeTxBatch(txs)), 'decoded as encoded').toEqual(txs);
    expect(() => decodeTxBatch(encodeTxBatch([new Uint8Array(0)])), 'an empty tx').toThrow();
    expect(() => decodeTxBatch(new Uint8Array([0xc1])), 'bytes that are no batch').toThrow();
  });

  it('split by bytes and by count, a large transaction alone, order kept', () => {
    const small = (n: number) => new Uint8Array(1_000).fill(n);
    const txs = Array.from({ length: 150 }, (_, n) => small(n));
    const big = new Uint8Array(maxMempoolBatchBytes + 1);
    const batches = splitTxBatches([...txs, big]);
    for (const [i, b] of batches.entries()) {
      const bytes = b.reduce((n, t) => n + t.length, 0);
      expect(bytes <= maxMempoolBatchBytes || b.length === 1, `batch ${i} within the byte bound`).toBe(true);
    }
    expect(batches.flat(), 'every tx once, in order').toEqual([...txs, big]);
    expect(batches.at(-1), 'the oversized tx alone').toEqual([big]);
    const many = splitTxBatches(Array.from({ length: maxMempoolBatchTxs + 1 }, () => new Uint8Array(1)));
    expect(
      many.map((b) => b.length),
      'count bound',
    ).toEqual([maxMempoolBatchTxs, 1]);
  });
});

describe('MempoolGossip over loopback', () => {
  it('sends the transactions submitted in one turn in one frame per peer, relays none in a full mesh, and every node applies them', async () => {
    net = await TestNet.create({
      nodes: 3,
      validators: [0, 1, 2],
      edges: [
        [0, 1],
        [1, 2],
        [0, 2],
      ],
    });
    await net.start();
    const n = net;
    const deadline = Date.now() + 15_000;
    // Every node has both streams and knows both peers' peer lists.
    const ready = () =>
      n.nodes.every(
        (x) =>
          (x.parts?.mempoolGossip.channel.peers().length ?? 0) === 2 &&
          (x.parts?.consensus.neighbours.size ?? 0) === 2,
      );
    while (Date.now() < deadline && !ready()) await new Promise((r) => setTimeout(r, 20));
    const first = n.node(0).parts;
    if (first === undefined || first === null) throw new Error('node 0 has no parts');
    const framesBefore = first.host.counters.framesOut.get('mempool') ?? 0;
    const relayedBefore = n.nodes.map((x) => x.parts?.host.counters.relayed ?? 0);
    const txs = Array.from({ length: 100 }, (_, i) => kvTx(`k${i}`, String(i)));
    await Promise.all(txs.map((tx) => first.mempoolGossip.submit(tx)));
    const applied = () =>
      n.nodes.every((x) => x.kv.entries.get('k99') === '99' && x.kv.entries.get('k0') === '0');
    while (Date.now() < deadline && !applied()) await new Promise((r) => setTimeout(r, 20));
    for (const node of n.nodes)
      for (let i = 0; i < 100; i++)
        expect(node.kv.entries.get(`k${i}`), `${node.name} applied tx ${i}`).toBe(String(i));
    const frames = (first.host.counters.framesOut.get('mempool') ?? 0) - framesBefore;
    // The mempool's lane yields every few checks: the outbox waits for the rest of the checks.
    expect(frames, '100 txs leave node 0 in one frame to each of its 2 peers').toBe(2);
    // A full mesh: every node's peers already got each tx and each vote (the block that carries
    // the txs was voted on meanwhile) from its origin.
    for (const [i, node] of n.nodes.entries()) {
      const counters = node.parts?.host.counters;
      expect(
        (counters?.relayed ?? 0) - (relayedBefore[i] ?? 0),
        `${node.name} relays no tx and no vote`,
      ).toBe(0);
    }
    expect(n.node(1).parts?.host.counters.relaysSkipped, 'node 1 skipped the relays').toBeGreaterThan(0);
  });

  it('a peer whose pool is full drops relayed txs without penalty and gets them by block', async () => {
    net = await TestNet.create({
      nodes: 2,
      validators: [0],
      edges: [[0, 1]],
      mempools: { 1: { maxTxs: 1 } },
    });
    await net.start();
    const n = net;
    const deadline = Date.now() + 15_000;
    const ready = () => n.nodes.every((x) => (x.parts?.mempoolGossip.channel.peers().length ?? 0) === 1);
    while (Date.now() < deadline && !ready()) await new Promise((r) => setTimeout(r, 20));
    const [sender, full] = [n.node(0).parts, n.node(1).parts];
    if (sender == null || full == null) throw new Error('a node has no parts');
    const txs = Array.from({ length: 20 }, (_, i) => kvTx(`f${i}`, String(i)));
    await Promise.all(txs.map((tx) => sender.mempoolGossip.submit(tx)));
    const applied = () => n.nodes.every((x) => x.kv.entries.get('f19') === '19');
    while (Date.now() < deadline && !applied()) await new Promise((r) => setTimeout(r, 20));
    for (const node of n.nodes)
      for (let i = 0; i < 20; i++)
        expect(node.kv.entries.get(`f${i}`), `${node.name} applied tx ${i} (by block)`).toBe(String(i));
    expect(
      full.host.counters.dropped.get('mempool-full') ?? 0,
      'node 1 (a pool of one) dropped relayed txs as mempool-full',
    ).toBeGreaterThan(0);
    expect(full.host.scores.score(n.node(0).peerId), 'no penalty for a full pool').toBe(0);
  });
});
