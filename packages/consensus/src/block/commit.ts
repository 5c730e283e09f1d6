import { encode, equalBytes } from '../codec/canonical.js';
import { height, round, timeMs } from '../codec/fields.js';
import { bytes, type Codec, list, oneOf, refine, struct } from '../codec/schema.js';
import { maxValidators } from '../constants.js';
import { JouleError } from '../errors.js';
import { merkleRoot } from '../merkle/rfc6962.js';
import { totalVotingPower, type ValidatorSet } from '../validators/validator-set.js';
import { type Vote, VoteType, verifyVoteSignature } from '../vote/vote.js';
import { type BlockId, blockIdCodec, blockIdEquals } from './block-id.js';

/** What a validator's slot in a commit holds, numbered as CometBFT's BlockIDFlag. */
export const CommitFlag = { Absent: 1, Commit: 2, Nil: 3 } as const;
export type CommitFlag = (typeof CommitFlag)[keyof typeof CommitFlag];

/**
 * One validator's precommit, compressed into a commit. An absent validator's slot has an empty
 * address and signature and time 0; the others carry the precommit's timestamp and signature.
 */
export interface CommitSig {
  readonly flag: CommitFlag;
  readonly validatorAddress: Uint8Array;
  readonly timestamp: number;
  readonly signature: Uint8Array;
}

/** +2/3 of the voting power precommitted `blockId` at (height, round); one slot per validator, in set order. */
export interface Commit {
  readonly height: number;
  readonly round: number;
  readonly blockId: BlockId;
  readonly signatures: readonly CommitSig[];
}

export const commitSigCodec: Codec<CommitSig> = refine(
  struct<CommitSig>('CommitSig', {
    flag: oneOf([CommitFlag.Absent, CommitFlag.Commit, CommitFlag.Nil]),
    validatorAddress: bytes({ max: 20 }),
    timestamp: timeMs,
    signature: bytes({ max: 64 }),
  }),
  (s) => {
    if (s.flag === CommitFlag.Absent) {
      return s.validatorAddress.length === 0 && s.signature.length === 0 && s.timestamp === 0
        ? undefined
        : 'an absent slot carries no address, signature or time';
    }
    return s.validatorAddress.length === 20 && s.signature.length === 64
      ? undefined
      : 'a present slot needs a 20-byte address and a 64-byte signature';
  },
);

export const commitCodec: Codec<Commit> = struct<Commit>('Commit', {
  height,
  round,
  blockId: blockIdCodec,
  signatures: list(commitSigCodec, maxValidators) as Codec<readonly CommitSig[]>,
});

/** RFC 6962 root over the encoded signature slots (as CometBFT), so one slot can be proven alone. */
export function commitHash(commit: Commit | null): Uint8Array {
  return merkleRoot(commit === null ? [] : commit.signatures.map((s) => encode(commitSigCodec, s)));
}

/** The precommit that slot `index` of `commit` compresses, or `null` for an absent slot. */
export function commitSigToVote(commit: Commit, index: number): Vote | null {
  const s = commit.signatures[index];
  if (s === undefined || s.flag === CommitFlag.Absent) return null;
  return {
    type: VoteType.Precommit,
    height: commit.height,
    round: commit.round,
    blockId: s.flag === CommitFlag.Commit ? commit.blockId : null,
    timestamp: s.timestamp,
    validatorAddress: s.validatorAddress,
    validatorIndex: index,
    signature: s.signature,
  };
}

/** A commit does not prove what it claims. */
export class InvalidCommitError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('INVALID_COMMIT', message, context);
  }
}

/**
 * Checks that `commit` proves `blockId` at `height` for `set` (the validators of that height):
 * one slot per validator in set order, every present signature valid, and the precommits for the
 * block holding more than 2/3 of the voting power. Throws `InvalidCommitError` naming the problem.
 */
export function verifyCommit(
  chainId: string,
  set: ValidatorSet,
  blockId: BlockId,
  height: number,
  commit: Commit,
): void {
  if (commit.height !== height) {
    throw new InvalidCommitError(`commit is for height ${commit.height}, expected ${height}`);
  }
  if (!blockIdEquals(commit.blockId, blockId)) throw new InvalidCommitError('commit is for another block');
  if (commit.signatures.length !== set.validators.length) {
    throw new InvalidCommitError(
      `commit has ${commit.signatures.length} slots for ${set.validators.length} validators`,
    );
  }
  let power = 0n;
  for (let i = 0; i < commit.signatures.length; i++) {
    const vote = commitSigToVote(commit, i);
    if (vote === null) continue;
    const validator = set.validators[i];
    if (validator === undefined || !equalBytes(vote.validatorAddress, validator.address)) {
      throw new InvalidCommitError(`slot ${i} is signed by a validator not at that position`, { index: i });
    }
    if (!verifyVoteSignature(chainId, vote, validator.pubKey)) {
      throw new InvalidCommitError(`slot ${i} has an invalid signature`, { index: i });
    }
    if (vote.blockId !== null) power += validator.votingPower;
  }
  const total = totalVotingPower(set);
  if (power * 3n <= total * 2n) {
    throw new InvalidCommitError(`commit holds ${power} of ${total} voting power, not more than 2/3`, {
      power,
      total,
    });
  }
}
