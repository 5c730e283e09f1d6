import {
  maxCountedVotesPerValidatorRoundType,
  maxFutureRoundsPerValidator,
  maxPendingVotesPerValidatorRoundType,
} from '../constants.js';
import { toHex } from '../crypto/hash.js';
import { type Vote, VoteType } from '../vote/vote.js';
import { isOneThird, type Weights } from './weights.js';

/** Id of a value (a block) in tallies: the hex of its block hash; `nil` for a nil vote. */
export type ValueId = string;
export const NIL = 'nil';

export function valueIdOf(vote: Pick<Vote, 'blockId'>): ValueId {
  return vote.blockId === null ? NIL : toHex(vote.blockId.hash);
}

export type AddVoteResult =
  | { readonly status: 'added' }
  /** Held aside, uncounted: a value not (yet) past 1/3 of the first votes (see `pending`). */
  | { readonly status: 'pending' }
  | { readonly status: 'duplicate' }
  | { readonly status: 'unknown-validator' }
  | { readonly status: 'too-far-ahead' }
  | { readonly status: 'equivocation'; readonly first: Vote; readonly second: Vote };

/** One validator's votes of one type in one round. */
interface Slot {
  /** Counted votes, one per value: the first, the first conflicting one, then tracked values. */
  readonly counted: Vote[];
  /** Uncounted votes for values not yet tracked, first come first kept (made on first use). */
  pending?: Vote[];
}

interface Tally {
  /** Votes by validator address (hex). */
  readonly slots: Map<string, Slot>;
  /** Power per value id: each validator with a counted vote for it, once. */
  readonly byValue: Map<ValueId, bigint>;
  /** Power per value id of first votes only (one per validator): decides which values are tracked. */
  readonly firstByValue: Map<ValueId, bigint>;
  /** Values whose first votes hold more than 1/3 of the power (at most two). */
  readonly tracked: Set<ValueId>;
  /** Power of all votes of this type in the round: each validator once. */
  any: bigint;
}

interface RoundVotes {
  readonly prevotes: Tally;
  readonly precommits: Tally;
  /** Validators with any message in the round (votes, or a proposal via `addSender`), for the L55 skip. */
  readonly senders: Set<string>;
  senderPower: bigint;
}

/**
 * Per-round weighted tallies of one height's prevotes and precommits, which equivocation cannot
 * blind. The paper counts every sender of a vote for v towards v; a keeper that holds a fixed
 * number of votes per validator lets an equivocator hide the one vote a quorum needs behind
 * others (nil, then W, then V: V never counts, a proof of lock for V is never confirmed, and the
 * nodes locked on V wait forever). So a value is *tracked* once the first votes for it (one per
 * validator, whoever signed it) hold more than 1/3 of the power — at most two values per round
 * and type — and every validator's vote for a tracked value counts, whatever else it signed. A
 * value that can reach a quorum is always tracked once the honest votes for it arrive (they are
 * more than 1/3 of the power, and each honest validator's only vote is its first).
 *
 * Per validator, round and type the keeper holds its first vote, its first conflicting vote
 * (reported once, with the first, as evidence; counted for its value as the paper does), a vote
 * for each tracked value, and a few uncounted votes for untracked values, counted if their value
 * becomes tracked (bounds in constants.ts). A vote refused for want of room counts when it
 * arrives again. An equivocator's power counts once per value and once in `any`, so with less
 * than 1/3 faulty power two values still cannot both pass 2/3. Tallies only grow, so "threshold
 * reached" is monotonic and the engine fires each rule once by remembering that it did.
 */
export class VoteKeeper {
  readonly #weights: Weights;
  readonly #rounds = new Map<number, RoundVotes>();
  readonly #futureRounds = new Map<string, Set<number>>();
  #held = 0;

  constructor(weights: Weights) {
    this.#weights = weights;
  }

  get weights(): Weights {
    return this.#weights;
  }

