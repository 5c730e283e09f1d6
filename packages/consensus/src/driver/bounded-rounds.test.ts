import { describe, expect, it } from 'vitest';
import { type Block, blockId, makeBlock } from '../block/block.js';
import { addressOf } from '../crypto/address.js';
import { toHex } from '../crypto/hash.js';
import { kvTx } from '../sim/kv-app.js';
import { type Harness, proposalOf, setupDriver, voteOf } from '../testkit/lone-driver.js';
import { proposerForRound } from '../validators/proposer.js';
import { VoteType } from '../vote/vote.js';
import { makeNextBlock } from './block-check.js';
import {
  maxProposalBlockBytesPerHeight,
  maxProposalRoundsAhead,
  maxProposalRoundsPerHeight,
} from './limits.js';

/**
 * Memory by rounds: a Byzantine proposer must not make a node keep (or log) a block per round.
 * Proposals are admitted for the current round and `maxProposalRoundsAhead` above it; invalid
 * blocks are neither kept nor written to the WAL (only their signed proposal is); and the valid
 * blocks of earlier rounds are pruned to `maxProposalRoundsPerHeight` rounds and
 * `maxProposalBlockBytesPerHeight` bytes, except those that can still matter (the lock).
 */

/** Transactions of about 960 KiB in all, distinct per `tag` (so each block has its own id). */
function bigTxs(tag: string): Uint8Array[] {
  return Array.from({ length: 16 }, (_, i) => kvTx(`${tag}-${i}`, 'x'.repeat(60_000)));
}

/** A valid ~1 MiB block of height 1 proposed by the proposer of `round`. */
function bigBlock(h: Harness, round: number): Block {
  const proposer = proposerForRound(h.state.validators, round).address;
  return makeNextBlock(h.state, proposer, bigTxs(`r${round}`), [], null, h.goodBlock().header.time);
}

/** Bytes the WAL holds for `height`. */
async function walBytes(h: Harness, height: number): Promise<number> {
  return (await h.wal.replay(height)).reduce((sum, record) => sum + record.length, 0);
}

const selfProposes = (h: Harness, round: number): boolean =>
  toHex(proposerForRound(h.state.validators, round).address) === toHex(addressOf(h.self.publicKey));

/** Moves the node to `round` with nil prevotes of two other validators there (L55: f+1 is ahead). */
async function skipTo(h: Harness, round: number): Promise<void> {
  for (const key of h.others.slice(0, 2))
    h.deliver('p2', { kind: 'vote', vote: voteOf(h, key, { type: VoteType.Prevote, round, blockId: null }) });
  await h.run(10);
}

