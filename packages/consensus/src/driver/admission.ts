import { type Block, blockId as blockIdOf, bodyProblem } from '../block/block.js';
import { type BlockId, blockIdEquals } from '../block/block-id.js';
import { type Commit, verifyCommit } from '../block/commit.js';
import { equalBytes } from '../codec/canonical.js';
import { toHex } from '../crypto/hash.js';
import type { Validator } from '../validators/validator-set.js';
import { type Proposal, verifyProposalSignature } from '../vote/proposal.js';
import { type Vote, verifyVoteSignature } from '../vote/vote.js';
import { valueIdOf } from '../votes/vote-keeper.js';
import type { HeightContext } from './height-context.js';
import type { PeerFaultCode } from './peer-fault.js';

/**
 * Whether a message may reach the engine, decided from the current height alone (no I/O, no
 * state change): `admit` it; it is from a later height (`ahead`: the driver tells the peers where
 * it is, and keeps it when it is for the next height); `ignore` it silently (stale or already
 * known, normal in gossip); or `refuse` it with a typed fault the network layer is told (whose
 * action says whether the peer is to blame: see `peer-fault.ts`).
 */
export type Verdict<T = unknown> =
  | ({ readonly kind: 'admit' } & T)
  | { readonly kind: 'ahead'; readonly nextHeight: boolean }
  | { readonly kind: 'ignore' }
  | { readonly kind: 'refuse'; readonly code: PeerFaultCode };

const ignore = { kind: 'ignore' } as const;
const refuse = (code: PeerFaultCode) => ({ kind: 'refuse', code }) as const;

function otherHeight(ctx: HeightContext, height: number): Verdict<never> {
  if (height > ctx.height) return { kind: 'ahead', nextHeight: height === ctx.height + 1 };
  return ignore;
}

/**
 * A vote: of this height, not a copy of one held, from the validator at its index, correctly
 * signed, and one the vote keeper would count (a round too far ahead is refused, blaming no relay).
 */
export function admitVote(ctx: HeightContext, vote: Vote): Verdict {
  const hs = ctx.hs;
  if (vote.height !== hs.height) return otherHeight(ctx, vote.height);
  const who = toHex(vote.validatorAddress);
  const known = hs.votes.voteFor(vote.type, vote.round, who, valueIdOf(vote));
  if (known !== undefined && equalBytes(known.signature, vote.signature)) return ignore;
  const validator = ctx.state.validators.validators[vote.validatorIndex];
  if (validator === undefined || !equalBytes(validator.address, vote.validatorAddress))
    return refuse('VOTE_WRONG_SIGNER');
  if (!verifyVoteSignature(ctx.state.chainId, vote, validator.pubKey)) return refuse('VOTE_BAD_SIGNATURE');
  // Nothing the keeper would not count reaches the WAL: a re-signed copy of a known vote, a
  // third value, or a round too far ahead.
  const admission = hs.votes.admission(vote, hs.round);
  if (admission === 'too-far-ahead') return refuse('VOTE_TOO_FAR_AHEAD');
  if (admission === 'duplicate') return ignore;
  return { kind: 'admit' };
}

/**
 * A proposal: of this height, the first of its round, at most `maxRoundsAhead` rounds ahead
 * (checked first: a round further ahead costs nothing, whoever signed it), with a polRound below
 * its round, signed by the round's proposer, for the block it carries. Whether the block is valid
 * is asked afterwards (it needs the evidence pool and the application).
 */
export function admitProposal(
  ctx: HeightContext,
  proposal: Proposal,
  block: Block,
  maxRoundsAhead: number,
): Verdict<{ readonly proposer: Validator; readonly id: BlockId }> {
  const hs = ctx.hs;
  if (proposal.height !== hs.height) return otherHeight(ctx, proposal.height);
  if (hs.proposals.has(proposal.round)) return ignore;
  if (proposal.round > hs.round + maxRoundsAhead) return refuse('PROPOSAL_TOO_FAR_AHEAD');
  if (proposal.polRound >= proposal.round) return refuse('PROPOSAL_BAD_POL_ROUND');
  const proposer = ctx.proposer(proposal.round);
  if (!verifyProposalSignature(ctx.state.chainId, proposal, proposer.pubKey))
    return refuse('PROPOSAL_BAD_SIGNATURE');
  const id = blockIdOf(block);
  // The signature covers the header; a body its header does not hash was changed by a relay.
  if (!blockIdEquals(id, proposal.blockId) || bodyProblem(block) !== undefined)
    return refuse('PROPOSAL_BLOCK_MISMATCH');
  return { kind: 'admit', proposer, id };
}

/**
 * A decided block with its commit from a peer: for this height, not decided here yet, not the
 * commit already held, and a commit of +2/3 of this height's validators for exactly this block.
 */
export function admitDecision(
  ctx: HeightContext,
  block: Block,
  commit: Commit,
): Verdict<{ readonly id: BlockId }> {
  const hs = ctx.hs;
  const height = block.header.height;
  if (height > hs.height) return { kind: 'ahead', nextHeight: false };
  if (height !== hs.height || hs.decision !== null) return ignore;
  const id = blockIdOf(block);
  if (ctx.certified !== null && blockIdEquals(ctx.certified.blockId, id)) return ignore;
  try {
    verifyCommit(ctx.state.chainId, ctx.state.validators, id, hs.height, commit);
  } catch {
    return refuse('DECISION_BAD_COMMIT');
  }
  // +2/3 signed the header, not this body: one its header does not hash is the sender's doing,
  // never a decided block the chain rules refuse (which halts the node).
  if (bodyProblem(block) !== undefined) return refuse('DECISION_BLOCK_MISMATCH');
  return { kind: 'admit', id };
}
