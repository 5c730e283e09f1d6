import { blockIdEquals } from '../block/block-id.js';
import { equalBytes } from '../codec/canonical.js';
import { type Codec, refine, struct } from '../codec/schema.js';
import { type Vote, voteCodec } from './vote.js';

/**
 * Proof that one validator signed two different votes for the same (height, round, type). The
 * structural rules are checked on decode; the signatures are checked against the validator set of
 * that height by whoever accepts the evidence.
 */
export interface DuplicateVoteEvidence {
  readonly voteA: Vote;
  readonly voteB: Vote;
}

export const duplicateVoteEvidenceCodec: Codec<DuplicateVoteEvidence> = refine(
  struct<DuplicateVoteEvidence>('DuplicateVoteEvidence', { voteA: voteCodec, voteB: voteCodec }),
  ({ voteA: a, voteB: b }) => {
    if (a.height !== b.height || a.round !== b.round || a.type !== b.type) {
      return 'the two votes are not for the same height, round and type';
    }
    if (!equalBytes(a.validatorAddress, b.validatorAddress) || a.validatorIndex !== b.validatorIndex) {
      return 'the two votes are not from the same validator';
    }
    if (blockIdEquals(a.blockId, b.blockId)) return 'the two votes are for the same block';
    return undefined;
  },
);
