/**
 * Validator-set changes as CometBFT's `UpdateWithChangeSet` (`types/validator_set.go`): a change
 * set of `(pubKey, power)` adds, re-weights (power > 0) or removes (power 0) validators, all or
 * nothing. Also the two rules of the state transition that keep proposer selection CometBFT's
 * (see `proposerForRound`): which set a height starts from, and how the next one is made.
 */
import type { ValidatorUpdate } from '../app/application.js';
import { maxTotalVotingPower, maxValidators, publicKeyBytes } from '../constants.js';
import { addressOf } from '../crypto/address.js';
import { toHex } from '../crypto/hash.js';
import { JouleError } from '../errors.js';
import { incrementProposerPriority, rescaleAndCenterPriorities } from './proposer.js';
import {
  compareBytes,
  compareValidators,
  totalVotingPower,
  type Validator,
  type ValidatorSet,
} from './validator-set.js';

/** A change set that cannot be applied; the set it was meant for is left as it was. */
export class InvalidValidatorUpdateError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('INVALID_VALIDATOR_UPDATE', message, context);
  }
}

interface Change {
  readonly address: Uint8Array;
  readonly pubKey: Uint8Array;
  readonly power: bigint;
}

/**
 * Applies a change set as CometBFT does. It refuses the same change sets (the order of the checks,
 * and so which message a change set with two faults gets, differs a little), then computes as it does:
 *
 * 1. refuse a change set with a key twice, a negative power, or a power above `maxTotalVotingPower`;
 * 2. refuse removing (power 0) a validator that is not in the set, and a change that empties it;
 * 3. refuse a resulting total above `maxTotalVotingPower` (and, Joule's own bound, more than
 *    `maxValidators` validators);
 * 4. give each new validator the priority −(T + T/8), with T the total *after the updates but
 *    before the removals* — so a validator that leaves and comes back cannot shed a negative
 *    priority, and one that joins queues behind the others (C ≈ 1.125; not always behind all of
 *    them: an earlier newcomer re-weighted down keeps its larger penalty);
 * 5. keep the priority of a re-weighted validator, drop the removed ones;
 * 6. rescale (spread ≤ 2·total) and center the priorities against the new total, and return the
 *    set in canonical order.
 *
 * An empty change set returns `set` itself, untouched (not even centered), as CometBFT does.
 * Applied to an empty set, it is CometBFT's `NewValidatorSet` without its first increment.
 */
export function applyValidatorUpdates(set: ValidatorSet, updates: readonly ValidatorUpdate[]): ValidatorSet {
  if (updates.length === 0) return set;
  const changes = checkedChanges(updates);
  const existing = new Map<string, Validator>(set.validators.map((v) => [toHex(v.address), v]));
  const current = (c: Change): Validator | undefined => existing.get(toHex(c.address));
  const additions = changes.filter((c) => c.power > 0n);
  const removals = changes.filter((c) => c.power === 0n);

  let removedPower = 0n;
  for (const removal of removals) {
    const v = current(removal);
    if (v === undefined) {
      throw new InvalidValidatorUpdateError(
        `cannot remove validator ${toHex(removal.address)}: it is not in the set`,
        { address: removal.address },
      );
    }
    removedPower += v.votingPower;
  }
  const newcomers = additions.filter((c) => current(c) === undefined);
  const resultSize = set.validators.length - removals.length + newcomers.length;
  if (resultSize === 0)
    throw new InvalidValidatorUpdateError('the changes would leave the validator set empty');
  if (resultSize > maxValidators) {
    throw new InvalidValidatorUpdateError(
      `the changes would make ${resultSize} validators, above ${maxValidators}`,
      {
        validators: resultSize,
      },
    );
  }

  // CometBFT's verifyUpdates: the total after everything, and the total before the removals.
  let totalAfter = totalVotingPower(set) - removedPower;
  for (const c of additions) totalAfter += c.power - (current(c)?.votingPower ?? 0n);
  if (totalAfter > maxTotalVotingPower) {
    throw new InvalidValidatorUpdateError(
      `total voting power ${totalAfter} after the changes exceeds ${maxTotalVotingPower}`,
      { totalVotingPower: totalAfter },
    );
  }
  const totalBeforeRemovals = totalAfter + removedPower;
  const newcomerPriority = -(totalBeforeRemovals + (totalBeforeRemovals >> 3n));

  const changed = new Map<string, Change>(changes.map((c) => [toHex(c.address), c]));
  const kept: Validator[] = [];
  for (const v of set.validators) {
    const change = changed.get(toHex(v.address));
    if (change === undefined) kept.push(v);
    else if (change.power > 0n) kept.push({ ...v, pubKey: change.pubKey, votingPower: change.power });
  }
  for (const c of newcomers) {
    kept.push({
      address: c.address,
      pubKey: c.pubKey,
      votingPower: c.power,
      proposerPriority: newcomerPriority,
    });
  }
  kept.sort(compareValidators);
  return rescaleAndCenterPriorities({ validators: kept });
}

