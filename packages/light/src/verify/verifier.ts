import {
  type Commit,
  CommitFlag,
  commitSigToVote,
  equalBytes,
  indexOfValidator,
  toHex,
  totalVotingPower,
  type ValidatorSet,
  validatorSetHash,
  verifyVoteSignature,
} from '@joule/consensus/core';
import { fail } from '../errors.js';
import type { LightBlock } from './light-block.js';

/** What verification needs besides the two blocks: CometBFT's trust options. */
export interface VerifyOptions {
  readonly chainId: string;
  /** How long a verified header stays a root of trust, ms. */
  readonly trustPeriodMs: number;
  /** Share of the trusted set that must sign a skipped-to header (default 1/3). */
  readonly trustLevel: { readonly numerator: bigint; readonly denominator: bigint };
  readonly maxClockDriftMs: number;
  /** The local time, Unix ms. */
  readonly now: number;
}

/** Refuses a root of trust whose header is older than the trust period (CometBFT's ErrOldHeaderExpired). */
export function assertNotExpired(trusted: LightBlock, o: VerifyOptions): void {
  const expires = trusted.header.time + o.trustPeriodMs;
  if (expires <= o.now)
    fail(
      'LIGHT_TRUST_EXPIRED',
      `the trusted header at height ${trusted.header.height} expired at ${new Date(expires).toISOString()}: establish trust again`,
      { height: trusted.header.height, expiredAt: expires, now: o.now },
    );
}

/**
 * A block on its own: chain id, the commit for this header (height and hash), the validator set
 * that the header names, and +2/3 of that set's power behind valid signatures. Used for the root
 * of trust and as the last step of every verification.
 */
export function verifySelfConsistent(block: LightBlock, o: Pick<VerifyOptions, 'chainId'>): void {
  const { header, commit, validators } = block;
  const height = header.height;
  if (header.chainId !== o.chainId)
    fail('LIGHT_INVALID_HEADER', `header of chain "${header.chainId}", expected "${o.chainId}"`, { height });
  if (commit.height !== height)
    fail('LIGHT_INVALID_HEADER', `commit of height ${commit.height} for the header of ${height}`, { height });
  if (!equalBytes(commit.blockId.hash, block.hash))
    fail('LIGHT_INVALID_HEADER', `the commit at height ${height} is for another header`, {
      height,
      header: toHex(block.hash),
      committed: toHex(commit.blockId.hash),
    });
  if (!equalBytes(validatorSetHash(validators), header.validatorsHash))
    fail('LIGHT_INVALID_HEADER', `the validator set sent for height ${height} is not the header's`, {
      height,
    });
  const { signed, total } = tallyOwnSet(o.chainId, validators, commit);
  if (signed * 3n <= total * 2n)
    fail(
      'LIGHT_NOT_ENOUGH_POWER',
      `height ${height} is signed by ${signed} of ${total} voting power, not more than 2/3`,
      { height, signed, total },
    );
}

/**
 * Sequential verification of `untrusted` at `trusted.height + 1`: its validators must be the ones
 * the trusted header announced (`nextValidatorsHash`), and +2/3 of them must have signed.
 */
export function verifyAdjacent(trusted: LightBlock, untrusted: LightBlock, o: VerifyOptions): void {
  assertNotExpired(trusted, o);
  verifyNewHeader(trusted, untrusted, o);
  if (!equalBytes(untrusted.header.validatorsHash, trusted.header.nextValidatorsHash))
    fail(
      'LIGHT_INVALID_HEADER',
      `height ${untrusted.header.height}'s validators are not those height ${trusted.header.height} announced`,
      { height: untrusted.header.height },
    );
  verifySelfConsistent(untrusted, o);
}

/**
 * Skipping verification of `untrusted` above `trusted.height + 1`: more than the trust level of
 * the trusted set's power must have signed it (`LIGHT_CANNOT_TRUST` otherwise: bisect), and +2/3
 * of its own set.
 */
