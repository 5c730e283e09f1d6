import { describe, expect, it, vi } from 'vitest';
import { type Block, blockId, makeBlock } from '../block/block.js';
import { TestCluster } from '../testkit/cluster.js';
import { type Harness, proposalOf, setupDriver, voteOf } from '../testkit/lone-driver.js';
import { proposerForRound } from '../validators/proposer.js';
import { VoteType } from '../vote/vote.js';
import { expectedBlockTime, makeNextBlock } from './block-check.js';
import { catchUpBurstAnswersPerPeer, maxPendingInputs, maxPendingInputsPerPeer } from './limits.js';
import type { ConsensusMessage } from './messages.js';

/**
 * Blame lands on the right peer. The driver reports every refused message with a typed fault; the
 * network penalises only a `reject`, which the driver gives only to the sender of what no honest
 * node sends. Its own overload, and a correctly signed message that turns out invalid or too far
 * ahead (which a relay cannot tell apart), are `ignore`. One peer's flood cannot crowd the others
 * out of the input queue, and a status naming an old height costs a bounded number of reads.
 */

const status = (height: number): ConsensusMessage => ({ kind: 'status', height, round: 0, step: 1 });

const about = (h: Harness, peer: string) => h.transport.reports.filter((r) => r.peer === peer);

/** The proposal of round 0 and the prevotes and precommits of the three other validators for `block`. */
function decidingMessages(h: Harness, block: Block): ConsensusMessage[] {
  const id = blockId(block);
  const votes = [VoteType.Prevote, VoteType.Precommit].flatMap((type) =>
    h.others.map((key) => ({ kind: 'vote', vote: voteOf(h, key, { type, round: 0, blockId: id }) }) as const),
  );
  return [proposalOf(h, block, { round: 0 }), ...votes];
}

describe('typed peer faults', () => {
  it("the node's own overload (input queue full) costs the sender nothing", async () => {
    const h = await setupDriver();
    for (let i = 0; i < maxPendingInputs + 10; i++) h.deliver('busy', status(1));
    const reports = about(h, 'busy');
    expect(reports.length, 'the drops are reported').toBe(maxPendingInputs + 10 - maxPendingInputsPerPeer);
    expect(
      reports.every((r) => r.fault.code === 'INPUT_QUEUE_FULL' && r.fault.action === 'ignore'),
      'every drop is an INPUT_QUEUE_FULL ignore',
    ).toBe(true);
    await h.run(100);
    expect(h.failures(), 'no input failed').toEqual([]);
  });

  it("10 000 status frames from one peer do not crowd out another peer's proposal and votes", async () => {
    const h = await setupDriver();
    for (let i = 0; i < 10_000; i++) h.deliver('flood', status(1));
    const block = h.goodBlock();
    for (const message of decidingMessages(h, block)) h.deliver('honest', message);
    await h.run(2_000);
    expect(about(h, 'honest'), "none of the honest peer's messages was dropped or blamed").toEqual([]);
    expect(h.driver.height, 'the honest messages decided height 1').toBe(2);
    expect(blockId((await h.store.loadBlock(1)) as Block), 'the block committed').toEqual(blockId(block));
    expect(
      about(h, 'flood').every((r) => r.fault.action === 'ignore'),
      'the flood beyond its share is dropped, unblamed',
    ).toBe(true);
  });

  it('a relay forwarding a correctly signed invalid proposal, or votes too far ahead, is not blamed', async () => {
    const h = await setupDriver();
    const good = h.goodBlock();
    const invalid = makeBlock(
      { ...good.header, appHash: new Uint8Array(32).fill(0xee) },
      good.txs,
      good.evidence,
      good.lastCommit,
    );
    h.deliver('relay', proposalOf(h, invalid, { round: 0 }));
    // One validator's prevotes in rounds far ahead: the vote keeper holds only a few such rounds.
    for (let round = 40; round < 50; round++)
      h.deliver('relay', {
        kind: 'vote',
        vote: voteOf(h, h.others[0], { type: VoteType.Prevote, round, blockId: null }),
      });
    // A proposal further ahead than the window, correctly signed by its round's proposer.
    h.deliver('relay', proposalOf(h, good, { round: 30 }));
    await h.run(100);
    const codes = about(h, 'relay').map((r) => `${r.fault.code}/${r.fault.action}`);
    expect(new Set(codes), 'each refusal is typed and blames no relay').toEqual(
      new Set(['BLOCK_INVALID/ignore', 'VOTE_TOO_FAR_AHEAD/ignore', 'PROPOSAL_TOO_FAR_AHEAD/ignore']),
    );
    // Positive control: the same relay forwarding a forged signature is the one to blame.
    const forged = voteOf(h, h.others[1], { type: VoteType.Prevote, round: 0, blockId: null });
    h.deliver('relay', { kind: 'vote', vote: { ...forged, signature: new Uint8Array(64) } });
    await h.run(10);
    expect(about(h, 'relay').at(-1)?.fault, 'a forged signature is rejected').toEqual({
      code: 'VOTE_BAD_SIGNATURE',
      action: 'reject',
    });
  });

  it('10 000 status frames naming an old height cost a bounded number of store reads and sends', async () => {
    const h = await setupDriver();
    await commitHeights(h, 2);
    expect(h.driver.height, 'the node is at height 3').toBe(3);
    const reads = vi.spyOn(h.store, 'loadBlock');
    const sends = h.transport.sends.length;
    for (let i = 0; i < 10_000; i++) h.deliver('old', status(1));
    await h.run(100);
    const decisions = h.transport.sends.slice(sends).filter(([p, m]) => p === 'old' && m.kind === 'decision');
    expect(decisions.length, 'the peer gets its block (catch-up still works)').toBeGreaterThan(0);
    // The burst, and what the rate refills in the 100 ms of virtual time.
    const bound = catchUpBurstAnswersPerPeer + 2;
    expect(decisions.length, `decisions sent (${decisions.length})`).toBeLessThanOrEqual(bound);
    expect(reads.mock.calls.length, `blocks read (${reads.mock.calls.length})`).toBeLessThanOrEqual(bound);
    expect(
      about(h, 'old').every((r) => r.fault.action === 'ignore'),
      'the flood is not blamed',
    ).toBe(true);
  });
});

describe('typed peer faults among honest nodes', () => {
  it('four honest validators, one restarted mid-way, never reject one another', async () => {
    const cluster = new TestCluster({ validators: 4 });
    await cluster.startAll();
    expect(await cluster.runUntil(() => cluster.minHeight() >= 4, 30_000), 'four heights').toBe(true);
    const node = cluster.node('v1');
    await cluster.stop(node);
    await cluster.runFor(3_000);
    await cluster.start(node);
    expect(await cluster.runUntil(() => cluster.minHeight() >= 10, 60_000), 'ten heights, v1 caught up').toBe(
      true,
    );
    const rejects = cluster.net.reports.filter((r) => r.fault.action === 'reject');
    expect(rejects, 'no honest node is blamed').toEqual([]);
  });
});

/** Commits `count` empty blocks by decisions (a commit of three validators) from a peer. */
async function commitHeights(h: Harness, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const state = h.driver.chainState;
    const proposer = proposerForRound(state.validators, 0).address;
    const lastCommit = state.lastBlockHeight >= 1 ? await h.store.loadCommit(state.lastBlockHeight) : null;
    const block = makeNextBlock(
      state,
      proposer,
      [],
      [],
      lastCommit,
      expectedBlockTime(state, { lastCommit }),
    );
    h.deliver('peer', h.decision(block, [0, 1, 2]));
    await h.run(3_000);
  }
}