/**
 * The set of height H+2 from the set of height H+1 and the updates returned by block H
 * (CometBFT's `updateState`): the next set first takes the one increment of its own height
 * (CometBFT: `NextValidators.IncrementProposerPriority(1)`, done one height earlier), then the
 * updates. Stored this way, every set holds its priorities before its height's increment, which
 * is what `proposerForRound` expects.
 */
export function nextValidatorSet(
  nextValidators: ValidatorSet,
  updates: readonly ValidatorUpdate[],
): ValidatorSet {
  return applyValidatorUpdates(incrementProposerPriority(nextValidators, 1), updates);
}

/**
 * The `validators` and `nextValidators` of a chain's first height, from its genesis validators
 * (or those `initChain` returned), in the form `proposerForRound` expects: CometBFT's
 * `NewValidatorSet` before its own first increment (every priority 0), and that set advanced once.
 * A power of 0 is refused, as CometBFT's `NewValidatorSet` refuses it.
 */
export function genesisValidatorSets(validators: readonly ValidatorUpdate[]): {
  validators: ValidatorSet;
  nextValidators: ValidatorSet;
} {
  if (validators.length === 0)
    throw new InvalidValidatorUpdateError('a chain needs at least one genesis validator');
  const first = applyValidatorUpdates({ validators: [] }, validators);
  return { validators: first, nextValidators: incrementProposerPriority(first, 1) };
}

/** Checks each change on its own and against the others; returns them sorted by address. */
function checkedChanges(updates: readonly ValidatorUpdate[]): Change[] {
  const changes = updates.map((u, i): Change => {
    if (!(u.pubKey instanceof Uint8Array) || u.pubKey.length !== publicKeyBytes) {
      throw new InvalidValidatorUpdateError(`update ${i}: public key must be ${publicKeyBytes} bytes`, {
        index: i,
      });
    }
    if (typeof u.power !== 'bigint') {
      throw new InvalidValidatorUpdateError(`update ${i}: power must be a bigint`, { index: i });
    }
    return { address: addressOf(u.pubKey), pubKey: u.pubKey, power: u.power };
  });
  changes.sort((a, b) => compareBytes(a.address, b.address));
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i] as Change;
    if (i > 0 && compareBytes((changes[i - 1] as Change).address, c.address) === 0) {
      throw new InvalidValidatorUpdateError(`validator ${toHex(c.address)} appears twice in one change set`, {
        address: c.address,
      });
    }
    if (c.power < 0n) {
      throw new InvalidValidatorUpdateError(
        `validator ${toHex(c.address)}: voting power ${c.power} is negative`,
        {
          address: c.address,
          power: c.power,
        },
      );
    }
    if (c.power > maxTotalVotingPower) {
      throw new InvalidValidatorUpdateError(
        `validator ${toHex(c.address)}: voting power ${c.power} exceeds ${maxTotalVotingPower}`,
        { address: c.address, power: c.power },
      );
    }
  }
  return changes;
}
