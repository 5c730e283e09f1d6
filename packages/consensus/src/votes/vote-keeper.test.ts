import { describe, expect, it } from 'vitest';
import { maxCountedVotesPerValidatorRoundType, maxPendingVotesPerValidatorRoundType } from '../constants.js';
import { type Vote, VoteType } from '../vote/vote.js';
import { NIL, VoteKeeper } from './vote-keeper.js';
import { isQuorum, type Weights } from './weights.js';

// Validators named by a letter; address = 20 bytes of the letter's index + 0xa.
const hex = (i: number) => Buffer.from(new Uint8Array(20).fill(0xa + i)).toString('hex');
const value = (i: number) => i.toString(16).padStart(2, '0').repeat(32);
const V = value(1);
const W = value(2);
const P = VoteType.Prevote;
const C = VoteType.Precommit;

function equalWeights(n: number): Weights {
  const powers = new Map(Array.from({ length: n }, (_, i) => [hex(i), 1n] as const));
  return { total: BigInt(n), powerOf: (h) => powers.get(h) };
}

let signatures = 0;
function vote(type: VoteType, round: number, val: string | null, who: number): Vote {
  const signature = new Uint8Array(64);
  signature[0] = ++signatures % 256;
  signature[1] = Math.floor(signatures / 256) % 256;
  return {
    type,
    height: 1,
    round,
    blockId: val === null ? null : { hash: Buffer.from(val, 'hex') },
    timestamp: 0,
    validatorAddress: new Uint8Array(20).fill(0xa + who),
    validatorIndex: who,
    signature,
  };
}

// n = 4, f = 1: a = 0, b = 1 (Byzantine), c = 2, d = 3; the keeper is the one of a node that
// missed the round-0 proposal. c and d prevoted V; b sends it nil, then W, then V.
const [b, c, d] = [1, 2, 3];

describe('VoteKeeper against an equivocator with three or more values', () => {
  it('counts the Byzantine prevote for V even after nil and W (votes for V first)', () => {
    const k = new VoteKeeper(equalWeights(4));
    k.add(vote(P, 0, V, c), 0);
    k.add(vote(P, 0, V, d), 0);
    expect(k.add(vote(P, 0, null, b), 0).status).toBe('added');
    expect(k.add(vote(P, 0, W, b), 0).status).toBe('equivocation');
    expect(k.admission(vote(P, 0, V, b), 0)).toBe('admit');
    expect(k.add(vote(P, 0, V, b), 0).status).toBe('added');
    expect(k.power(P, 0, V)).toBe(3n);
    expect(isQuorum(k.power(P, 0, V), 4n)).toBe(true);
    // The equivocator counts once in "any" and once per value.
    expect(k.anyPower(P, 0)).toBe(3n);
    expect(k.power(P, 0, NIL)).toBe(1n);
    expect(k.power(P, 0, W)).toBe(1n);
  });

  it('counts it too when the Byzantine votes arrive before the honest ones', () => {
    const k = new VoteKeeper(equalWeights(4));
    k.add(vote(P, 0, null, b), 0);
    k.add(vote(P, 0, W, b), 0);
    expect(k.add(vote(P, 0, V, b), 0).status).toBe('pending');
    expect(k.power(P, 0, V)).toBe(0n);
    k.add(vote(P, 0, V, c), 0);
    k.add(vote(P, 0, V, d), 0); // V now has more than 1/3 of first votes: b's pending vote counts
    expect(k.power(P, 0, V)).toBe(3n);
    expect(k.voteFor(P, 0, hex(b), V)).toBeDefined();
    expect(k.votes(P, 0).filter((v) => v.validatorIndex === b)).toHaveLength(3);
  });

  it('counts a vote it had to drop once it arrives again (a proof of lock) after the value is tracked', () => {
    const k = new VoteKeeper(equalWeights(4));
    k.add(vote(P, 0, null, b), 0);
    k.add(vote(P, 0, W, b), 0);
    for (let i = 0; i < maxPendingVotesPerValidatorRoundType; i++) k.add(vote(P, 0, value(10 + i), b), 0);
    const late = vote(P, 0, V, b);
    expect(k.admission(late, 0)).toBe('duplicate'); // pending slots full: not kept, not logged
    expect(k.add(late, 0).status).toBe('duplicate');
    k.add(vote(P, 0, V, c), 0);
    k.add(vote(P, 0, V, d), 0);
    expect(k.power(P, 0, V)).toBe(2n);
    const again = vote(P, 0, V, b);
    expect(k.admission(again, 0)).toBe('admit');
    expect(k.add(again, 0).status).toBe('added');
    expect(k.power(P, 0, V)).toBe(3n);
  });

  it('never counts one validator twice toward the same value', () => {
    const k = new VoteKeeper(equalWeights(4));
    k.add(vote(C, 0, V, c), 0);
    k.add(vote(C, 0, V, d), 0);
    k.add(vote(C, 0, null, b), 0);
    k.add(vote(C, 0, V, b), 0);
    expect(k.add(vote(C, 0, V, b), 0).status).toBe('duplicate'); // re-signed copy
    expect(k.power(C, 0, V)).toBe(3n);
    expect(k.anyPower(C, 0)).toBe(3n);
    expect(k.senderPower(0)).toBe(3n);
  });

  it('reports equivocation once per validator, with its first and first conflicting vote', () => {
    const k = new VoteKeeper(equalWeights(4));
    k.add(vote(P, 0, V, c), 0);
    k.add(vote(P, 0, V, d), 0);
    const first = vote(P, 0, null, b);
    const second = vote(P, 0, W, b);
    k.add(first, 0);
    expect(k.add(second, 0)).toEqual({ status: 'equivocation', first, second });
    expect(k.add(vote(P, 0, V, b), 0).status).toBe('added');
  });

  it('keeps a bounded number of votes per validator, round and type, whatever an equivocator signs', () => {
    const n = 7;
    const k = new VoteKeeper(equalWeights(n));
    // Two Byzantine validators (0, 1) sign 500 values each, interleaved with the honest first votes.
    for (let i = 0; i < 500; i++) {
      for (const byz of [0, 1]) {
        k.add(vote(P, 0, value(i % 250), byz), 0);
        k.add(vote(C, 0, value(249 - (i % 250)), byz), 0);
      }
      if (i === 100) for (const h of [2, 3, 4]) k.add(vote(P, 0, V, h), 0);
      if (i === 200) for (const h of [5, 6]) k.add(vote(P, 0, W, h), 0);
    }
    const perType = maxCountedVotesPerValidatorRoundType + maxPendingVotesPerValidatorRoundType;
    expect(k.heldVotes()).toBeLessThanOrEqual(2 * 2 * perType + 5);
    // V has more than 1/3 of the first votes: both Byzantine votes for it count. W (2 of 7 first
    // votes) is not tracked: it could not reach a quorum with every Byzantine vote anyway.
    expect(k.power(P, 0, V)).toBe(5n);
    expect(k.power(P, 0, W)).toBeLessThanOrEqual(4n);
  });
});
