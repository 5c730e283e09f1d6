/**
 * fast-check arbitraries for the consensus structures, for property tests here and in the packages
 * above. Values are valid by construction; signatures are random bytes (the codec does not verify).
 */
import fc from 'fast-check';
import { type Block, makeBlock } from '../block/block.js';
import type { BlockId } from '../block/block-id.js';
import { type Commit, CommitFlag, type CommitSig } from '../block/commit.js';
import type { Header } from '../block/header.js';
import { maxRound } from '../codec/fields.js';
import { type DuplicateVoteEvidence, makeDuplicateVoteEvidence } from '../vote/evidence.js';
import type { Proposal } from '../vote/proposal.js';
import { type Vote, VoteType } from '../vote/vote.js';

export const arbBytes = (n: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: n, maxLength: n });
export const arbHash = arbBytes(32);
export const arbAddress = arbBytes(20);
export const arbHeight = fc.oneof(
  fc.integer({ min: 1, max: 1000 }),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);
export const arbRound = fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: maxRound }));
export const arbTime = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 32 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);
export const arbChainId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/);
export const arbBlockId: fc.Arbitrary<BlockId> = arbHash.map((hash) => ({ hash }));

export const arbVote: fc.Arbitrary<Vote> = fc.record({
  type: fc.constantFrom(VoteType.Prevote, VoteType.Precommit),
  height: arbHeight,
  round: arbRound,
  blockId: fc.option(arbBlockId, { nil: null }),
  timestamp: arbTime,
  validatorAddress: arbAddress,
  validatorIndex: fc.integer({ min: 0, max: 999 }),
  signature: arbBytes(64),
});

export const arbProposal: fc.Arbitrary<Proposal> = fc.record({
  height: arbHeight,
  round: arbRound,
  polRound: fc.integer({ min: -1, max: maxRound }),
  blockId: arbBlockId,
  timestamp: arbTime,
  signature: arbBytes(64),
});

export const arbCommitSig: fc.Arbitrary<CommitSig> = fc.oneof(
  fc.constant<CommitSig>({
    flag: CommitFlag.Absent,
    validatorAddress: new Uint8Array(0),
    timestamp: 0,
    signature: new Uint8Array(0),
  }),
  fc.record({
    flag: fc.constantFrom(CommitFlag.Commit, CommitFlag.Nil),
    validatorAddress: arbAddress,
    timestamp: arbTime,
    signature: arbBytes(64),
  }),
);

export const arbCommit: fc.Arbitrary<Commit> = fc.record({
  height: arbHeight,
  round: arbRound,
  blockId: arbBlockId,
  signatures: fc.array(arbCommitSig, { maxLength: 8 }),
});

export const arbHeader: fc.Arbitrary<Header> = fc.record({
  chainId: arbChainId,
  height: arbHeight,
  time: arbTime,
  lastBlockId: fc.option(arbBlockId, { nil: null }),
  lastCommitHash: arbHash,
  dataHash: arbHash,
  validatorsHash: arbHash,
  nextValidatorsHash: arbHash,
  appHash: arbHash,
  lastResultsHash: arbHash,
  evidenceHash: arbHash,
  proposerAddress: arbAddress,
});

/** Canonical evidence (votes ordered by block id), one vote sometimes nil as real equivocation can be. */
export const arbEvidence: fc.Arbitrary<DuplicateVoteEvidence> = fc
  .tuple(arbVote, fc.option(arbBlockId, { nil: null, freq: 4 }), arbBlockId)
  .filter(([, a, b]) => a === null || Buffer.compare(a.hash, b.hash) !== 0)
  .map(([vote, a, b]) =>
    makeDuplicateVoteEvidence(
      { ...vote, blockId: a },
      { ...vote, blockId: b, signature: vote.signature.slice().reverse() },
    ),
  );

/** A block whose header commits to its contents (the block codec checks that). */
export const arbBlock: fc.Arbitrary<Block> = fc
  .record({
    header: arbHeader,
    txs: fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }),
    evidence: fc.array(arbEvidence, { maxLength: 2 }),
    lastCommit: arbCommit,
    first: fc.boolean(),
  })
  .map(({ header, txs, evidence, lastCommit, first }) => {
    const height = first ? 1 : Math.max(2, header.height);
    const fields = {
      ...header,
      height,
      lastBlockId: first ? null : (header.lastBlockId ?? { hash: header.appHash }),
    };
    return makeBlock(fields, txs, evidence, first ? null : { ...lastCommit, height: height - 1 });
  });
