import { describe, expect, it } from 'vitest';
import { decode, encode } from '../codec/canonical.js';
import { generateKeyPair } from '../crypto/ed25519.js';
import { DecodeError } from '../errors.js';
import { makeValidator, makeValidatorSet } from '../validators/validator-set.js';
import { signVote, VoteType, verifyVoteSignature, voteSignBytes } from '../vote/vote.js';
import {
  type Commit,
  CommitFlag,
  type CommitSig,
  commitCodec,
  commitSigToVote,
  InvalidCommitError,
  verifyCommit,
} from './commit.js';

const CHAIN = 'lic-1';
const pairs = Array.from({ length: 4 }, (_, i) => generateKeyPair(new Uint8Array(32).fill(10 + i)));
const set = makeValidatorSet(pairs.map((p, i) => makeValidator(p.publicKey, BigInt(i + 1))));
const secretOf = (address: Uint8Array) =>
  pairs.find((p) => Buffer.compare(makeValidator(p.publicKey, 1n).address, address) === 0)
    ?.secretKey as Uint8Array;
const blockId = { hash: new Uint8Array(32).fill(0xab) };

function commitFrom(flags: CommitFlag[]): Commit {
  const signatures: CommitSig[] = set.validators.map((v, i) => {
    const flag = flags[i] ?? CommitFlag.Absent;
    if (flag === CommitFlag.Absent) {
      return { flag, validatorAddress: new Uint8Array(0), timestamp: 0, signature: new Uint8Array(0) };
    }
    const vote = signVote(
      CHAIN,
      {
        type: VoteType.Precommit,
        height: 5,
        round: 1,
        blockId: flag === CommitFlag.Commit ? blockId : null,
        timestamp: 1_700_000_000_000 + i,
        validatorAddress: v.address,
        validatorIndex: i,
      },
      secretOf(v.address),
    );
    return { flag, validatorAddress: v.address, timestamp: vote.timestamp, signature: vote.signature };
  });
  return { height: 5, round: 1, blockId, signatures };
}

describe('commits', () => {
  // Powers in set order are 4, 3, 2, 1 (total 10): more than 2/3 needs at least 7.
  it('verify when the precommits for the block hold more than 2/3 of the power', () => {
    const commit = commitFrom([CommitFlag.Commit, CommitFlag.Commit, CommitFlag.Nil, CommitFlag.Absent]);
    expect(() => verifyCommit(CHAIN, set, blockId, 5, commit)).not.toThrow();
    expect(decode(commitCodec, encode(commitCodec, commit))).toEqual(commit);
  });

  it('fail at exactly 2/3 and below, counting nil precommits as not for the block', () => {
    const commit = commitFrom([CommitFlag.Commit, CommitFlag.Nil, CommitFlag.Commit, CommitFlag.Absent]);
    expect(() => verifyCommit(CHAIN, set, blockId, 5, commit)).toThrow(/not more than 2\/3/);
  });

  it('fail on a bad signature, the wrong chain, height or block, or a wrong slot count', () => {
    const good = commitFrom([CommitFlag.Commit, CommitFlag.Commit, CommitFlag.Commit, CommitFlag.Commit]);
    const bad = {
      ...good,
      signatures: good.signatures.map((s, i) => (i === 2 ? { ...s, timestamp: s.timestamp + 1 } : s)),
    };
    expect(() => verifyCommit(CHAIN, set, blockId, 5, bad)).toThrow(InvalidCommitError);
    expect(() => verifyCommit('other-chain', set, blockId, 5, good)).toThrow(/invalid signature/);
    expect(() => verifyCommit(CHAIN, set, blockId, 6, good)).toThrow(/height 5/);
    expect(() => verifyCommit(CHAIN, set, { hash: new Uint8Array(32) }, 5, good)).toThrow(/another block/);
    expect(() =>
      verifyCommit(CHAIN, set, blockId, 5, { ...good, signatures: good.signatures.slice(1) }),
    ).toThrow(/slots/);
    const swapped = {
      ...good,
      signatures: [good.signatures[1], good.signatures[0], ...good.signatures.slice(2)] as CommitSig[],
    };
    expect(() => verifyCommit(CHAIN, set, blockId, 5, swapped)).toThrow(/not at that position/);
  });

  it('rebuild the signed precommit from a slot', () => {
    const commit = commitFrom([CommitFlag.Commit, CommitFlag.Nil, CommitFlag.Absent, CommitFlag.Commit]);
    expect(commitSigToVote(commit, 2)).toBeNull();
    const nil = commitSigToVote(commit, 1);
    expect(nil?.blockId).toBeNull();
    expect(verifyVoteSignature(CHAIN, nil!, set.validators[1]!.pubKey)).toBe(true);
  });

  it('refuse slots whose flag and contents disagree', () => {
    const commit = commitFrom([CommitFlag.Commit, CommitFlag.Commit, CommitFlag.Commit, CommitFlag.Commit]);
    const wire = encode(commitCodec, commit);
    const absentWithSig: CommitSig = { ...(commit.signatures[0] as CommitSig), flag: CommitFlag.Absent };
    expect(() => encode(commitCodec, { ...commit, signatures: [absentWithSig] })).toThrow(/absent slot/);
    expect(() => decode(commitCodec, wire.subarray(0, wire.length - 1))).toThrow(DecodeError);
  });
});

describe('sign bytes', () => {
  const vote = {
    type: VoteType.Prevote,
    height: 1,
    round: 0,
    blockId,
    timestamp: 0,
  } as const;
  it('differ by chain id and by vote type, and start with the domain tag', () => {
    expect(voteSignBytes('a', vote)).not.toEqual(voteSignBytes('b', vote));
    expect(voteSignBytes('a', vote)).not.toEqual(voteSignBytes('a', { ...vote, type: VoteType.Precommit }));
    expect(Buffer.from(voteSignBytes('a', vote)).includes(Buffer.from('joule/vote/v1'))).toBe(true);
  });
  it('refuse a malformed chain id', () => {
    expect(() => voteSignBytes('has space', vote)).toThrow(/chainId/);
    expect(() => voteSignBytes('x'.repeat(51), vote)).toThrow(/chainId/);
  });
});
