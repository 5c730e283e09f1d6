import { generateKeyPair } from '@joule/consensus';
import { afterEach, describe, expect, it } from 'vitest';
import { createP2pHost, type P2pHost } from '../host/host.js';
import { TestNet } from '../testkit/test-net.js';
import { BlockSyncServer } from './server.js';

let net: TestNet | null = null;
let liar: P2pHost | null = null;
afterEach(async () => {
  await liar?.stop();
  liar = null;
  await net?.stop();
  net = null;
});

describe('block sync against a lying peer', () => {
  it('a peer claiming a huge height and serving bad commits is blamed; honest peers still sync the node', async () => {
    // 0 – 1 – 2 validators; 3 starts alone, first meets the liar, then an honest peer.
    net = await TestNet.create({
      nodes: 4,
      validators: [0, 1, 2],
      edges: [
        [0, 1],
        [1, 2],
      ],
      blockSync: { pollMs: 300 },
    });
    const n = net;
    await n.start([0, 1, 2]);
    await n.waitForHeight(20, 30_000, [0, 1, 2]);
    const honest = n.node(0).store;
    const host = await createP2pHost(
      { listen: ['/ip4/127.0.0.1/tcp/0'] },
      { nodeKey: generateKeyPair(new Uint8Array(32).fill(66)) },
    );
    liar = host;
    const server = new BlockSyncServer({
      host,
      store: {
        height: () => 1_000_000,
        base: () => 1,
        loadBlock: (h) => honest.loadBlock(h),
        loadCommit: (h) => honest.loadCommit(h + 1), // a real commit, of the wrong block
      },
    });
    await host.start();
    await server.start();
    await n.start([3]);
    const late = n.node(3);
    await host.dial(late.address());
    const penalized = () => late.parts?.host.counters.penalties.get('block-sync') ?? 0;
    const deadline = Date.now() + 10_000;
    while (penalized() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(penalized(), 'the liar lost score').toBeGreaterThan(0);
    expect(late.height(), 'nothing applied from the liar').toBe(0);
    expect(late.parts?.blockSync.syncing, 'consensus was not handed to a liar').toBe(false);

    await late.parts?.host.dial(n.node(2).address());
    await n.waitForHeight(n.node(2).height(), 30_000, [3]);
    expect(late.parts?.host.counters.syncedBlocks ?? 0).toBeGreaterThan(15);
    const problems = await n.disagreements();
    expect(problems, problems.join('; ')).toEqual([]);
    await server.stop();
  });
});
