import {
  blockId,
  blockIdEquals,
  type ChainState,
  type ConsensusMessage,
  equalBytes,
  type Proposal,
  proposerForRound,
  type ValidatorSet,
  type Vote,
  verifyProposalSignature,
  verifyVoteSignature,
} from '@joule/consensus';
import { heightWindowAbove, heightWindowBelow, maxRelayRoundsAhead } from '../constants.js';

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
 * - `invalid`: provably bad (a bad signature in the current height): drop and penalize.
 * `aheadHeight` is set when the message shows a peer heights ahead (a block-sync hint).
 */
export interface Verdict {
  readonly action: 'relay' | 'deliver' | 'ignore' | 'invalid';
  readonly reason?: string;
  readonly aheadHeight?: number;
}

const ignore: Verdict = { action: 'ignore' };

/**
 * The checks a node makes before it relays a consensus message, so that garbage does not
 * propagate: the height must be within [next − 1, next + 1] of the chain state (`next` = the
 * height after the last block), a vote must come from the validator at its index with a valid
 * signature, a proposal must be signed by the round's proposer and match its block. Signatures go
 * through consensus's verified-signature cache, so the driver's own check of the same message
 * costs a lookup.
 */
export function checkConsensusMessage(view: ConsensusView, message: ConsensusMessage): Verdict {
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
      return h === next ? { action: 'deliver' } : ignore;
    }
    case 'vote': {
      const outside = window(message.vote.height);
      if (outside !== null) return outside;
      return checkVote(
        state.chainId,
        setFor(message.vote.height),
        message.vote,
        message.vote.height === next,
      );
    }
    case 'votes': {
      let verdict: Verdict = { action: 'relay' };
      for (const vote of message.votes) {
        const outside = window(vote.height);
        if (outside !== null) return outside;
        const v = checkVote(state.chainId, setFor(vote.height), vote, vote.height === next);
        if (v.action === 'invalid') return v;
        if (v.action !== 'relay') verdict = { action: 'deliver' };
      }
      return verdict;
    }
    case 'proposal': {
      const p = message.proposal;
      const outside = window(p.height);
      if (outside !== null) return outside;
      const current = p.height === next;
      const maxRound = (view.height === p.height ? view.round : 0) + maxRelayRoundsAhead;
      if (p.round > maxRound) return ignore;
      if (!blockIdEquals(blockId(message.block), p.blockId)) {
        return current ? { action: 'invalid', reason: 'proposal block does not match its id' } : ignore;
      }
      return checkProposal(state.chainId, setFor(p.height), p, current);
    }
  }
}

function checkVote(chainId: string, set: ValidatorSet | null, vote: Vote, current: boolean): Verdict {
  if (set === null) return { action: 'deliver' };
  const validator = set.validators[vote.validatorIndex];
  const ok =
    validator !== undefined &&
    equalBytes(validator.address, vote.validatorAddress) &&
    verifyVoteSignature(chainId, vote, validator.pubKey);
  if (ok) return { action: 'relay' };
  return current ? { action: 'invalid', reason: 'vote signature or signer' } : ignore;
}

function checkProposal(chainId: string, set: ValidatorSet | null, p: Proposal, current: boolean): Verdict {
  if (set === null) return { action: 'deliver' };
  if (p.polRound >= p.round)
    return current ? { action: 'invalid', reason: 'polRound not below round' } : ignore;
  const proposer = proposerForRound(set, p.round);
  if (verifyProposalSignature(chainId, p, proposer.pubKey)) return { action: 'relay' };
  return current ? { action: 'invalid', reason: 'proposal not signed by the proposer' } : ignore;
}
