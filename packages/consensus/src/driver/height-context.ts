import type { Block } from '../block/block.js';
import { type BlockId, blockIdEquals } from '../block/block-id.js';
import { type Commit, CommitFlag } from '../block/commit.js';
import type { ChainState } from '../chain/chain-state.js';
import { equalBytes } from '../codec/canonical.js';
import { maxCachedProposerRounds } from '../constants.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { newHeightState } from '../engine/machine.js';
import type { HeightState, Timeouts } from '../engine/types.js';
import { ProposerSchedule } from '../validators/proposer.js';
import { totalVotingPower, type Validator } from '../validators/validator-set.js';
import { VoteType } from '../vote/vote.js';
import { isQuorum, weightsOf } from '../votes/weights.js';
import { buildCommit } from './commit-builder.js';
import { DriverStateError } from './errors.js';
import { HeightBlocks } from './height-blocks.js';
import type { Signer } from './ports.js';

/**
 * Everything the driver knows about one height, dropped whole when the next height starts: the
 * engine's state, the chain state the height builds on, the blocks, valid proposals and validity
 * verdicts (bounded, see `HeightBlocks`) and a commit learnt from a peer. Its methods only read
 * it, but for `pruneRounds`.
 */
export class HeightContext {
  /** The engine's state of this height. */
  readonly hs: HeightState;
  /** The chain state this height builds on (the last committed one when the height started). */
  readonly state: ChainState;
  /**
   * Valid blocks proposed or decided in this height, by value (block hash, hex); the valid
   * proposal of each round (to re-send to peers that missed it); the final verdict on every block
   * seen (chain rules, evidence, the application).
   */
  readonly blocks = new HeightBlocks();
  /** A verified commit for this height's block, received whole from a peer. */
  certified: Commit | null = null;
  /** Whether this height already told the peers where it is after seeing them ahead. */
  askedAhead = false;
  /** `round/step` of the votes the guard signed again while this height's WAL was replayed. */
  readonly rederived = new Set<string>();
  readonly #proposers: ProposerSchedule;

  constructor(height: number, state: ChainState, signer: Signer | null, timeouts: Timeouts) {
    this.state = state;
    this.#proposers = new ProposerSchedule(state.validators, maxCachedProposerRounds);
    this.hs = newHeightState(
      height,
      weightsOf(state.validators),
      (round) => signer !== null && equalBytes(this.proposer(round).address, signer.address),
      timeouts,
    );
  }

  /** The proposer of `round` in this height (CometBFT's order), computed once per round. */
  proposer(round: number): Validator {
    return this.#proposers.proposer(round);
  }

  get height(): number {
    return this.hs.height;
  }

  /**
   * The commit of this height's decision: built from the precommits this node holds, or — when
   * they are not +2/3 (a decision learnt whole from a peer) — the verified commit it came with.
   */
  decisionCommit(round: number, id: BlockId): Commit {
    const built = buildCommit(this.hs.height, round, id, this.state.validators, this.hs.votes);
    const certified = this.certified;
    if (certified === null || !blockIdEquals(certified.blockId, id)) return built;
    let power = 0n;
    built.signatures.forEach((sig, i) => {
      if (sig.flag === CommitFlag.Commit) power += this.state.validators.validators[i]?.votingPower ?? 0n;
    });
    return isQuorum(power, totalVotingPower(this.state.validators)) ? built : certified;
  }

  /** The block the engine decided (by value); the driver always holds it, or it has a bug. */
  decidedBlock(value: string): Block {
    const block = this.blocks.block(value);
    if (block === undefined)
      throw new DriverStateError('DRIVER_DECIDED_BLOCK_UNKNOWN', 'decided block unknown', { value });
    return block;
  }

  /** The commit of the decided block; only once the height has decided. */
  commitOfDecision(): Commit {
    const decision = this.hs.decision;
    if (decision === null)
      throw new DriverStateError('DRIVER_NO_DECISION', 'no decision', { height: this.hs.height });
    return this.decisionCommit(decision.round, { hash: fromHex(decision.value) });
  }

