import type { ConsensusParams } from '../chain/chain-state.js';
import { equalBytes } from '../codec/canonical.js';
import type { ValidatorSet } from '../validators/validator-set.js';
import { type ChainTip, type EvidenceAge, isEvidenceExpired } from './verify.js';

/**
 * The evidence window: the heights whose evidence can still be valid at a chain tip. Evidence of
 * height h (block time t) expires once the tip is more than `maxAgeBlocks` blocks AND more than
 * `maxAgeMs` past it (`isEvidenceExpired`); both grow with h, so the expired heights are exactly
 * those below one height, the window's base. Whatever verifying evidence reads — the validators
 * and block time of its height, and whether its misbehaviour was committed — a chain store keeps
 * from the base up, and may drop below it: the tip only grows, so a height that left the window
 * never comes back.
 */

/** The evidence ages of a chain's consensus parameters. */
export function evidenceAgeOf(params: ConsensusParams): EvidenceAge {
  return { maxAgeBlocks: params.evidenceMaxAgeBlocks, maxAgeMs: params.evidenceMaxAgeMs };
}

/**
 * The base of the evidence window at `tip`: the lowest height ≥ `from` whose evidence is not
 * expired. `from` is the previous base (or the chain's first height); `timeAt` reads the block time
 * of a committed height in `[from, tip.height]`. A galloping search over the block times (they
 * only grow) from `from`: a block or two from the previous base costs two or three reads of
 * neighbouring heights, a jump of n heights (after a long stall of the chain) O(log n) reads.
 */
export async function evidenceWindowBase(
  age: EvidenceAge,
  tip: ChainTip,
  from: number,
  timeAt: (height: number) => Promise<number>,
): Promise<number> {
  // Every height from `tip.height - maxAgeBlocks` up is inside the window by the block bound alone.
  let lo = from;
  let hi = Math.max(from, tip.height - age.maxAgeBlocks);
  // Invariant: every height below `lo` is expired; `hi` is not (or is the block bound).
  const expired = async (height: number) => isEvidenceExpired(age, tip, height, await timeAt(height));
  for (let step = 1; lo < hi; step *= 2) {
    const probe = Math.min(hi, lo + step - 1);
    if (!(await expired(probe))) {
      hi = probe;
      break;
    }
    lo = probe + 1;
  }
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (await expired(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A validator set as evidence verification reads it: addresses, keys and powers in set order, the
 * proposer priorities (which change every height) zeroed. Stores keep one such set per change of
 * the validators, not one per height.
 */
export function evidenceValidators(set: ValidatorSet): ValidatorSet {
  return { validators: set.validators.map((v) => ({ ...v, proposerPriority: 0n })) };
}

/** Whether two sets have the same validators with the same powers in the same order (priorities aside). */
export function sameEvidenceValidators(a: ValidatorSet, b: ValidatorSet): boolean {
  if (a.validators.length !== b.validators.length) return false;
  return a.validators.every((v, i) => {
    const w = b.validators[i];
    return w !== undefined && v.votingPower === w.votingPower && equalBytes(v.pubKey, w.pubKey);
  });
}
