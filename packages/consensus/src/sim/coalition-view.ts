import { type Block, makeBlock } from '../block/block.js';
import type { KeyPair } from '../crypto/ed25519.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { proposerForRound } from '../validators/proposer.js';
import { indexOfValidator, type Validator, type ValidatorSet } from '../validators/validator-set.js';
import { signVote, type Vote, type VoteType } from '../vote/vote.js';
import { isPoison, kvTx } from './kv-app.js';
import type { SeededRng } from './rng.js';

/** A Byzantine validator the coalition speaks for: its network name and its key. */
export interface Member {
  readonly name: string;
  readonly key: KeyPair;
  readonly address: Uint8Array;
}

/** What the coalition (coalition.ts) knows and has done at one height. */
export interface HeightView {
  /** A block of this height: fresh proposals are variants of it (same parent, time and last commit). */
  base: Block | null;
  /** Blocks proposed at this height by value (hex), for re-proposals. */
  readonly blocks: Map<string, Block>;
  /** Round → first proposed value seen (hex). */
  readonly proposals: Map<number, string>;
  /** Round → validator (hex) → prevoted value (hex, or 'nil'), and the prevotes themselves. */
  readonly prevotes: Map<number, Map<string, string>>;
  readonly pol: Map<number, Vote[]>;
  readonly prevoted: Set<number>;
  readonly precommitted: Set<number>;
  /** Rounds with +2/3 prevotes of any kind: a nil precommit follows unless a polka comes first. */
  readonly timed: Set<number>;
  readonly proposed: Set<number>;
  /** Round → names of the correct nodes kept from the round's prevotes (or, late, its proposal). */
  readonly shield: Map<number, Set<string>>;
  /** The first value the coalition precommitted: only one correct validator got that precommit. */
  favored: string | null;
  /** The first correct node that decided this height (before GST). */
  decidedBy: string | null;
  /** Whether the coalition plays the late polka at this height, and who re-proposes it (hex). */
  readonly late: boolean;
  readonly reproposer: string | null;
  /** The late round whose prevotes the coalition holds back, with the value. */
  readonly held: Map<number, string>;
  /** Its held prevotes, signed, and the nodes that got them. */
  heldVotes: Vote[] | null;
  readonly releasedTo: Set<string>;
}

function newView(late: boolean, reproposer: string | null): HeightView {
  return {
    base: null,
    blocks: new Map(),
    proposals: new Map(),
    prevotes: new Map(),
    pol: new Map(),
    prevoted: new Set(),
    precommitted: new Set(),
    timed: new Set(),
    proposed: new Set(),
    shield: new Map(),
    favored: null,
    decidedBy: null,
    late,
    reproposer,
    held: new Map(),
    heldVotes: null,
    releasedTo: new Set(),
  };
}

/** Whether `round` is (or may become) the late round, 0: its proposal is shielded, not its prevotes. */
export function isLateRound(view: HeightView, round: number): boolean {
  if (!view.late) return false;
  if (view.held.has(round)) return true;
  return round === 0 && view.held.size === 0 && view.favored === null;
}

export interface Powers {
  readonly total: bigint;
  /** The coalition's power. */
  readonly ours: bigint;
  readonly correct: readonly Validator[];
  readonly of: (addressHex: string) => bigint;
}

export function powersOf(set: ValidatorSet, mine: ReadonlySet<string>): Powers {
  const byAddress = new Map(set.validators.map((v) => [toHex(v.address), v.votingPower]));
  let total = 0n;
  let ours = 0n;
  for (const v of set.validators) {
    total += v.votingPower;
    if (mine.has(toHex(v.address))) ours += v.votingPower;
  }
  const correct = set.validators.filter((v) => !mine.has(toHex(v.address)));
  return { total, ours, correct, of: (hex) => byAddress.get(hex) ?? 0n };
}

/** The value with more than 2/3 of the power among `votes`, if any. */
export function polkaIn(votes: ReadonlyMap<string, string>, powers: Powers): string | undefined {
  const tally = new Map<string, bigint>();
  for (const [who, value] of votes)
    if (value !== 'nil') tally.set(value, (tally.get(value) ?? 0n) + powers.of(who));
  return [...tally].find(([, power]) => power * 3n > powers.total * 2n)?.[0];
}

