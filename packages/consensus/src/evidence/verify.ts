import { encode, equalBytes } from '../codec/canonical.js';
import { toHex } from '../crypto/hash.js';
import { JouleError } from '../errors.js';
import { indexOfValidator, type ValidatorSet } from '../validators/validator-set.js';
import {
  type DuplicateVoteEvidence,
  duplicateVoteEvidenceCodec,
  duplicateVoteEvidenceProblem,
} from '../vote/evidence.js';
import { verifyVoteSignature } from '../vote/vote.js';
import { InvalidEvidenceError } from './errors.js';

/** The last committed height and its block time (Unix ms): the point evidence is judged from. */
export interface ChainTip {
  readonly height: number;
  readonly time: number;
}

/** How old evidence may be; it expires only when older than both bounds (as CometBFT). */
export interface EvidenceAge {
  readonly maxAgeBlocks: number;
  readonly maxAgeMs: number;
}

/**
 * The misbehaviour a piece of evidence proves: one key per (validator, height, round, vote type).
 * A validator that signed n votes in one slot yields n·(n−1)/2 distinct pairs; keying the pool on
 * the slot instead of the pair admits (and punishes) the slot once, and stops one faulty
 * validator from filling the pool with pairs.
 */
export function evidenceKey(evidence: DuplicateVoteEvidence): string {
  const { validatorAddress, height, round, type } = evidence.voteA;
  return `${toHex(validatorAddress)}/${height}/${round}/${type}`;
}

/** CometBFT's rule: expired when more than `maxAgeBlocks` blocks AND more than `maxAgeMs` old. */
export function isEvidenceExpired(age: EvidenceAge, tip: ChainTip, height: number, time: number): boolean {
  return tip.height - height > age.maxAgeBlocks && tip.time - time > age.maxAgeMs;
}

/**
 * The canonical encoding of `evidence`, checking every field and the pair's rules (same slot,
 * different blocks, canonical order). Throws `InvalidEvidenceError` with reason `malformed`.
 */
export function encodeEvidence(
  evidence: DuplicateVoteEvidence,
  context: Record<string, unknown> = {},
): Uint8Array {
  const problem =
    typeof evidence === 'object' && evidence !== null
      ? duplicateVoteEvidenceProblem(evidence)
      : 'not an object';
  if (problem !== undefined)
    throw new InvalidEvidenceError('malformed', `malformed evidence: ${problem}`, context);
  try {
    return encode(duplicateVoteEvidenceCodec, evidence);
  } catch (cause) {
    if (!(cause instanceof JouleError)) throw cause;
    throw new InvalidEvidenceError('malformed', `malformed evidence: ${cause.message}`, context);
  }
}

/**
 * Checks that the validator at the votes' `validatorIndex` in `set` (the validators of the
 * evidence height) has the votes' address, and that it signed both votes. Throws
 * `InvalidEvidenceError` naming the reason.
 */
export function verifyEvidenceSignatures(
  chainId: string,
  evidence: DuplicateVoteEvidence,
  set: ValidatorSet,
  context: Record<string, unknown> = {},
): void {
  const { voteA, voteB } = evidence;
  const validator = set.validators[voteA.validatorIndex];
  if (validator === undefined || !equalBytes(validator.address, voteA.validatorAddress)) {
    const at = indexOfValidator(set, voteA.validatorAddress);
    const where = { ...context, height: voteA.height, validatorIndex: voteA.validatorIndex };
    if (at < 0) {
      throw new InvalidEvidenceError('unknown-validator', 'the accused is not a validator of that height', {
        ...where,
        address: voteA.validatorAddress,
      });
    }
    throw new InvalidEvidenceError(
      'wrong-index',
      `the accused is validator ${at}, not ${voteA.validatorIndex}`,
      {
        ...where,
        actualIndex: at,
      },
    );
  }
  for (const [which, vote] of [
    ['voteA', voteA],
    ['voteB', voteB],
  ] as const) {
    if (!verifyVoteSignature(chainId, vote, validator.pubKey)) {
      throw new InvalidEvidenceError('bad-signature', `${which} is not signed by the accused validator`, {
        ...context,
        vote: which,
      });
    }
  }
}
