import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hash.js';
import { proposerForRound } from '../validators/proposer.js';
import { makeValidator, makeValidatorSet } from '../validators/validator-set.js';
import { bestSplit } from './coalition-double.js';
import { planSplit } from './coalition-split.js';
import { SeededRng } from './rng.js';
import { exactThirdPowers } from './scenario.js';
import { type RunSeedsOptions, runSeeds } from './summary.js';

/**
 * A few seeds of each behaviour the simulator adds to the random mix (the long runs are
 * `npm run sim`, the mutations each of them catches `npm run sim:mutants`). Each run must be
 * safe, live, valid and hold the evidence it saw — and must have exercised the behaviour.
 */
describe.each<{
  name: string;
  validators: number;
  byzantine: number;
  seeds: number;
  options: RunSeedsOptions;
}>([
  { name: 'tight timing', validators: 4, byzantine: 1, seeds: 8, options: { mode: 'tight' } },
  { name: 'double polka', validators: 4, byzantine: 1, seeds: 4, options: { mode: 'double-polka' } },
  { name: 'exact third', validators: 4, byzantine: 1, seeds: 6, options: { mode: 'exact-third' } },
  { name: 'lock split', validators: 4, byzantine: 1, seeds: 6, options: { mode: 'lock-split' } },
  {
    name: 'lock attack with forged polRounds',
    validators: 4,
    byzantine: 1,
    seeds: 6,
    options: { mode: 'attack' },
  },
  {
    name: 'WAL loss',
    validators: 4,
    byzantine: 0,
    seeds: 8,
    options: { mode: 'standard', walLoss: true },
  },
  {
    name: 'unequal powers, many small Byzantine validators',
    validators: 4,
    byzantine: 2,
    seeds: 4,
    options: { mode: 'double-polka', powers: [1n, 1n, 2n, 5n] },
  },
  {
    name: 'forged polRound re-proposals',
    validators: 4,
    byzantine: 1,
    seeds: 4,
    options: { mode: 'standard', byzantineKind: 'forge-pol' },
  },
  {
    name: 'an equivocator with three or more values',
    validators: 4,
    byzantine: 1,
    seeds: 4,
    options: { mode: 'standard', byzantineKind: 'equivocate-many' },
  },
])('simulator, $name', ({ validators, byzantine, seeds, options }) => {
  it(`${seeds} seeds: safe, live, valid, with evidence for what was seen`, { timeout: 300_000 }, async () => {
    const s = await runSeeds(500, seeds, validators, byzantine, undefined, options);
    expect(s.failures, JSON.stringify(s.failures.slice(0, 3))).toEqual([]);
    expect(s.seeds).toBe(seeds);
    const behaviour = options.byzantineKind ?? options.mode ?? 'standard';
    expect(s.behaviours[behaviour]?.seeds).toBe(seeds);
    if (options.walLoss === true) expect(s.walLosses).toBeGreaterThan(0);
    if (options.mode === 'exact-third') expect(s.livenessNotRequired).toBe(seeds);
    else expect(s.heightsDecided).toBeGreaterThanOrEqual(seeds * 5);
  });
});

describe('the adversaries’ plans', () => {
  it('exact-third powers: the Byzantine hold 1/3, the correct split into two halves of 1/3', () => {
    for (let seed = 0; seed < 50; seed++) {
      for (const [n, f] of [
        [4, 1],
        [7, 2],
        [10, 3],
      ] as const) {
        const { powers, byzantine } = exactThirdPowers(n, f, new SeededRng(seed));
        const total = powers.reduce((a, b) => a + b, 0n);
        const byz = byzantine.reduce((a, i) => a + (powers[i] as bigint), 0n);
        const c = n - f;
        const half = powers.slice(0, Math.ceil(c / 2)).reduce((a, b) => a + b, 0n);
        expect(powers).toHaveLength(n);
        expect(powers.every((p) => p >= 1n)).toBe(true);
        expect(byz * 3n).toBe(total);
        expect(half * 3n).toBe(total);
      }
    }
  });

  it('the double polka splits by power or by numbers', () => {
    const v = (p: bigint) => ({ votingPower: p });
    const [a, b] = bestSplit([v(1n), v(1n), v(2n)], false);
    expect(a.reduce((s, x) => s + x.votingPower, 0n)).toBe(2n);
    expect(b.reduce((s, x) => s + x.votingPower, 0n)).toBe(2n);
    const [c, d] = bestSplit([v(2n), v(5n)], true);
    expect([c.length, d.length]).toEqual([1, 1]);
  });

  it('the lock split needs A: B and C hold at most 2/3 without it, more with the coalition', () => {
    const keys = Array.from({ length: 4 }, (_, i) => generateKeyPair(new Uint8Array(32).fill(i + 1)));
    const set = makeValidatorSet(keys.map((k) => makeValidator(k.publicKey, 1n)));
    const byz = set.validators[3] as (typeof set.validators)[number];
    const mine = new Set([toHex(byz.address)]);
    const plan = planSplit(set, mine, 1);
    // Round 1's proposer must be correct (it proposes the fresh W).
    if (mine.has(toHex(proposerForRound(set, 1).address))) {
      expect(plan).toBeNull();
      return;
    }
    expect(plan).not.toBeNull();
    if (plan === null) return;
    expect(plan.c.length).toBeGreaterThan(0);
    expect(plan.c).not.toContain(plan.a);
    expect(mine.has(plan.a)).toBe(false);
  });
});
