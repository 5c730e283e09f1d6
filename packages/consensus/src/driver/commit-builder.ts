import type { BlockId } from '../block/block-id.js';
import { type Commit, CommitFlag, type CommitSig } from '../block/commit.js';
import { toHex } from '../crypto/hash.js';
import type { ValidatorSet } from '../validators/validator-set.js';
import { VoteType } from '../vote/vote.js';
import type { VoteKeeper } from '../votes/vote-keeper.js';

const ABSENT: CommitSig = {
  flag: CommitFlag.Absent,
  validatorAddress: new Uint8Array(0),
  timestamp: 0,
  signature: new Uint8Array(0),
};

/**
 * The commit of a decision: one slot per validator in set order, holding its precommit of the
 * decision round if it was for the block (`Commit`) or nil (`Nil`); precommits for another block
 * cannot be verified against this block id and are left out (`Absent`), as in CometBFT.
 */
export function buildCommit(
  height: number,
  round: number,
  blockId: BlockId,
  validators: ValidatorSet,
  votes: VoteKeeper,
): Commit {
  const want = toHex(blockId.hash);
  const signatures = validators.validators.map((v): CommitSig => {
    const vote = votes.voteOf(VoteType.Precommit, round, toHex(v.address));
    if (vote === undefined) return ABSENT;
    if (vote.blockId === null) {
      return {
        flag: CommitFlag.Nil,
        validatorAddress: v.address,
        timestamp: vote.timestamp,
        signature: vote.signature,
      };
    }
    if (toHex(vote.blockId.hash) !== want) return ABSENT;
    return {
      flag: CommitFlag.Commit,
      validatorAddress: v.address,
      timestamp: vote.timestamp,
      signature: vote.signature,
    };
  });
  return { height, round, blockId, signatures };
}
