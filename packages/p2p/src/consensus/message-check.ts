import {
  blockId,
  type ChainState,
  type Commit,
  type ConsensusMessage,
  equalBytes,
  type Proposal,
  type ValidatorSet,
  type Vote,
} from '@joule/consensus';
import { blockIdEquals, commitSigToVote } from '@joule/consensus/core';
import { proposerForRound } from '@joule/consensus/internal';
import {
  heightWindowAbove,
  heightWindowBelow,
  maxBatchVotesPerValidator,
  maxRelayRoundsAhead,
} from '../constants.js';
import type { SignatureVerdicts } from './signature-verdicts.js';

/** What the transport can see of the consensus driver (the driver satisfies it as it is). */
export interface ConsensusView {
  /** The state the driver builds on; `undefined` before the driver started. */
  readonly chainState: ChainState | undefined;
  /** The height the driver is in (it lags `chainState` by one while it waits after a commit). */
  readonly height: number;
  readonly round: number;
}

/**
 * What the transport does with a decoded message:
 * - `relay`: deliver to the driver and forward to the other peers (signatures checked here);
 * - `deliver`: deliver only (direct answers, and what cannot be checked cheaply);
 * - `ignore`: outside the height window, or not verifiable here: drop without blame;
 * - `invalid`: provably bad (a bad signature or signer at a height whose set is known): drop and penalize;
 * - `malformed`: a frame no honest driver sends (a vote batch over its cap or spanning heights).
 * `aheadHeight` is set when the message shows a peer heights ahead (a block-sync hint).
 */
export interface Verdict {
  readonly action: 'relay' | 'deliver' | 'ignore' | 'invalid' | 'malformed';
  readonly reason?: string;
  readonly aheadHeight?: number;
}

const ignore: Verdict = { action: 'ignore' };

/**
 * The checks a node makes before it relays a consensus message, so that garbage does not
 * propagate: the height must be within [next − 1, next + 1] of the chain state (`next` = the
 * height after the last block), a vote must come from the validator at its index with a valid
 * signature, a proposal must be signed by the round's proposer and match its block. The sets of
 * heights next − 1, next and next + 1 are all known, so a bad signature at any of them is
 * `invalid` (the peer pays), and a vote batch stops at its first bad vote. A batch is capped by
 * its height's set size × `maxBatchVotesPerValidator` before any check. Signatures go through
 * `signatures`: each distinct one is checked once, and the driver's own check of a valid one
 * costs a lookup.
 */
export function checkConsensusMessage(
  view: ConsensusView,
  message: ConsensusMessage,
  signatures: SignatureVerdicts,
): Verdict {
  const state = view.chainState;
  if (state === undefined) return ignore;
  const next = state.lastBlockHeight + 1;
  const setFor = (h: number): ValidatorSet | null =>
    h === next
      ? state.validators
      : h === next + 1
        ? state.nextValidators
        : h === next - 1
          ? state.lastValidators
          : null;
  const window = (h: number): Verdict | null => {
    if (h > next + heightWindowAbove) return { action: 'ignore', aheadHeight: h };
    if (h < next - heightWindowBelow) return ignore;
    return null;
  };
  switch (message.kind) {
    case 'status':
      return message.height > next + heightWindowAbove
        ? { action: 'deliver', aheadHeight: message.height }
        : { action: 'deliver' };
    case 'decision': {
      const h = message.block.header.height;
      if (h > next + heightWindowAbove) return { action: 'ignore', aheadHeight: h };
      return h === next
        ? checkCommitSignatures(signatures, state.chainId, state.validators, message.commit)
        : ignore;
    }
    case 'vote': {
      const outside = window(message.vote.height);
      if (outside !== null) return outside;
      return checkVote(signatures, state.chainId, setFor(message.vote.height), message.vote);
    }
    case 'votes': {
      const first = message.votes[0];
      if (first === undefined) return { action: 'malformed', reason: 'empty vote batch' };
      const height = first.height;
      const outside = window(height);
      if (outside !== null) return outside;
      const set = setFor(height);
      if (set === null) return { action: 'deliver' };
      if (message.votes.length > set.validators.length * maxBatchVotesPerValidator) {
        return { action: 'malformed', reason: 'vote batch over its cap' };
      }
      for (const vote of message.votes) {
        if (vote.height !== height) return { action: 'malformed', reason: 'vote batch spans heights' };
      }
      for (const vote of message.votes) {
        const v = checkVote(signatures, state.chainId, set, vote);
        if (v.action !== 'relay') return v;
      }
      return { action: 'relay' };
    }
    case 'proposal': {
      const p = message.proposal;
      const outside = window(p.height);
      if (outside !== null) return outside;
      const maxRound = (view.height === p.height ? view.round : 0) + maxRelayRoundsAhead;
      if (p.round > maxRound) return ignore;
      if (p.polRound >= p.round) return { action: 'malformed', reason: 'polRound not below round' };
      const set = setFor(p.height);
      if (set === null) return { action: 'deliver' };
      // The signature first: a block that does not match a well-signed proposal's id is the
      // sender's doing, and one that does not verify costs one (cached) check either way.
      const v = checkProposal(signatures, state.chainId, set, p);
      if (v.action !== 'relay') return v;
      if (!blockIdEquals(blockId(message.block), p.blockId)) {
        return { action: 'invalid', reason: 'proposal block does not match its id' };
      }
      return v;
    }
  }
}

function checkVote(
  signatures: SignatureVerdicts,
  chainId: string,
  set: ValidatorSet | null,
  vote: Vote,
): Verdict {
  if (set === null) return { action: 'deliver' };
  const validator = set.validators[vote.validatorIndex];
  const ok =
    validator !== undefined &&
    equalBytes(validator.address, vote.validatorAddress) &&
    signatures.vote(chainId, vote, validator.pubKey);
  return ok ? { action: 'relay' } : { action: 'invalid', reason: 'vote signature or signer' };
}

function checkProposal(
  signatures: SignatureVerdicts,
  chainId: string,
  set: ValidatorSet,
  p: Proposal,
): Verdict {
  const proposer = proposerForRound(set, p.round);
  if (signatures.proposal(chainId, p, proposer.pubKey)) return { action: 'relay' };
  return { action: 'invalid', reason: 'proposal not signed by the proposer' };
}

/**
 * The signatures of a decision's commit, in slot order, stopping at the first bad one (the driver
 * checks the rest: the height, the block and the power). Valid ones are then lookups for the driver.
 */
function checkCommitSignatures(
  signatures: SignatureVerdicts,
  chainId: string,
  set: ValidatorSet,
  commit: Commit,
): Verdict {
  if (commit.signatures.length !== set.validators.length) {
    return { action: 'malformed', reason: 'commit slots are not the set size' };
  }
  for (let i = 0; i < commit.signatures.length; i++) {
    const vote = commitSigToVote(commit, i);
    if (vote === null) continue;
    const v = checkVote(signatures, chainId, set, vote);
    if (v.action !== 'relay') return { action: 'invalid', reason: 'commit signature or signer' };
  }
  return { action: 'deliver' };
}
