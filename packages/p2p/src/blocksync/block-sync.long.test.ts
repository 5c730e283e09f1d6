import { afterEach, describe, expect, it } from 'vitest';
import { gridEdges, TestNet } from '../testkit/test-net.js';

/** Long: about half a minute of 500 heights on two cores. Runs with `npm run test:long`. */
let net: TestNet | null = null;
afterEach(async () => {
  await net?.stop();
  net = null;
});

describe('block sync over loopback TCP, long', () => {
  it('a node started from genesis while the chain is at height 500 catches up', async () => {
    net = await TestNet.create({ nodes: 8, validators: [0, 2, 5, 7], edges: gridEdges(2, 4) });
    await net.start([0, 1, 2, 4, 5, 6, 7]);
    await net.waitForHeight(500, 240_000, [0, 1, 2, 4, 5, 6, 7]);
    await net.start([3]);
    const target = net.node(2).height();
    await net.waitForHeight(target, 60_000, [3]);
    expect(net.node(3).parts?.host.counters.syncedBlocks ?? 0).toBeGreaterThanOrEqual(450);
    const problems = await net.disagreements();
    expect(problems, problems.join('; ')).toEqual([]);
  }, 400_000);
});
