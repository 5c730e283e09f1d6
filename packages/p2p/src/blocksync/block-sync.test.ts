import { afterEach, describe, expect, it } from 'vitest';
import { fastTimeouts, gridEdges, TestNet } from '../testkit/test-net.js';

let net: TestNet | null = null;
afterEach(async () => {
  await net?.stop();
  net = null;
});

describe('block sync over loopback TCP', () => {
  it('a validator offline for 100+ heights reconnects and catches up by block sync', async () => {
    net = await TestNet.create({
      nodes: 8,
      validators: [0, 2, 5, 7],
      edges: gridEdges(2, 4),
      // The offline validator's proposer turns time out: keep that short.
      driver: { timeouts: { ...fastTimeouts, proposeMs: 100, proposeDeltaMs: 100 } },
    });
    await net.start();
    await net.waitForHeight(3, 20_000);
    const offline = net.node(0);
    await offline.stop();
    const left = offline.height();
    const others = [1, 2, 3, 4, 5, 6, 7];
    await net.waitForHeight(left + 101, 45_000, others);
    await offline.start();
    const target = Math.min(...others.map((i) => net?.node(i).height() ?? 0));
    await net.waitForHeight(target, 30_000, [0]);
    const synced = offline.parts?.host.counters.syncedBlocks ?? 0;
    expect(synced, `synced ${synced} blocks`).toBeGreaterThanOrEqual(90);
    // Back in consensus: it keeps committing with the others.
    await net.waitForHeight(target + 5, 20_000);
    const problems = await net.disagreements();
    expect(problems, problems.join('; ')).toEqual([]);
  });
});
