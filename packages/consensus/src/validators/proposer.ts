/**
 * CometBFT's proposer selection: weighted round-robin with proposer priorities
 * (`types/validator_set.go`, `IncrementProposerPriority`), as pure functions on an immutable set.
 *
 * One step adds every validator's power to its priority, picks the highest priority (ties to the
 * lower address) as proposer and takes the total power off it. Over `total` steps each validator
 * proposes about `power` times. Before the steps, priorities are rescaled (their spread capped at
 * 2·total, so a long-absent validator cannot dominate or starve) and centered on 0 (so they never
 * drift towards the int64 limits).
 *
 * Arithmetic is bigint and mirrors Go's: the rescale divides with truncation toward zero (Go's `/`
 * on int64, which is what bigint `/` does), while the average is floored, because CometBFT
 * computes it with `big.Int.Div`, which is Euclidean division, not Go's `/`. Adds and subtracts
 * clip at the int64 limits as CometBFT's `safeAddClip`/`safeSubClip` (never reached for sets
 * within `maxTotalVotingPower`, but it keeps every priority encodable).
 */
import { InvalidValueError } from '../errors.js';
import { compareBytes, totalVotingPower, type Validator, type ValidatorSet } from './validator-set.js';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** CometBFT's `PriorityWindowSizeFactor`: priorities may spread over at most this many times the total. */
export const priorityWindowSizeFactor = 2n;

/** A set after some steps of proposer selection, and the proposer chosen by the last step. */
export interface ProposerSelection {
  readonly set: ValidatorSet;
  /** The validator chosen by the last step (CometBFT's `vals.Proposer`), as it is in `set`. */
  readonly proposer: Validator;
}

/**
 * The validator with the highest priority, ties to the lower address (CometBFT's `findProposer`).
 * This is the proposer of the *next* step only if no power were added first: for the proposer of
 * a round, use {@link proposerForRound}.
 */
export function proposerOf(set: ValidatorSet): Validator {
  return set.validators[indexOfMostPriority(set.validators)] as Validator;
}

/**
 * CometBFT's `IncrementProposerPriority(times)`: rescale, center, then `times` selection steps.
 * The set keeps its canonical order (priorities do not take part in it).
 */
export function incrementProposerPriority(set: ValidatorSet, times: number): ValidatorSet {
  return incrementProposerPriorityWithProposer(set, times).set;
}

/** {@link incrementProposerPriority}, also returning the proposer chosen by the last step. */
export function incrementProposerPriorityWithProposer(set: ValidatorSet, times: number): ProposerSelection {
  if (!Number.isSafeInteger(times) || times <= 0) {
    throw new InvalidValueError(`times must be a positive integer, got ${times}`, { times });
  }
  const total = assertNotEmpty(set);
  const powers = set.validators.map((v) => v.votingPower);
  const priorities = centered(rescaled(priorityList(set), priorityWindowSizeFactor * total));
  let chosen = 0;
  for (let step = 0; step < times; step++) {
    for (let i = 0; i < priorities.length; i++) {
      priorities[i] = clip((priorities[i] as bigint) + (powers[i] as bigint));
    }
    chosen = indexOfMostPriorityIn(set.validators, priorities);
    priorities[chosen] = clip((priorities[chosen] as bigint) - total);
  }
  const next = withPriorities(set, priorities);
  return { set: next, proposer: next.validators[chosen] as Validator };
}

/**
 * The proposer of `round` at the height whose validators are `set`.
 *
 * Convention (it is what makes Joule's sequence CometBFT's): a ChainState's `validators` hold the
 * priorities *before* the one increment that CometBFT applies to every set as it becomes a
 * height's set. CometBFT keeps that increment's choice in a separate `Proposer` field; Joule stores
 * no such field, and the chosen validator cannot be recovered from the priorities afterwards (after
 * its decrement it is usually not the highest; often, not even the lowest). So round 0's proposer
 * is the one chosen by that increment, and round r > 0 is chosen by r further steps on top of it,
 * as CometBFT's `enterNewRound` does on a copy of the height's set. The state transition keeps the
 * convention with `genesisValidatorSets` and `nextValidatorSet` (updates.ts).
 *
 * The r further steps are one call, so the answer is a function of (set, round) alone. CometBFT
 * increments its copy as the node moves, round by round or in one jump when it skips rounds; after
 * validator changes the spread can pass 2·total mid-way, a later call then rescales, and in rare
 * cases the two paths name different proposers. Joule always takes the jump.
 *
 * Cost: O(validators · round). Bound a round that comes from a peer before asking.
 */