  /**
   * Whether the decided block is applied (`committedHeight` is this height) and holds precommits
   * (in its decision round) from 100 % of the power, so that waiting out the commit timeout
   * gathers nothing more.
   */
  allPrecommitted(committedHeight: number): boolean {
    const decision = this.hs.decision;
    if (decision === null) return false;
    // Only once the decided block is applied: a failed commit leaves the state a height behind, and
    // a late precommit must not start the next height on it.
    if (committedHeight !== this.hs.height) return false;
    const power = this.hs.votes.power(VoteType.Precommit, decision.round, decision.value);
    return power === this.hs.votes.weights.total;
  }

  /**
   * Whether this height needs a block even with no transactions: the first height, or one after a
   * block whose app hash (`lastBlockAppHash`) is not the state's (a block carries the changed hash), as CometBFT.
   */
  needsProofBlock(lastBlockAppHash: Uint8Array | null): boolean {
    if (this.state.lastBlockHeight < this.state.initialHeight) return true;
    return lastBlockAppHash === null || !equalBytes(lastBlockAppHash, this.state.appHash);
  }

  /**
   * How long a height with nothing to put in a block (createEmptyBlocks false, an empty mempool)
   * waits before its round 0 starts anyway, ms (0: at once; `null`: until a transaction or a
   * peer starts it): the empty-block interval, or for a proof block (never the chain's first)
   * `proofBlockDelayMs`, the time it gives a transaction to come and carry the new app hash.
   */
  idleStartDelay(
    lastBlockAppHash: Uint8Array | null,
    o: { readonly createEmptyBlocksIntervalMs: number; readonly proofBlockDelayMs: number },
  ): { delayMs: number | null; trigger: 'interval' | 'proof' } {
    if (!this.needsProofBlock(lastBlockAppHash)) {
      const ms = o.createEmptyBlocksIntervalMs;
      return { delayMs: ms > 0 ? ms : null, trigger: 'interval' };
    }
    const first = this.state.lastBlockHeight < this.state.initialHeight;
    return { delayMs: first ? 0 : o.proofBlockDelayMs, trigger: 'proof' };
  }

  /**
   * A vote's timestamp (CometBFT's voteTime): `now`, but never earlier than 1 ms after the block
   * voted for (or, for nil, the locked block or the round's proposal). The next block's time is
   * the median of these, so it always exceeds this block's time — even when a clock is wrong.
   */
  voteTime(round: number, value: string | null, now: number): number {
    const basis = value ?? this.hs.lockedValue ?? this.blocks.proposal(round)?.proposal.blockId;
    const key =
      typeof basis === 'string' || basis === undefined || basis === null ? basis : toHex(basis.hash);
    const block = key == null ? undefined : this.blocks.block(key);
    const floor = Math.max(this.state.lastBlockTime, block?.header.time ?? 0) + 1;
    return Math.max(now, floor);
  }

  /**
   * Bounds the height's memory (`maxProposalRoundsPerHeight`, `maxProposalBlockBytesPerHeight`):
   * drops the proposals of the oldest earlier rounds that hold none of the values that can still
   * matter — the lock, the valid value, the decision, this round's and later proposals — with
   * their blocks. The engine keeps their records (so such a round admits no second proposal) but
   * marked not valid, so that it never decides a block this node no longer holds: the one change
   * the driver makes to the engine's state outside `apply`, and one that can only keep a rule from
   * firing (L49; the other rules read the current round's proposal, never pruned). Such a block,
   * if the chain decides it, reaches this node whole from a peer, with its commit.
   */
  pruneRounds(): void {
    const hs = this.hs;
    const protect = new Set<string>();
    for (const value of [hs.lockedValue, hs.validValue, hs.decision?.value]) if (value) protect.add(value);
    for (const [round, record] of hs.proposals) if (round >= hs.round) protect.add(record.value);
    for (const round of this.blocks.prune(hs.round, protect)) {
      const record = hs.proposals.get(round);
      if (record !== undefined) hs.proposals.set(round, { ...record, valid: false });
    }
  }
}
