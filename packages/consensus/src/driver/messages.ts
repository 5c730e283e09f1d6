import { type Block, blockCodec } from '../block/block.js';
import { type Commit, commitCodec } from '../block/commit.js';
import { decode, encode } from '../codec/canonical.js';
import { height, round } from '../codec/fields.js';
import { type Codec, list, oneOf, struct, tagged, union } from '../codec/schema.js';
import { maxMsgBytes, maxValidators } from '../constants.js';
import { type Proposal, proposalCodec } from '../vote/proposal.js';
import { type Vote, voteCodec } from '../vote/vote.js';

/** A proposal with the block it proposes (blocks are small here, so they travel whole). */
export interface ProposalMessage {
  readonly kind: 'proposal';
  readonly proposal: Proposal;
  readonly block: Block;
}

export interface VoteMessage {
  readonly kind: 'vote';
  readonly vote: Vote;
}

/**
 * Where a node is: sent on the rebroadcast timer so that peers can help it catch up (send the
 * votes of its round, or the decision of its height).
 */
export interface StatusMessage {
  readonly kind: 'status';
  readonly height: number;
  readonly round: number;
  /** 1 propose, 2 prevote, 3 precommit, 4 commit. */
  readonly step: 1 | 2 | 3 | 4;
}

/** A decided block and the commit that proves it, for a peer still in that height. */
export interface DecisionMessage {
  readonly kind: 'decision';
  readonly block: Block;
  readonly commit: Commit;
}

/** A batch of votes (a round certificate), answering a peer that is behind in the same height. */
export interface VotesMessage {
  readonly kind: 'votes';
  readonly votes: readonly Vote[];
}

export type ConsensusMessage = ProposalMessage | VoteMessage | StatusMessage | DecisionMessage | VotesMessage;

export const proposalMessageCodec: Codec<ProposalMessage> = tagged<ProposalMessage>(
  'proposal',
  struct('ProposalMessage', { proposal: proposalCodec, block: blockCodec }),
);

export const consensusMessageCodec: Codec<ConsensusMessage> = union<ConsensusMessage>('ConsensusMessage', {
  proposal: [1, proposalMessageCodec],
  vote: [2, tagged<VoteMessage>('vote', struct('VoteMessage', { vote: voteCodec }))],
  status: [
    3,
    tagged<StatusMessage>(
      'status',
      struct('StatusMessage', { height, round, step: oneOf([1, 2, 3, 4] as const) }),
    ),
  ],
  decision: [
    4,
    tagged<DecisionMessage>(
      'decision',
      struct('DecisionMessage', { block: blockCodec, commit: commitCodec }),
    ),
  ],
  votes: [
    5,
    tagged<VotesMessage>(
      'votes',
      struct('VotesMessage', { votes: list(voteCodec, 2 * maxValidators) as Codec<readonly Vote[]> }),
    ),
  ],
});

export function encodeConsensusMessage(message: ConsensusMessage): Uint8Array {
  return encode(consensusMessageCodec, message);
}

/** Strictly decodes a message from a peer (at most `maxMsgBytes`); throws only `DecodeError`. */
export function decodeConsensusMessage(bytes: Uint8Array): ConsensusMessage {
  return decode(consensusMessageCodec, bytes, { maxBytes: maxMsgBytes });
}
