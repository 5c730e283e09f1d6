import { kvTx } from '@joule/consensus/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { TestNet } from '../testkit/test-net.js';

let net: TestNet | null = null;
afterEach(async () => {
  await net?.stop();
  net = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('block sync when a peer connects', () => {
  it('a node that connects heights behind asks the new peer at once and syncs, without waiting for the poll', async () => {
    // Three validators in a mesh; node 3 (a full node) is not linked to them, and its poll is an
    // hour (a hint from consensus gossip wakes it only 15 minutes after the last poll): only the
    // connection can start a sync soon. (The test app's hash changes at every block, so the chain
    // goes on making proof blocks: consensus alone would catch node 3 up height by height.)
    net = await TestNet.create({
      nodes: 4,
      validators: [0, 1, 2],
      edges: [
        [0, 1],
        [0, 2],
        [1, 2],
      ],
      driver: { createEmptyBlocks: false },
      blockSync: { pollMs: 3_600_000 },
    });
    await net.start([0, 1, 2]);
    await net.waitForHeight(1, 20_000, [0, 1, 2]);
    // Each transaction makes its block and the proof block after it.
    for (const [i, key] of ['a', 'b'].entries()) {
      await net.node(0).parts?.mempoolGossip.submit(kvTx(`meter-${key}`, String(i)));
      await net.waitForHeight(1 + 2 * (i + 1), 20_000, [0, 1, 2]);
    }
    const top = net.node(0).height();
    expect(top, 'the chain is 5 heights tall').toBeGreaterThanOrEqual(5);
    const late = net.node(3);
    await late.start();
    // Its first poll (at start) found no peer, and its status went out to none: nothing more comes.
    await sleep(1_500);
    expect(late.height(), 'node 3 alone stays at genesis').toBe(0);
    await late.parts?.host.dial(net.node(0).address());
    await net.waitForHeight(top, 15_000, [3]);
    expect(late.parts?.host.counters.syncedBlocks ?? 0, 'by block sync').toBeGreaterThanOrEqual(top - 1);
    const problems = await net.disagreements();
    expect(problems, problems.join('; ')).toEqual([]);
  });
});
