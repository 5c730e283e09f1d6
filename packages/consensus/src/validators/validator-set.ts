import { encode, equalBytes } from '../codec/canonical.js';
import { address, publicKey } from '../codec/fields.js';
import { bigint, type Codec, i64, list, refine, struct } from '../codec/schema.js';
import { maxTotalVotingPower, maxValidators } from '../constants.js';
import { addressOf } from '../crypto/address.js';
import { merkleRoot } from '../merkle/rfc6962.js';

/** A validator: its key, its voting power and its proposer priority (CometBFT's weighted round-robin). */
export interface Validator {
  readonly address: Uint8Array;
  readonly pubKey: Uint8Array;
  readonly votingPower: bigint;
  readonly proposerPriority: bigint;
}

/**
 * A validator set in canonical order: voting power descending, then address ascending (as
 * CometBFT). Addresses are unique and derived from the keys; every power is positive and the total
 * is at most `maxTotalVotingPower`.
 */
export interface ValidatorSet {
  readonly validators: readonly Validator[];
}

export const validatorCodec: Codec<Validator> = struct<Validator>('Validator', {
  address,
  pubKey: publicKey,
  votingPower: bigint(1n, maxTotalVotingPower),
  proposerPriority: i64,
});

/** Why a set breaks the rules, or `undefined` if it keeps them. */
export function validatorSetProblem(set: ValidatorSet): string | undefined {
  const vals = set.validators;
  if (vals.length === 0) return 'a validator set needs at least one validator';
  if (vals.length > maxValidators) return `more than ${maxValidators} validators`;
  let total = 0n;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i] as Validator;
    if (!equalBytes(v.address, addressOf(v.pubKey)))
      return `validator ${i}: address does not match its public key`;
    if (v.votingPower <= 0n) return `validator ${i}: voting power must be positive`;
    total += v.votingPower;
    if (i > 0) {
      const prev = vals[i - 1] as Validator;
      const order = compareValidators(prev, v);
      if (order === 0) return `validator ${i}: duplicate address`;
      if (order > 0)
        return `validator ${i}: not in canonical order (power descending, then address ascending)`;
    }
  }
  if (total > maxTotalVotingPower) return `total voting power ${total} exceeds ${maxTotalVotingPower}`;
  return undefined;
}

export const validatorSetCodec: Codec<ValidatorSet> = refine(
  struct<ValidatorSet>('ValidatorSet', {
    validators: list(validatorCodec, maxValidators) as Codec<readonly Validator[]>,
  }),
  validatorSetProblem,
);

/** Canonical order: voting power descending, then address ascending; 0 only for equal addresses. */
export function compareValidators(a: Validator, b: Validator): number {
  if (a.votingPower !== b.votingPower) return a.votingPower > b.votingPower ? -1 : 1;
  return compareBytes(a.address, b.address);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** A validator for `pubKey`, its address derived, its priority zero. */
export function makeValidator(pubKey: Uint8Array, votingPower: bigint, proposerPriority = 0n): Validator {
  return { address: addressOf(pubKey), pubKey, votingPower, proposerPriority };
}

/** A canonical set from validators in any order (sorted; checked). Throws `InvalidValueError` if invalid. */
export function makeValidatorSet(validators: readonly Validator[]): ValidatorSet {
  const set = { validators: [...validators].sort(compareValidators) };
  encode(validatorSetCodec, set); // checks every field and the set's rules
  return set;
}

export function totalVotingPower(set: ValidatorSet): bigint {
  let total = 0n;
  for (const v of set.validators) total += v.votingPower;
  return total;
}

/** Index of the validator with `addr`, or -1. */
export function indexOfValidator(set: ValidatorSet, addr: Uint8Array): number {
  return set.validators.findIndex((v) => equalBytes(v.address, addr));
}

const hashedValidatorCodec = struct<{ pubKey: Uint8Array; votingPower: bigint }>('HashedValidator', {
  pubKey: publicKey,
  votingPower: bigint(1n, maxTotalVotingPower),
});

/**
 * The set's hash: RFC 6962 root over each validator's `[pubKey, votingPower]`, in set order.
 * Priorities change every round and are left out, as in CometBFT.
 */
export function validatorSetHash(set: ValidatorSet): Uint8Array {
  return merkleRoot(
    set.validators.map((v) => encode(hashedValidatorCodec, { pubKey: v.pubKey, votingPower: v.votingPower })),
  );
}
