import { describe, expect, it } from 'vitest';
import { type Vote, VoteType } from '../vote/vote.js';
import { NIL } from '../votes/vote-keeper.js';
import type { Weights } from '../votes/weights.js';
import { apply, newHeightState } from './machine.js';
import { defaultTimeouts, type Effect, type HeightState, Step } from './types.js';

// Four validators a, b, c, d (addresses are 20 bytes of 0xa.., 0xb.., …). With equal powers of 1
// the total is 4: a quorum (>2/3) needs 3 votes, "f+1" (>1/3) needs 2.
const names = ['a', 'b', 'c', 'd'] as const;
type Name = (typeof names)[number];
const addr = (n: Name) => new Uint8Array(20).fill(0xa + names.indexOf(n));
const hex = (n: Name) => Buffer.from(addr(n)).toString('hex');
const V1 = '11'.repeat(32);
const V2 = '22'.repeat(32);

function weights(powers: Record<Name, bigint>): Weights {
  const total = Object.values(powers).reduce((x, y) => x + y, 0n);
  return {
    total,
    powerOf: (h) => names.map((n) => [hex(n), powers[n]] as const).find(([k]) => k === h)?.[1],
  };
}

function vote(type: 1 | 2, round: number, value: string | null, who: Name): Vote {
  return {
    type,
    height: 1,
    round,
    blockId: value === null ? null : { hash: Buffer.from(value, 'hex') },
    timestamp: 0,
    validatorAddress: addr(who),
    validatorIndex: names.indexOf(who),
    signature: new Uint8Array(64),
  };
}

/** A machine for validator `a`; `a` proposes the rounds in `mine`. */
function machine(
  mine: number[] = [],
  powers: Record<Name, bigint> = { a: 1n, b: 1n, c: 1n, d: 1n },
): HeightState {
  const s = newHeightState(1, weights(powers), (r) => mine.includes(r), defaultTimeouts);
  apply(s, { kind: 'start' });
  return s;
}

const proposal = (s: HeightState, round: number, value: string, polRound = -1, valid = true): Effect[] =>
  apply(s, { kind: 'proposal', round, record: { value, polRound, valid, proposer: hex('b') } });
const votes = (s: HeightState, type: 1 | 2, round: number, value: string | null, who: Name[]): Effect[] =>
  who.flatMap((w) => apply(s, { kind: 'vote', vote: vote(type, round, value, w) }));
const votesOf = (effects: Effect[]) => effects.filter((e) => e.kind === 'vote');
const P = VoteType.Prevote;
const C = VoteType.Precommit;

