import { kvTx } from '@joule/consensus/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { gridEdges, TestNet } from '../testkit/test-net.js';

let net: TestNet | null = null;
afterEach(async () => {
  await net?.stop();
  net = null;
});

describe('LIC grid over loopback TCP', () => {
  it('4 validators + 4 followers, 2–3 peers each, commit blocks and agree', async () => {
    // 0 1 2 3
    // 4 5 6 7   validators at 0, 2, 5, 7: every pair is at least two hops apart
    net = await TestNet.create({ nodes: 8, validators: [0, 2, 5, 7], edges: gridEdges(2, 4) });
    await net.start();
    await net.waitForHeight(10, 30_000);
    // A transaction submitted at a corner follower reaches a proposer hops away and every node.
    const gossip = net.node(3).parts?.mempoolGossip;
    await gossip?.submit(kvTx('house03', '42'));
    const n = net;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !n.nodes.every((x) => x.kv.entries.get('house03') === '42')) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const node of n.nodes)
      expect(node.kv.entries.get('house03'), `${node.name} applied the tx`).toBe('42');
    expect(n.node(4).parts?.host.counters.relayed, 'followers relay').toBeGreaterThan(0);
    const problems = await net.disagreements();
    expect(problems, problems.join('; ')).toEqual([]);
    for (const node of net.nodes) {
      const peers = node.parts?.host.connectedPeers().length ?? 0;
      expect(peers, `${node.name} has ${peers} peers`).toBeLessThanOrEqual(3);
    }
  });
});