/** Power of all who voted in `votes` (any value). */
export function anyPower(votes: ReadonlyMap<string, string>, powers: Powers): bigint {
  let sum = 0n;
  for (const who of votes.keys()) sum += powers.of(who);
  return sum;
}

/**
 * The correct validators to shield in a round: `first` (by default the next round's proposer),
 * then others at random, never `spare`, while their power stays below 1/3 and until it reaches 1/3
 * minus the coalition's. The others then hold at most 2/3: they need the coalition to decide, and
 * the shielded ones do not lock. Null when no such set exists.
 */
export function planShield(
  set: ValidatorSet,
  round: number,
  powers: Powers,
  rng: SeededRng,
  options: { readonly first?: string | null; readonly spare?: string | null } = {},
): Set<string> | null {
  const first = options.first === undefined ? toHex(proposerForRound(set, round + 1).address) : options.first;
  const candidates = powers.correct.map((v) => toHex(v.address)).filter((v) => v !== options.spare);
  const order = candidates.filter((v) => v !== first);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  if (first !== null && candidates.includes(first)) order.unshift(first);
  const chosen = new Set<string>();
  let power = 0n;
  for (const v of order) {
    if ((power + powers.of(v)) * 3n >= powers.total) continue;
    chosen.add(v);
    power += powers.of(v);
    if (power * 3n >= powers.total - 3n * powers.ours) return chosen;
  }
  return null;
}

/**
 * The plan of a late height (rounds 0 and 1), or null where it cannot work. The late re-proposer
 * is the first proposer of rounds 2–5 that is a member, or a correct validator with less than 1/3
 * of the power other than round 1's proposer (which must propose a fresh value). A correct one
 * alone learns the late polka while still in round 0 (so it keeps the value as validValue without
 * locking it), is shielded in round 1, and re-proposes the value in its round.
 */
export function planLate(
  set: ValidatorSet,
  powers: Powers,
  mine: ReadonlySet<string>,
  rng: SeededRng,
): { readonly reproposer: string | null; readonly shields: readonly [Set<string>, Set<string>] } | null {
  const fresh = toHex(proposerForRound(set, 1).address);
  for (let round = 2; round <= 5; round++) {
    const z = proposerForRound(set, round);
    const hex = toHex(z.address);
    if (mine.has(hex)) return withShields(null);
    if (hex !== fresh && z.votingPower * 3n < powers.total) return withShields(hex);
  }
  return null;

  function withShields(reproposer: string | null) {
    const late = planShield(set, 0, powers, rng, { spare: reproposer });
    const next = planShield(set, 1, powers, rng, { first: reproposer });
    if (late === null || next === null || (reproposer !== null && !next.has(reproposer))) return null;
    return { reproposer, shields: [late, next] as const };
  }
}

/** A valid block of the same height as `base` with other contents: a fresh value. */
export function freshVariant(base: Block, proposer: Uint8Array, rng: SeededRng): Block {
  const { dataHash: _d, evidenceHash: _e, lastCommitHash: _l, ...fields } = base.header;
  const txs = [...base.txs.filter((tx) => !isPoison(tx)), kvTx(`lock${rng.nextUint32()}`, 'x')];
  return makeBlock({ ...fields, proposerAddress: proposer }, txs, base.evidence, base.lastCommit);
}

export interface HeightViewsDeps {
  readonly rng: SeededRng;
  readonly validatorsAt: (height: number) => ValidatorSet | null;
  readonly namesOf: (addressHex: string) => readonly string[];
  /** Whether shields (and so the late polka, which needs them) are played at all. */
  readonly shield: boolean;
}

/** Heights of history kept (older views are dropped: memory stays bounded). */
const keptHeights = 3;

/** The coalition's views of recent heights, with the shields its network half applies. */
export class HeightViews {
  readonly #views = new Map<number, HeightView>();
  readonly #mine: ReadonlySet<string>;
  readonly #d: HeightViewsDeps;