describe('upon-rules of Algorithm 1', () => {
  it('L11/L21: the proposer asks for a value, others wait for the propose timeout', () => {
    const s = newHeightState(1, weights({ a: 1n, b: 1n, c: 1n, d: 1n }), (r) => r === 0, defaultTimeouts);
    const effects = apply(s, { kind: 'start' });
    expect(effects.map((e) => e.kind)).toEqual(['newRound', 'scheduleTimeout', 'getValue']);
    expect(apply(s, { kind: 'ownValue', round: 0, value: V1 })).toEqual([
      { kind: 'propose', round: 0, value: V1, polRound: -1 },
    ]);
  });

  it('L22: prevotes a valid fresh proposal when not locked, nil when invalid', () => {
    const s = machine();
    expect(votesOf(proposal(s, 0, V1))).toEqual([{ kind: 'vote', type: P, round: 0, value: V1 }]);
    expect(s.step).toBe(Step.Prevote);
    const t = machine();
    expect(votesOf(proposal(t, 0, V1, -1, false))).toEqual([
      { kind: 'vote', type: P, round: 0, value: null },
    ]);
  });

  it('L22: a node locked on another value prevotes nil', () => {
    const s = machine();
    proposal(s, 0, V1);
    votes(s, P, 0, V1, ['b', 'c', 'd']); // polka for V1 → lock (L36)
    expect(s.lockedValue).toBe(V1);
    votes(s, C, 0, null, ['b', 'c', 'd']); // precommit timeout → round 1
    apply(s, { kind: 'timeout', step: 'precommit', round: 0 });
    expect(s.round).toBe(1);
    expect(votesOf(proposal(s, 1, V2))).toEqual([{ kind: 'vote', type: P, round: 1, value: null }]);
  });

  it('L28: a re-proposal with a polka newer than the lock unlocks the node', () => {
    const s = machine();
    proposal(s, 0, V1);
    votes(s, P, 0, V1, ['b', 'c']); // with a's own prevote for V1: a polka in round 0
    apply(s, { kind: 'vote', vote: vote(P, 0, V1, 'a') });
    expect(s.lockedRound).toBe(0);
    apply(s, { kind: 'timeout', step: 'precommit', round: 0 }); // no-op: precommit timeout not reached
    votes(s, C, 0, null, ['b', 'c', 'd']);
    apply(s, { kind: 'timeout', step: 'precommit', round: 0 });
    expect(s.round).toBe(1);
    votes(s, P, 1, V2, ['b', 'c', 'd']); // a polka for V2 in round 1, which a did not see as a proposal
    apply(s, { kind: 'timeout', step: 'propose', round: 1 });
    votes(s, C, 1, null, ['b', 'c', 'd']);
    apply(s, { kind: 'timeout', step: 'precommit', round: 1 });
    expect(s.round).toBe(2);
    // Round 2 re-proposes V2 with polRound 1 > lockedRound 0: a prevotes V2 despite its lock on V1.
    expect(votesOf(proposal(s, 2, V2, 1))).toEqual([{ kind: 'vote', type: P, round: 2, value: V2 }]);
  });

  it('L28 hidden lock: a re-proposal with a polka older than the lock gets nil', () => {
    const s = machine();
    apply(s, { kind: 'timeout', step: 'propose', round: 0 });
    votes(s, P, 0, V2, ['b', 'c', 'd']); // polka for V2 in round 0 (a prevoted nil)
    votes(s, C, 0, null, ['b', 'c', 'd']);
    apply(s, { kind: 'timeout', step: 'precommit', round: 0 });
    proposal(s, 1, V1); // round 1: a locks on V1 (its own prevote is fed back as the driver does)
    votes(s, P, 1, V1, ['a', 'b', 'c']);
    expect(s.lockedValue).toBe(V1);
    expect(s.lockedRound).toBe(1);
    votes(s, C, 1, null, ['b', 'c', 'd']);
    apply(s, { kind: 'timeout', step: 'precommit', round: 1 });
    // Round 2 re-proposes V2 from round 0: polRound 0 < lockedRound 1, so a keeps its lock.
    expect(votesOf(proposal(s, 2, V2, 0))).toEqual([{ kind: 'vote', type: P, round: 2, value: null }]);
  });

  it('L28 waits for the polka of polRound before prevoting', () => {
    const s = machine();
    apply(s, { kind: 'timeout', step: 'propose', round: 0 });
    votes(s, C, 0, null, ['b', 'c', 'd']);
    apply(s, { kind: 'timeout', step: 'precommit', round: 0 });
    expect(votesOf(proposal(s, 1, V1, 0))).toEqual([]);
    expect(s.step).toBe(Step.Propose);
    expect(votesOf(votes(s, P, 0, V1, ['b', 'c', 'd']))).toEqual([
      { kind: 'vote', type: P, round: 1, value: V1 },
    ]);
  });

  it('L34: +2/3 prevotes of mixed values schedule the prevote timeout once', () => {
    const s = machine();
    proposal(s, 0, V1);
    const effects = votes(s, P, 0, null, ['b', 'c']).concat(votes(s, P, 0, V2, ['d']));
    const timeouts = effects.filter((e) => e.kind === 'scheduleTimeout' && e.step === 'prevote');
    expect(timeouts).toHaveLength(1);
  });

  it('L36: a polka for the proposal locks and precommits; after the prevote step it only sets validValue', () => {
    const s = machine();
    proposal(s, 0, V1);
    expect(votesOf(votes(s, P, 0, V1, ['a', 'b', 'c']))).toEqual([
      { kind: 'vote', type: C, round: 0, value: V1 },
    ]);
    expect([s.lockedValue, s.lockedRound, s.validValue, s.validRound]).toEqual([V1, 0, V1, 0]);

    const t = machine();
    proposal(t, 0, V1);
    apply(t, { kind: 'timeout', step: 'prevote', round: 0 }); // L61: precommit nil, step → precommit
    expect(t.step).toBe(Step.Precommit);
    votes(t, P, 0, V1, ['a', 'b', 'c']);
    expect([t.lockedValue, t.validValue, t.validRound]).toEqual([null, V1, 0]);
  });

  it('L44: a polka for nil precommits nil', () => {
    const s = machine();
    proposal(s, 0, V1);
    expect(votesOf(votes(s, P, 0, null, ['b', 'c', 'd']))).toEqual([
      { kind: 'vote', type: C, round: 0, value: null },
    ]);
  });

  it('L47: +2/3 precommits of mixed values schedule the precommit timeout once', () => {
    const s = machine();
    const effects = votes(s, C, 0, null, ['b', 'c']).concat(votes(s, C, 0, V2, ['d']));
    expect(effects.filter((e) => e.kind === 'scheduleTimeout' && e.step === 'precommit')).toHaveLength(1);
  });

  it("L49: decides on +2/3 precommits of any round with that round's proposal", () => {
    const s = machine();
    proposal(s, 0, V1);
    expect(votes(s, C, 0, V1, ['b', 'c', 'd'])).toContainEqual({ kind: 'decide', round: 0, value: V1 });
    // A node already in round 1 still decides on round 0's precommits once it has round 0's proposal.
    const late = machine();
    apply(late, { kind: 'timeout', step: 'propose', round: 0 });
    votes(late, C, 0, null, ['a']);
    votes(late, P, 1, null, ['b', 'c']); // f+1 in round 1: skip there
    expect(late.round).toBe(1);
    votes(late, C, 0, V1, ['b', 'c', 'd']);
    expect(late.decision).toBeNull();
    expect(proposal(late, 0, V1)).toContainEqual({ kind: 'decide', round: 0, value: V1 });
    // An invalid value is never decided.
    const bad = machine();
    proposal(bad, 0, V2, -1, false);
    expect(votes(bad, C, 0, V2, ['b', 'c', 'd'])).not.toContainEqual(
      expect.objectContaining({ kind: 'decide' }),
    );
  });

  it('L55: f+1 of the power in a higher round makes the node skip to it', () => {
    const s = machine();
    expect(s.round).toBe(0);
    votes(s, P, 5, V1, ['b']);
    expect(s.round).toBe(0);
    const effects = votes(s, C, 5, null, ['c']);
    expect(s.round).toBe(5);
    expect(effects).toContainEqual({ kind: 'newRound', round: 5 });
  });

  it('L57/L61/L65: timeouts act only in their round and step', () => {
    const s = machine();
    expect(apply(s, { kind: 'timeout', step: 'propose', round: 3 })).toEqual([]);
    expect(votesOf(apply(s, { kind: 'timeout', step: 'propose', round: 0 }))).toEqual([
      { kind: 'vote', type: P, round: 0, value: null },
    ]);
    expect(votesOf(apply(s, { kind: 'timeout', step: 'prevote', round: 0 }))).toEqual([
      { kind: 'vote', type: C, round: 0, value: null },
    ]);
    expect(apply(s, { kind: 'timeout', step: 'precommit', round: 0 })).toContainEqual({
      kind: 'newRound',
      round: 1,
    });
  });

  it('a proposer with a valid value re-proposes it with its valid round', () => {
    const s = machine([1]);
    proposal(s, 0, V1);
    votes(s, P, 0, V1, ['a', 'b', 'c']);
    votes(s, C, 0, null, ['b', 'c', 'd']);
    const effects = apply(s, { kind: 'timeout', step: 'precommit', round: 0 });
    expect(effects).toContainEqual({ kind: 'propose', round: 1, value: V1, polRound: 0 });
  });

  it('counts power, not heads', () => {
    const s = machine([], { a: 1n, b: 5n, c: 1n, d: 1n }); // total 8: quorum needs > 16/3, so 6
    proposal(s, 0, V1);
    expect(votesOf(votes(s, P, 0, V1, ['c', 'd']))).toEqual([]); // a + c + d = 3
    expect(votesOf(votes(s, P, 0, V1, ['b']))).toEqual([{ kind: 'vote', type: C, round: 0, value: V1 }]);
  });

  it('reports an equivocation as evidence; the equivocator counts once per value, once in any', () => {
    const s = machine();
    proposal(s, 0, V1);
    votes(s, P, 0, V1, ['b']);
    const effects = votes(s, P, 0, V2, ['b']);
    expect(effects).toHaveLength(1);
    expect(effects[0]?.kind).toBe('evidence');
    expect(s.votes.power(P, 0, V1)).toBe(1n);
    expect(s.votes.power(P, 0, V2)).toBe(1n);
    expect(s.votes.anyPower(P, 0)).toBe(1n);
    // A third value from the same validator is held aside, uncounted: nil has no first votes.
    expect(votes(s, P, 0, null, ['b'])).toEqual([]);
    expect(s.votes.power(P, 0, NIL)).toBe(0n);
  });

  it('an equivocator with three values cannot hide the polka a re-proposal needs (n = 4, f = 1)', () => {
    // a missed the round-0 proposal; c and d prevoted and locked V1; b, Byzantine, sends a nil,
    // then V2, then V1 before the honest votes arrive. In round 1, V1 is re-proposed with polRound 0.
    const s = machine();
    votes(s, P, 0, null, ['b']);
    votes(s, P, 0, V2, ['b']);
    votes(s, P, 0, V1, ['b']);
    votes(s, P, 0, V1, ['c', 'd']);
    expect(s.votes.power(P, 0, V1)).toBe(3n);
    apply(s, { kind: 'timeout', step: 'propose', round: 0 });
    apply(s, { kind: 'timeout', step: 'prevote', round: 0 });
    votes(s, C, 0, V1, ['c', 'd']);
    votes(s, C, 0, null, ['b']);
    apply(s, { kind: 'timeout', step: 'precommit', round: 0 });
    expect(s.round).toBe(1);
    expect(votesOf(proposal(s, 1, V1, 0))).toEqual([{ kind: 'vote', type: P, round: 1, value: V1 }]);
  });

  it('ignores votes from unknown validators and bounds votes far in the future', () => {
    const s = machine();
    const stranger = { ...vote(P, 0, V1, 'b'), validatorAddress: new Uint8Array(20).fill(0xee) };
    expect(apply(s, { kind: 'vote', vote: stranger })).toEqual([
      { kind: 'rejected', reason: 'unknown-validator' },
    ]);
    votes(s, P, 10, V1, ['b']);
    votes(s, P, 11, V1, ['b']);
    expect(votes(s, P, 12, V1, ['b'])).toEqual([{ kind: 'rejected', reason: 'too-far-ahead' }]);
  });
});