export function verifyNonAdjacent(trusted: LightBlock, untrusted: LightBlock, o: VerifyOptions): void {
  assertNotExpired(trusted, o);
  verifyNewHeader(trusted, untrusted, o);
  const { signed, total } = tallyTrustedSet(o.chainId, trusted.validators, untrusted.commit);
  if (signed * o.trustLevel.denominator <= total * o.trustLevel.numerator)
    fail(
      'LIGHT_CANNOT_TRUST',
      `height ${untrusted.header.height} is signed by ${signed} of the ${total} voting power trusted at ${trusted.header.height}, not more than ${o.trustLevel.numerator}/${o.trustLevel.denominator}`,
      { height: untrusted.header.height, trustedHeight: trusted.header.height, signed, total },
    );
  verifySelfConsistent(untrusted, o);
}

function verifyNewHeader(trusted: LightBlock, untrusted: LightBlock, o: VerifyOptions): void {
  const h = untrusted.header;
  if (h.height <= trusted.header.height)
    fail('LIGHT_INVALID_HEADER', `height ${h.height} is not above the trusted ${trusted.header.height}`, {
      height: h.height,
    });
  if (h.time <= trusted.header.time)
    fail('LIGHT_INVALID_HEADER', `height ${h.height}'s time is not after the trusted header's`, {
      height: h.height,
    });
  if (h.time > o.now + o.maxClockDriftMs)
    fail('LIGHT_INVALID_HEADER', `height ${h.height}'s time ${h.time} is ahead of the local clock ${o.now}`, {
      height: h.height,
    });
}

/**
 * Power behind valid signatures for the block in a commit of the header's own set: every slot in
 * position, every present signature valid (a forged one is `LIGHT_INVALID_SIGNATURE`, never
 * skipped), nil votes not counted.
 */
function tallyOwnSet(chainId: string, set: ValidatorSet, commit: Commit): { signed: bigint; total: bigint } {
  const height = commit.height;
  if (commit.signatures.length !== set.validators.length)
    fail(
      'LIGHT_INVALID_HEADER',
      `commit has ${commit.signatures.length} slots for ${set.validators.length} validators`,
      {
        height,
      },
    );
  let signed = 0n;
  for (let i = 0; i < commit.signatures.length; i++) {
    const vote = commitSigToVote(commit, i);
    if (vote === null) continue;
    const validator = set.validators[i];
    if (validator === undefined || !equalBytes(vote.validatorAddress, validator.address))
      fail(
        'LIGHT_INVALID_SIGNATURE',
        `slot ${i} at height ${height} names a validator not at that position`,
        {
          height,
          index: i,
        },
      );
    if (!verifyVoteSignature(chainId, vote, validator.pubKey))
      fail(
        'LIGHT_INVALID_SIGNATURE',
        `slot ${i} at height ${height} carries a signature that does not verify`,
        {
          height,
          index: i,
          validator: toHex(validator.address),
        },
      );
    if (vote.blockId !== null) signed += validator.votingPower;
  }
  return { signed, total: totalVotingPower(set) };
}

/** Power of the trusted set behind valid commit signatures for the block, each validator counted once. */
function tallyTrustedSet(
  chainId: string,
  trusted: ValidatorSet,
  commit: Commit,
): { signed: bigint; total: bigint } {
  const seen = new Set<number>();
  let signed = 0n;
  for (let i = 0; i < commit.signatures.length; i++) {
    const s = commit.signatures[i];
    if (s === undefined || s.flag !== CommitFlag.Commit) continue;
    const at = indexOfValidator(trusted, s.validatorAddress);
    if (at < 0 || seen.has(at)) continue;
    seen.add(at);
    const validator = trusted.validators[at];
    const vote = commitSigToVote(commit, i);
    if (validator === undefined || vote === null) continue;
    if (!verifyVoteSignature(chainId, vote, validator.pubKey))
      fail(
        'LIGHT_INVALID_SIGNATURE',
        `slot ${i} at height ${commit.height} carries a signature that does not verify`,
        {
          height: commit.height,
          index: i,
        },
      );
    signed += validator.votingPower;
  }
  return { signed, total: totalVotingPower(trusted) };
}