  /** Adds a vote whose signature and height the caller already checked. */
  add(vote: Vote, currentRound: number): AddVoteResult {
    const who = toHex(vote.validatorAddress);
    const power = this.#weights.powerOf(who);
    if (power === undefined) return { status: 'unknown-validator' };
    if (vote.round > currentRound + 1 && !this.#admitFutureRound(who, vote.round, currentRound)) {
      return { status: 'too-far-ahead' };
    }
    const round = this.#round(vote.round);
    const tally = vote.type === VoteType.Prevote ? round.prevotes : round.precommits;
    const id = valueIdOf(vote);
    const slot = tally.slots.get(who);
    if (slot === undefined) {
      tally.slots.set(who, { counted: [vote] });
      this.#held++;
      addPower(tally.byValue, id, power);
      tally.any += power;
      const first = (tally.firstByValue.get(id) ?? 0n) + power;
      tally.firstByValue.set(id, first);
      if (!tally.tracked.has(id) && isOneThird(first, this.#weights.total)) {
        tally.tracked.add(id);
        this.#promote(tally, id);
      }
      this.#addSender(round, who, power);
      return { status: 'added' };
    }
    const verdict = slotAdmission(slot, id, tally.tracked.has(id));
    if (verdict === 'duplicate') return { status: 'duplicate' };
    this.#held++;
    if (verdict === 'pending') {
      if (slot.pending === undefined) slot.pending = [vote];
      else slot.pending.push(vote);
      return { status: 'pending' };
    }
    slot.counted.push(vote);
    addPower(tally.byValue, id, power);
    if (verdict === 'conflicting') {
      return { status: 'equivocation', first: slot.counted[0] as Vote, second: vote };
    }
    return { status: 'added' };
  }

  /**
   * What `add` would do with this vote, without doing it: `duplicate` for a value already held in
   * that validator's slot (whatever its signature bytes) or one there is no room for,
   * `too-far-ahead` for a round beyond the validator's allowance, else `admit`.
   */
  admission(vote: Vote, currentRound: number): 'admit' | 'duplicate' | 'too-far-ahead' {
    const who = toHex(vote.validatorAddress);
    if (this.#weights.powerOf(who) === undefined) return 'admit'; // `add` reports it
    const tally = this.#tally(vote.type, vote.round);
    const slot = tally?.slots.get(who);
    if (tally !== undefined && slot !== undefined) {
      const id = valueIdOf(vote);
      return slotAdmission(slot, id, tally.tracked.has(id)) === 'duplicate' ? 'duplicate' : 'admit';
    }
    if (vote.round <= currentRound + 1) return 'admit';
    const ahead = [...(this.#futureRounds.get(who) ?? [])].filter((r) => r > currentRound + 1);
    return ahead.includes(vote.round) || ahead.length < maxFutureRoundsPerValidator
      ? 'admit'
      : 'too-far-ahead';
  }

  /** Records that `addressHex` sent some message (a proposal) in `round`. */
  addSender(round: number, addressHex: string): void {
    const power = this.#weights.powerOf(addressHex);
    if (power !== undefined) this.#addSender(this.#round(round), addressHex, power);
  }

  /** Power of the `type` votes for `value` in `round`. */
  power(type: VoteType, round: number, value: ValueId): bigint {
    return this.#tally(type, round)?.byValue.get(value) ?? 0n;
  }

  /** Power of all `type` votes in `round`, whatever their value. */
  anyPower(type: VoteType, round: number): bigint {
    return this.#tally(type, round)?.any ?? 0n;
  }

  /** Power of the validators that sent anything in `round`. */
  senderPower(round: number): bigint {
    return this.#rounds.get(round)?.senderPower ?? 0n;
  }

  /** Rounds that hold any message, ascending. */
  rounds(): number[] {
    return [...this.#rounds.keys()].sort((a, b) => a - b);
  }

  /** The counted `type` votes of `round` (for commits, catch-up and rebroadcast), conflicting ones included. */
  votes(type: VoteType, round: number): Vote[] {
    return [...(this.#tally(type, round)?.slots.values() ?? [])].flatMap((s) => s.counted);
  }

  /** The first `type` vote of one validator in `round`, if any. */
  voteOf(type: VoteType, round: number, addressHex: string): Vote | undefined {
    return this.#tally(type, round)?.slots.get(addressHex)?.counted[0];
  }

  /** The counted `type` vote of one validator in `round` for `value`, if it cast one. */
  voteFor(type: VoteType, round: number, addressHex: string, value: ValueId): Vote | undefined {
    return this.#tally(type, round)
      ?.slots.get(addressHex)
      ?.counted.find((v) => valueIdOf(v) === value);
  }

  /** Votes held, counted and pending, in every round (for memory bounds). */
  heldVotes(): number {
    return this.#held;
  }

  /** `id` just became tracked: every held-aside vote for it now counts. */
  #promote(tally: Tally, id: ValueId): void {
    for (const [who, slot] of tally.slots) {
      const i = slot.pending?.findIndex((v) => valueIdOf(v) === id) ?? -1;
      if (i < 0) continue;
      const [vote] = slot.pending?.splice(i, 1) ?? [];
      slot.counted.push(vote as Vote);
      addPower(tally.byValue, id, this.#weights.powerOf(who) ?? 0n);
    }
  }

  #tally(type: VoteType, round: number): Tally | undefined {
    const r = this.#rounds.get(round);
    if (r === undefined) return undefined;
    return type === VoteType.Prevote ? r.prevotes : r.precommits;
  }

  #round(round: number): RoundVotes {
    let r = this.#rounds.get(round);
    if (r === undefined) {
      r = { prevotes: newTally(), precommits: newTally(), senders: new Set(), senderPower: 0n };
      this.#rounds.set(round, r);
    }
    return r;
  }

  #addSender(round: RoundVotes, who: string, power: bigint): void {
    if (round.senders.has(who)) return;
    round.senders.add(who);
    round.senderPower += power;
  }

  #admitFutureRound(who: string, round: number, currentRound: number): boolean {
    let rounds = this.#futureRounds.get(who);
    if (rounds === undefined) {
      rounds = new Set();
      this.#futureRounds.set(who, rounds);
    }
    for (const r of rounds) if (r <= currentRound + 1) rounds.delete(r);
    if (rounds.has(round)) return true;
    if (rounds.size >= maxFutureRoundsPerValidator) return false;
    rounds.add(round);
    return true;
  }
}

function newTally(): Tally {
  return { slots: new Map(), byValue: new Map(), firstByValue: new Map(), tracked: new Set(), any: 0n };
}

function addPower(map: Map<ValueId, bigint>, id: ValueId, power: bigint): void {
  map.set(id, (map.get(id) ?? 0n) + power);
}

/**
 * Where a further vote of a validator (its slot already holds a first vote) goes: `duplicate` for
 * a value it already holds or one there is no room for, `conflicting` for its first conflicting
 * vote, `counted` for a tracked value, `pending` for an untracked one while there is room aside.
 */
function slotAdmission(
  slot: Slot,
  id: ValueId,
  tracked: boolean,
): 'duplicate' | 'conflicting' | 'counted' | 'pending' {
  const same = (v: Vote) => valueIdOf(v) === id;
  if (slot.counted.some(same) || slot.pending?.some(same)) return 'duplicate';
  if (slot.counted.length === 1) return 'conflicting';
  if (tracked) return slot.counted.length < maxCountedVotesPerValidatorRoundType ? 'counted' : 'duplicate';
  return (slot.pending?.length ?? 0) < maxPendingVotesPerValidatorRoundType ? 'pending' : 'duplicate';
}
