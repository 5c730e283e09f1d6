import { describe, expect, it } from 'vitest';
import { runScenario } from './scenario.js';
import { runSeeds } from './summary.js';

/**
 * A bounded sample of seeded scenarios on every `npm test` (the long runs are `npm run sim`).
 * Each seed mixes Byzantine validators below 1/3 of the power, crashes with amnesia, drops,
 * duplicates, delays, partitions and a late GST; a failure names its seed, which
 * `npm run sim -- --seed S --validators V` replays with a trace.
 */
describe.each([
  { validators: 4, seeds: 150, from: 1_000 },
  { validators: 7, seeds: 60, from: 2_000 },
  { validators: 10, seeds: 30, from: 3_000 },
])('simulator, $validators validators', ({ validators, seeds, from }) => {
  it(`${seeds} seeds: safe, live, valid, with evidence for what was seen`, { timeout: 300_000 }, async () => {
    const summary = await runSeeds(from, seeds, validators, Math.floor((validators - 1) / 3));
    expect(summary.failures, JSON.stringify(summary.failures.slice(0, 5))).toEqual([]);
    expect(summary.safetyViolations).toBe(0);
    expect(summary.livenessFailures).toBe(0);
    expect(summary.heightsDecided).toBeGreaterThanOrEqual(seeds * 5);
  });
});

describe('simulator, an equivocator with three or more values', () => {
  // Seeds where a vote keeper holding two votes per validator, round and type never decides again:
  // a node that saw the Byzantine nil and a random block first never counts its vote for the value
  // the others locked on, so it never confirms their proof of lock.
  it.each([110, 162, 300])('4 validators, seed %i: safe and live', { timeout: 60_000 }, async (seed) => {
    const r = await runScenario({ seed, validators: 4, byzantine: 1, byzantineKind: 'equivocate-many' });
    expect(r.byzantineKinds).toEqual(['equivocate-many']);
    expect(r.safetyViolations).toEqual([]);
    expect(r.livenessFailure).toBeNull();
    expect(r.evidenceProblems).toEqual([]);
  });
});

describe('simulator, a WAL loser that halts beside a twin', () => {
  // The WAL loser halts for good, so its power must stay within the faulty budget: the load that
  // raises correct validators' powers must pick by validator index, which the twin's extra node
  // shifts in the list of nodes. Picked by node index, it raised the halted validator to 4 of 11,
  // and the live correct validators and the twin (7 of 11) could never form a quorum again.
  it('4 validators, seed 1578: live without the halted validator', { timeout: 60_000 }, async () => {
    const r = await runScenario({ seed: 1578, validators: 4, byzantine: 1 });
    expect(r.byzantineKinds).toEqual(['twin']);
    expect(r.walLosses).toBe(1);
    expect(r.halted).toBe(1);
    expect(r.safetyViolations).toEqual([]);
    expect(r.livenessFailure).toBeNull();
    expect(r.heightsDecided).toBeGreaterThanOrEqual(5);
  });
});
