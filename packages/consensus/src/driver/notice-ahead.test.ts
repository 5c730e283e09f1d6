import { describe, expect, it } from 'vitest';
import { blockId } from '../block/block.js';
import { proposalOf, setupDriver, voteOf } from '../testkit/lone-driver.js';
import { VoteType } from '../vote/vote.js';

/** Status messages the driver broadcast since `from`. */
const statuses = (h: Awaited<ReturnType<typeof setupDriver>>, from: number) =>
  h.transport.broadcasts.slice(from).filter((m) => m.kind === 'status');

describe('driver: a message from the next height', () => {
  it('makes an undecided node say where it is, but not a node that decided and is committing', async () => {
    const h = await setupDriver();
    const nextHeightVote = () =>
      voteOf(h, h.others[0], { type: VoteType.Prevote, round: 0, blockId: null, height: 2 });

    // Undecided at height 1: a height-2 vote means peers moved on; ask them (once per height).
    let from = h.transport.broadcasts.length;
    h.deliver('p1', { kind: 'vote', vote: nextHeightVote() });
    await h.run(10);
    expect(statuses(h, from).length, 'undecided: one status').toBe(1);
    expect(h.driver.height).toBe(1);

    // A fresh node that decided height 1 on the others' precommits and waits out timeout_commit.
    const d = await setupDriver();
    const block = d.goodBlock();
    d.deliver('p1', proposalOf(d, block, { round: 0 }));
    for (const key of d.others)
      for (const type of [VoteType.Prevote, VoteType.Precommit])
        d.deliver('p1', { kind: 'vote', vote: voteOf(d, key, { type, round: 0, blockId: blockId(block) }) });
    await d.run(10);
    expect(d.driver.height, 'still height 1: the commit timeout runs').toBe(1);
    from = d.transport.broadcasts.length;
    d.deliver('p2', {
      kind: 'vote',
      vote: voteOf(d, d.others[0], { type: VoteType.Prevote, round: 0, blockId: null, height: 2 }),
    });
    await d.run(10);
    expect(statuses(d, from), 'decided: no status, so no peer sends the block back').toEqual([]);
    await d.run(2_000);
    expect(d.driver.height, 'height 2 starts after the commit timeout').toBe(2);
    expect(d.failures()).toEqual([]);
  });
});