export function proposerForRound(set: ValidatorSet, round: number): Validator {
  if (!Number.isSafeInteger(round) || round < 0) {
    throw new InvalidValueError(`round must be a non-negative integer, got ${round}`, { round });
  }
  const height = incrementProposerPriorityWithProposer(set, 1);
  return round === 0 ? height.proposer : incrementProposerPriorityWithProposer(height.set, round).proposer;
}

/**
 * `proposerForRound` of one set, computed once per round: a height asks for the proposer of a
 * round at its start and for every proposal, and each answer costs O(validators · round). Keeps
 * the last `maxRounds` rounds asked (the oldest is dropped first).
 */
export class ProposerSchedule {
  readonly #set: ValidatorSet;
  readonly #maxRounds: number;
  readonly #proposers = new Map<number, Validator>();

  constructor(set: ValidatorSet, maxRounds: number) {
    this.#set = set;
    this.#maxRounds = maxRounds;
  }

  proposer(round: number): Validator {
    let proposer = this.#proposers.get(round);
    if (proposer === undefined) {
      proposer = proposerForRound(this.#set, round);
      if (this.#proposers.size >= this.#maxRounds) {
        const oldest = this.#proposers.keys().next().value;
        if (oldest !== undefined) this.#proposers.delete(oldest);
      }
      this.#proposers.set(round, proposer);
    }
    return proposer;
  }
}

/**
 * CometBFT's `RescalePriorities(2·total)` then `shiftByAvgProposerPriority`: caps the spread of
 * priorities and centers them on 0. Run before selection steps and after every change of the set.
 */
export function rescaleAndCenterPriorities(set: ValidatorSet): ValidatorSet {
  const total = assertNotEmpty(set);
  return withPriorities(set, centered(rescaled(priorityList(set), priorityWindowSizeFactor * total)));
}

/**
 * If max − min exceeds `diffMax`, divide every priority by ceil(spread / diffMax), truncating
 * toward zero as Go's int64 division does (bigint `/` truncates too).
 */
function rescaled(priorities: bigint[], diffMax: bigint): bigint[] {
  if (diffMax <= 0n) return priorities;
  let min = priorities[0] as bigint;
  let max = min;
  for (const p of priorities) {
    if (p < min) min = p;
    if (p > max) max = p;
  }
  const diff = max - min;
  if (diff <= diffMax) return priorities;
  const ratio = (diff + diffMax - 1n) / diffMax;
  return priorities.map((p) => p / ratio);
}

/** Subtracts the floored average (CometBFT's `big.Int.Div` is Euclidean: floor for a positive divisor). */
function centered(priorities: bigint[]): bigint[] {
  let sum = 0n;
  for (const p of priorities) sum += p;
  const n = BigInt(priorities.length);
  let average = sum / n;
  if (sum % n !== 0n && sum < 0n) average -= 1n;
  return priorities.map((p) => clip(p - average));
}

function indexOfMostPriority(validators: readonly Validator[]): number {
  return indexOfMostPriorityIn(
    validators,
    validators.map((v) => v.proposerPriority),
  );
}

/** Index of the highest of `priorities` (parallel to `validators`), ties to the lower address. */
function indexOfMostPriorityIn(validators: readonly Validator[], priorities: readonly bigint[]): number {
  let best = 0;
  for (let i = 1; i < validators.length; i++) {
    const p = priorities[i] as bigint;
    const b = priorities[best] as bigint;
    if (
      p > b ||
      (p === b &&
        compareBytes((validators[i] as Validator).address, (validators[best] as Validator).address) < 0)
    ) {
      best = i;
    }
  }
  return best;
}

function priorityList(set: ValidatorSet): bigint[] {
  return set.validators.map((v) => v.proposerPriority);
}

function withPriorities(set: ValidatorSet, priorities: readonly bigint[]): ValidatorSet {
  return { validators: set.validators.map((v, i) => ({ ...v, proposerPriority: priorities[i] as bigint })) };
}

function assertNotEmpty(set: ValidatorSet): bigint {
  if (set.validators.length === 0) throw new InvalidValueError('proposer selection needs a non-empty set');
  return totalVotingPower(set);
}

function clip(x: bigint): bigint {
  return x < int64Min ? int64Min : x > int64Max ? int64Max : x;
}
