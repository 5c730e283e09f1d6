import { type BlockId, blockIdEquals } from '../block/block-id.js';
import { equalBytes } from '../codec/canonical.js';
import { type Codec, refine, struct } from '../codec/schema.js';
import { InvalidValueError } from '../errors.js';
import { compareBytes } from '../validators/validator-set.js';
import { type Vote, voteCodec } from './vote.js';

/**
 * Proof that one validator signed two different votes for the same (height, round, type). The
 * structural rules are checked on decode; the signatures are checked against the validator set of
 * that height by whoever accepts the evidence.
 *
 * The pair is canonical: `voteA`'s block id sorts before `voteB`'s (nil first, then by hash bytes),
 * as CometBFT requires. Without that rule the same misbehaviour would have two encodings, so two
 * hashes, and could be committed twice or disagree between the evidence pools of two nodes. Build
 * evidence with `makeDuplicateVoteEvidence`, which orders the votes.
 */
export interface DuplicateVoteEvidence {
  readonly voteA: Vote;
  readonly voteB: Vote;
}

/**
 * Order of block ids inside evidence: nil (`null`) first, then by hash bytes; 0 only when equal.
 * Mirrors CometBFT, whose nil block id has the empty key and so sorts before every block.
 */
export function compareBlockIds(a: BlockId | null, b: BlockId | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareBytes(a.hash, b.hash);
}

/** Why two votes do not form canonical duplicate-vote evidence, or `undefined` if they do. */
export function duplicateVoteEvidenceProblem(evidence: DuplicateVoteEvidence): string | undefined {
  const { voteA: a, voteB: b } = evidence;
  if (a.height !== b.height || a.round !== b.round || a.type !== b.type) {
    return 'the two votes are not for the same height, round and type';
  }
  if (!equalBytes(a.validatorAddress, b.validatorAddress) || a.validatorIndex !== b.validatorIndex) {
    return 'the two votes are not from the same validator';
  }
  if (blockIdEquals(a.blockId, b.blockId)) return 'the two votes are for the same block';
  if (compareBlockIds(a.blockId, b.blockId) > 0) {
    return "the votes are not in canonical order (voteA's block id must sort first: nil, then by hash)";
  }
  return undefined;
}

export const duplicateVoteEvidenceCodec: Codec<DuplicateVoteEvidence> = refine(
  struct<DuplicateVoteEvidence>('DuplicateVoteEvidence', { voteA: voteCodec, voteB: voteCodec }),
  duplicateVoteEvidenceProblem,
);

/**
 * Canonical evidence from two conflicting votes given in any order. Throws `InvalidValueError` if
 * they are not from one validator for one (height, round, type) and two different block ids.
 * Signatures are not checked here: that needs the validator set (see the evidence pool).
 */
export function makeDuplicateVoteEvidence(vote1: Vote, vote2: Vote): DuplicateVoteEvidence {
  const evidence =
    compareBlockIds(vote1.blockId, vote2.blockId) <= 0
      ? { voteA: vote1, voteB: vote2 }
      : { voteA: vote2, voteB: vote1 };
  const problem = duplicateVoteEvidenceProblem(evidence);
  if (problem !== undefined) throw new InvalidValueError(`not duplicate-vote evidence: ${problem}`);
  return evidence;
}