describe('bounded rounds (a Byzantine proposer floods proposals)', () => {
  it('proposals of ~1 MiB invalid blocks for 40 rounds: none kept, the WAL holds no block, no relay blamed', async () => {
    const h = await setupDriver();
    const before = await walBytes(h, 1);
    for (let round = 1; round <= 40; round++) {
      const block = bigBlock(h, round);
      // Breaks a chain rule: the signed proposal is its proposer's doing, not the relaying peer's.
      const invalid = makeBlock(
        { ...block.header, appHash: new Uint8Array(32).fill(0xee) },
        block.txs,
        block.evidence,
        block.lastCommit,
      );
      h.deliver('relay', proposalOf(h, invalid, { round }));
    }
    await h.run(100);
    expect(h.failures(), 'no input failed').toEqual([]);
    expect(h.driver.round, 'still in round 0').toBe(0);
    const logged = (await walBytes(h, 1)) - before;
    expect(logged, `WAL bytes for 40 invalid ~1 MiB proposals (${logged})`).toBeLessThan(64 * 1024);
    expect(h.driver.heightFootprint, 'no invalid block kept in memory').toEqual({
      blocks: 0,
      bytes: 0,
      rounds: 0,
    });
    const codes = new Set(h.transport.reports.map((r) => `${r.fault.code}/${r.fault.action}`));
    expect([...codes].sort(), 'what was reported about the relay').toEqual([
      'BLOCK_INVALID/ignore',
      'PROPOSAL_TOO_FAR_AHEAD/ignore',
    ]);
    const invalid = h.transport.reports.filter((r) => r.fault.code === 'BLOCK_INVALID').length;
    expect(invalid, 'only the rounds of the window were checked at all').toBe(maxProposalRoundsAhead);
  });

  it('valid ~1 MiB proposals in 20 successive rounds: at most the named rounds and bytes stay in memory', async () => {
    const h = await setupDriver();
    let kept = 0;
    for (let round = 1; round <= 20; round++) {
      await skipTo(h, round);
      expect(h.driver.round, `skipped to round ${round}`).toBe(round);
      if (selfProposes(h, round)) continue;
      const block = bigBlock(h, round);
      h.deliver('p1', proposalOf(h, block, { round }));
      await h.run(10);
      const prevoted = h.transport.broadcasts.some(
        (m) =>
          m.kind === 'vote' &&
          m.vote.round === round &&
          m.vote.type === VoteType.Prevote &&
          m.vote.blockId !== null &&
          toHex(m.vote.blockId.hash) === toHex(blockId(block).hash),
      );
      expect(prevoted, `round ${round}: the current proposal is kept and prevoted`).toBe(true);
      kept++;
      const footprint = h.driver.heightFootprint;
      expect(footprint.rounds, `round ${round}: rounds kept`).toBeLessThanOrEqual(maxProposalRoundsPerHeight);
      expect(footprint.bytes, `round ${round}: bytes kept`).toBeLessThanOrEqual(
        maxProposalBlockBytesPerHeight,
      );
    }
    expect(kept, 'most rounds had a proposal from a peer').toBeGreaterThan(10);
    expect(h.driver.heightFootprint.rounds, 'the limit is reached, not undershot').toBe(
      maxProposalRoundsPerHeight,
    );
    // A pruned round admits no second proposal: its proposer cannot fill it again.
    let pruned = 1;
    while (selfProposes(h, pruned)) pruned++;
    const before = { footprint: h.driver.heightFootprint, wal: await walBytes(h, 1) };
    const proposer = proposerForRound(h.state.validators, pruned).address;
    const again = makeNextBlock(h.state, proposer, bigTxs('again'), [], null, h.goodBlock().header.time);
    h.deliver('p1', proposalOf(h, again, { round: pruned }));
    await h.run(10);
    expect(h.driver.heightFootprint, `pruned round ${pruned}: nothing kept`).toEqual(before.footprint);
    expect(await walBytes(h, 1), `pruned round ${pruned}: nothing logged`).toBe(before.wal);
    expect(h.failures(), 'no input failed').toEqual([]);
  });

  it('the locked block survives the pruning: the node re-proposes it rounds later', async () => {
    const h = await setupDriver();
    let round = 1;
    while (selfProposes(h, round)) round++;
    // Round R: a valid block B and prevotes for it from two others: with its own, a polka; it locks B.
    const locked = bigBlock(h, round);
    const id = blockId(locked);
    h.deliver('p1', proposalOf(h, locked, { round }));
    for (const key of h.others.slice(0, 2))
      h.deliver('p2', { kind: 'vote', vote: voteOf(h, key, { type: VoteType.Prevote, round, blockId: id }) });
    await h.run(10);
    const precommitted = h.transport.broadcasts.some(
      (m) => m.kind === 'vote' && m.vote.type === VoteType.Precommit && m.vote.blockId !== null,
    );
    expect(precommitted, `round ${round}: the node locked B and precommitted it`).toBe(true);
    // Many later rounds with other valid ~1 MiB proposals, until the node is the proposer again
    // after the pruning had to drop rounds.
    let reproposed = false;
    for (let r = round + 1; r <= round + 20 && !reproposed; r++) {
      await skipTo(h, r);
      if (!selfProposes(h, r)) {
        h.deliver('p1', proposalOf(h, bigBlock(h, r), { round: r }));
        await h.run(10);
        continue;
      }
      await h.run(10);
      if (r < round + maxProposalRoundsPerHeight + 1) continue;
      const own = h.transport.broadcasts.find((m) => m.kind === 'proposal' && m.proposal.round === r);
      expect(
        own?.kind === 'proposal' && toHex(own.proposal.blockId.hash),
        `round ${r}: the node proposes`,
      ).toBe(toHex(id.hash));
      expect(
        own?.kind === 'proposal' && own.proposal.polRound,
        `round ${r}: with its proof-of-lock round`,
      ).toBe(round);
      reproposed = true;
    }
    expect(reproposed, 'the node became the proposer after the pruning').toBe(true);
    expect(h.driver.heightFootprint.rounds, 'rounds kept').toBeLessThanOrEqual(maxProposalRoundsPerHeight);
    expect(h.failures(), 'no input failed').toEqual([]);
  });
});
