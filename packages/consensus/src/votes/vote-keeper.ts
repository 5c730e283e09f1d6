import { toHex } from '../crypto/hash.js';
import { type Vote, VoteType } from '../vote/vote.js';
import type { Weights } from './weights.js';

/** Id of a value (a block) in tallies: the hex of its block hash; `nil` for a nil vote. */
export type ValueId = string;
export const NIL = 'nil';

export function valueIdOf(vote: Pick<Vote, 'blockId'>): ValueId {
  return vote.blockId === null ? NIL : toHex(vote.blockId.hash);
}

/** Votes kept per validator per (round, type): the first and one conflicting vote. */
export const maxVotesPerValidator = 2;

/** A validator may hold votes in at most this many rounds above `round + 1` (bounds memory against spam). */
export const maxFutureRoundsPerValidator = 2;

export type AddVoteResult =
  | { readonly status: 'added' }
  | { readonly status: 'duplicate' }
  | { readonly status: 'unknown-validator' }
  | { readonly status: 'too-far-ahead' }
  | { readonly status: 'equivocation'; readonly first: Vote; readonly second: Vote };

interface Tally {
  /**
   * Votes by validator address (hex): the first, and at most one conflicting vote. The paper
   * counts every sender of a vote for v towards v, so an equivocator counts once for each of its
   * (at most two kept) values, but only once in `any`. With less than 1/3 faulty power two values
   * still cannot both pass 2/3, and a node that first saw an equivocator's other vote can still
   * verify a proof of lock that needs this one.
   */
  readonly votes: Map<string, Vote[]>;
  /** Power per value id. */
  readonly byValue: Map<ValueId, bigint>;
  /** Power of all votes of this type in the round. */
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
 * Per-round weighted tallies of one height's prevotes and precommits. It keeps the first vote of
 * each validator per (round, type); a second, different one is equivocation and is reported (with
 * both votes, for evidence) but never counted. Tallies only grow, so "threshold reached" is
 * monotonic and the engine fires each rule once by remembering that it did.
 */
export class VoteKeeper {
  readonly #weights: Weights;
  readonly #rounds = new Map<number, RoundVotes>();
  readonly #futureRounds = new Map<string, Set<number>>();

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
    const existing = tally.votes.get(who);
    if (existing !== undefined) {
      if (existing.some((v) => valueIdOf(v) === id)) return { status: 'duplicate' };
      const first = existing[0] as Vote;
      if (existing.length >= maxVotesPerValidator) return { status: 'duplicate' };
      existing.push(vote);
      tally.byValue.set(id, (tally.byValue.get(id) ?? 0n) + power);
      return { status: 'equivocation', first, second: vote };
    }
    tally.votes.set(who, [vote]);
    tally.byValue.set(id, (tally.byValue.get(id) ?? 0n) + power);
    tally.any += power;
    this.#addSender(round, who, power);
    return { status: 'added' };
  }

  /**
   * What `add` would do with this vote, without doing it: `duplicate` for a value already held in
   * that validator's slot (whatever its signature bytes) or a third value, `too-far-ahead` for a
   * round beyond the validator's allowance, else `admit`.
   */
  admission(vote: Vote, currentRound: number): 'admit' | 'duplicate' | 'too-far-ahead' {
    const who = toHex(vote.validatorAddress);
    if (this.#weights.powerOf(who) === undefined) return 'admit'; // `add` reports it
    const existing = this.#tally(vote.type, vote.round)?.votes.get(who);
    if (existing !== undefined) {
      const id = valueIdOf(vote);
      const fresh = existing.length < maxVotesPerValidator && !existing.some((v) => valueIdOf(v) === id);
      return fresh ? 'admit' : 'duplicate';
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

  /** The `type` votes of `round` (for commits, catch-up and rebroadcast), conflicting ones included. */
  votes(type: VoteType, round: number): Vote[] {
    return [...(this.#tally(type, round)?.votes.values() ?? [])].flat();
  }

  /** The first `type` vote of one validator in `round`, if any. */
  voteOf(type: VoteType, round: number, addressHex: string): Vote | undefined {
    return this.#tally(type, round)?.votes.get(addressHex)?.[0];
  }

  /** The `type` vote of one validator in `round` for `value`, if it cast one. */
  voteFor(type: VoteType, round: number, addressHex: string, value: ValueId): Vote | undefined {
    return this.#tally(type, round)
      ?.votes.get(addressHex)
      ?.find((v) => valueIdOf(v) === value);
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
  return { votes: new Map(), byValue: new Map(), any: 0n };
}