  constructor(mine: ReadonlySet<string>, deps: HeightViewsDeps) {
    this.#mine = mine;
    this.#d = deps;
  }

  get(height: number): HeightView {
    let view = this.#views.get(height);
    if (view !== undefined) return view;
    // The late polka, at half of the heights where it can work (see planLate).
    const set = this.#d.validatorsAt(height);
    const late = this.#d.shield && this.#mine.size > 0 && set !== null && this.#d.rng.chance(0.5);
    const plan = late ? planLate(set, powersOf(set, this.#mine), this.#mine, this.#d.rng) : null;
    view = newView(plan !== null, plan?.reproposer ?? null);
    for (const [round, hexes] of plan?.shields.entries() ?? []) view.shield.set(round, this.names(hexes));
    this.#views.set(height, view);
    for (const h of this.#views.keys()) if (h < height - keptHeights) this.#views.delete(h);
    return view;
  }

  /** The names of the correct nodes shielded in (height, round), planned on first use. */
  shieldOf(height: number, round: number): Set<string> {
    const view = this.get(height);
    let names = view.shield.get(round);
    if (names !== undefined) return names;
    const set = this.#d.validatorsAt(height);
    if (!this.#d.shield || set === null) return new Set();
    names = this.names(planShield(set, round, powersOf(set, this.#mine), this.#d.rng) ?? new Set());
    view.shield.set(round, names);
    return names;
  }

  /** Network names of validators given by hex address. */
  names(validators: Iterable<string>): Set<string> {
    return new Set([...validators].flatMap((hex) => this.#d.namesOf(hex)));
  }

  /**
   * The lone decider of a round: a correct validator with less than 1/3 of the power (so that the
   * others can decide without it), preferably neither shielded nor the next proposer, which should
   * propose a fresh value.
   */
  loneDecider(set: ValidatorSet, height: number, round: number): Set<string> {
    const powers = powersOf(set, this.#mine);
    const shielded = this.shieldOf(height, round);
    const next = toHex(proposerForRound(set, round + 1).address);
    const small = powers.correct.filter((v) => v.votingPower * 3n < powers.total);
    const free = small.filter(
      (v) => toHex(v.address) !== next && !this.#d.namesOf(toHex(v.address)).some((n) => shielded.has(n)),
    );
    const pool = free.length > 0 ? free : small.length > 0 ? small : powers.correct;
    return pool.length === 0 ? new Set() : this.names([toHex(this.#d.rng.pick(pool).address)]);
  }
}

/** The latest round before `round` with a polka, in the view, for a value other than the favored one. */
export function olderPolka(view: HeightView, powers: Powers, round: number): [number, string] | undefined {
  let found: [number, string] | undefined;
  if (view.favored === null) return undefined;
  for (const [r, votes] of view.prevotes) {
    const value = polkaIn(votes, powers);
    if (r < round && value !== undefined && value !== view.favored && view.blocks.has(value))
      found = found === undefined || r > found[0] ? [r, value] : found;
  }
  return found;
}

/**
 * A forged polRound for a fresh value proposed in `round`: the latest earlier round whose polka
 * (in the view) was for the favored value — the round the others locked in — or -1.
 */
export function forgedPolRound(view: HeightView, powers: Powers, round: number): number {
  let found = -1;
  for (const [r, votes] of view.prevotes)
    if (r < round && r > found && view.favored !== null && polkaIn(votes, powers) === view.favored) found = r;
  return found;
}

/** A member's vote for `value` (hex, or null/'nil'), or null if it is not in the set. */
export function signAs(
  chainId: string,
  member: Member,
  set: ValidatorSet,
  slot: {
    readonly type: VoteType;
    readonly height: number;
    readonly round: number;
    readonly timestamp: number;
  },
  value: string | null,
): Vote | null {
  const validatorIndex = indexOfValidator(set, member.address);
  if (validatorIndex < 0) return null;
  const blockId = value === null || value === 'nil' ? null : { hash: fromHex(value) };
  const vote = { ...slot, blockId, validatorIndex, validatorAddress: member.address };
  return signVote(chainId, vote, member.key.secretKey);
}
