import { runScenario, type ScenarioResult } from './scenario.js';

export interface SimSummary {
  readonly seeds: number;
  readonly validators: number;
  readonly byzantine: number;
  readonly safetyViolations: number;
  readonly livenessFailures: number;
  readonly validityViolations: number;
  readonly evidenceProblems: number;
  readonly heightsDecided: number;
  readonly crashes: number;
  readonly messages: number;
  readonly wallMs: number;
  /** Seeds that failed a check, with the first reason: `npm run sim -- --seed S` replays one. */
  readonly failures: readonly { readonly seed: number; readonly reason: string }[];
}

/** Runs `count` seeded scenarios from `firstSeed` and sums them up. */
export async function runSeeds(
  firstSeed: number,
  count: number,
  validators: number,
  byzantine: number,
  onResult?: (result: ScenarioResult) => void,
): Promise<SimSummary> {
  const started = performance.now();
  let safety = 0;
  let liveness = 0;
  let validity = 0;
  let evidence = 0;
  let heights = 0;
  let crashes = 0;
  let messages = 0;
  const failures: { seed: number; reason: string }[] = [];
  for (let seed = firstSeed; seed < firstSeed + count; seed++) {
    const r = await runScenario({ seed, validators, byzantine });
    onResult?.(r);
    safety += r.safetyViolations.length;
    liveness += r.livenessFailure === null ? 0 : 1;
    validity += r.validityViolations.length;
    evidence += r.evidenceProblems.length;
    heights += r.heightsDecided;
    crashes += r.crashes;
    messages += r.messages;
    const reason =
      r.safetyViolations[0] ?? r.livenessFailure ?? r.validityViolations[0] ?? r.evidenceProblems[0];
    if (reason !== undefined && reason !== null) failures.push({ seed, reason });
  }
  return {
    seeds: count,
    validators,
    byzantine,
    safetyViolations: safety,
    livenessFailures: liveness,
    validityViolations: validity,
    evidenceProblems: evidence,
    heightsDecided: heights,
    crashes,
    messages,
    wallMs: Math.round(performance.now() - started),
    failures,
  };
}
