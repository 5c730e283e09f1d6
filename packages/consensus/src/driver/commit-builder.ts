import type { BlockId } from '../block/block-id.js';
import { type Commit, CommitFlag, type CommitSig } from '../block/commit.js';
import { toHex } from '../crypto/hash.js';
import type { ValidatorSet } from '../validators/validator-set.js';
import { VoteType } from '../vote/vote.js';
import { NIL, type VoteKeeper } from '../votes/vote-keeper.js';

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
    const who = toHex(v.address);
    // An equivocator may hold two precommits in the round: take the one for the block if any.
    const forBlock = votes.voteFor(VoteType.Precommit, round, who, want);
    const vote = forBlock ?? votes.voteFor(VoteType.Precommit, round, who, NIL);
    if (vote === undefined) return ABSENT;
    const flag = forBlock !== undefined ? CommitFlag.Commit : CommitFlag.Nil;
    return { flag, validatorAddress: v.address, timestamp: vote.timestamp, signature: vote.signature };
  });
  return { height, round, blockId, signatures };
}
