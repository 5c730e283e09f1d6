import { toHex } from '../crypto/hash.js';
import type { ValidatorSet } from '../validators/validator-set.js';

/**
 * Voting power by validator, for tallies. Quorums are by power, never by count: `quorum` is more
 * than 2/3 of the total (the paper's 2f+1), `oneThird` more than 1/3 (its f+1).
 */
export interface Weights {
  readonly total: bigint;
  powerOf(addressHex: string): bigint | undefined;
}

export function weightsOf(set: ValidatorSet): Weights {
  const powers = new Map<string, bigint>();
  let total = 0n;
  for (const v of set.validators) {
    powers.set(toHex(v.address), v.votingPower);
    total += v.votingPower;
  }
  return { total, powerOf: (addressHex) => powers.get(addressHex) };
}

export function isQuorum(power: bigint, total: bigint): boolean {
  return power * 3n > total * 2n;
}

export function isOneThird(power: bigint, total: bigint): boolean {
  return power * 3n > total;
}
