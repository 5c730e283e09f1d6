import { describe, expect, it } from 'vitest';
import { faultKinds, runChaos } from './run.js';

const quiet = { tick: () => undefined, done: () => undefined };

/**
 * Long: the LIC network of 8 processes and one fault of every class (a short pause), with every
 * invariant checked (a few minutes on two cores). Runs with `npm run test:long`.
 */
describe('chaos suite, smoke', () => {
  it('survives one fault of every class with no fork, double sign or lost acknowledged transaction', async () => {
    const lines: string[] = [];
    const run = await runChaos({
      faults: faultKinds,
      cycles: faultKinds.length,
      seed: 11,
      pauseMs: [2_000, 4_000],
      nodes: 8,
      validators: 4,
      basePort: 29_700,
      compress: 300,
      rejoinTimeoutMs: 90_000,
      progress: () => quiet,
      log: (line) => lines.push(line),
    });
    const why = lines.join('\n');
    expect(
      run.injections.map((i) => i.kind),
      why,
    ).toEqual([...faultKinds]);
    expect(
      run.injections.filter((i) => !i.survived),
      why,
    ).toEqual([]);
    expect(run.final, why).toMatchObject({
      forks: 0,
      appHashMismatches: 0,
      doubleSigns: 0,
      lostAcked: 0,
      nonMonotonicTimes: 0,
    });
    expect(run.final.blocksChecked).toBeGreaterThan(0);
    expect(run.acked.length).toBeGreaterThan(0);
    // Every node ends at the same height, give or take the block being committed when it stopped.
    expect(Math.max(...run.finalHeights) - Math.min(...run.finalHeights)).toBeLessThanOrEqual(2);
  }, 1_200_000);
});
