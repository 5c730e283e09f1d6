import type { ByzantineKind } from './byzantine.js';
import { runScenario, type ScenarioMode, type ScenarioResult } from './scenario.js';

/** The problems found in the seeds that exercised one behaviour. */
export interface BehaviourCounts {
  seeds: number;
  /** Seeds with at least one problem. */
  failedSeeds: number;
  safetyViolations: number;
  livenessFailures: number;
  validityViolations: number;
  evidenceProblems: number;
}

export interface SimSummary {
  readonly seeds: number;
  readonly validators: number;
  readonly byzantine: number;
  /** The voting powers given with `--powers` (as decimal strings), or null when drawn per seed. */
  readonly powers: readonly string[] | null;
  readonly safetyViolations: number;
  readonly livenessFailures: number;
  readonly validityViolations: number;
  readonly evidenceProblems: number;
  readonly heightsDecided: number;
  readonly crashes: number;
  readonly walLosses: number;
  /** Correct nodes that stopped loudly (their driver refused to start again). */
  readonly halted: number;
  readonly messages: number;
  /** Seeds where liveness was not required (exact-third). */
  readonly livenessNotRequired: number;
  /** Per behaviour (a seed's mode, Byzantine kinds, `wal-loss`, `pruning`, `unequal-powers`). */
  readonly behaviours: Readonly<Record<string, BehaviourCounts>>;
  readonly wallMs: number;
  /** Seeds that failed a check, with the first reason: `npm run sim -- --seed S` replays one. */
  readonly failures: readonly { readonly seed: number; readonly reason: string }[];
}

export interface RunSeedsOptions {
  readonly powers?: readonly bigint[];
  readonly byzantineKind?: ByzantineKind;
  readonly mode?: ScenarioMode;
  /** False: no node prunes (see `ScenarioOptions.pruning`). */
  readonly pruning?: boolean;
  /** True: every standard seed with room for it loses a WAL. */
  readonly walLoss?: boolean;
  /** Stop at the first seed that fails a check (for mutation runs). */
  readonly bail?: boolean;
}

/** Runs `count` seeded scenarios from `firstSeed` and sums them up. */
export async function runSeeds(
  firstSeed: number,
  count: number,
  validators: number,
  byzantine: number,
  onResult?: (result: ScenarioResult) => void,
  options: RunSeedsOptions = {},
): Promise<SimSummary> {
  const started = performance.now();
  let safety = 0;
  let liveness = 0;
  let validity = 0;
  let evidence = 0;
  let heights = 0;
  let crashes = 0;
  let walLosses = 0;
  let halted = 0;
  let messages = 0;
  let notRequired = 0;
  let seeds = 0;
  const behaviours: Record<string, BehaviourCounts> = {};
  const failures: { seed: number; reason: string }[] = [];
  for (let seed = firstSeed; seed < firstSeed + count; seed++) {
    const r = await runScenario({
      seed,
      validators,
      byzantine,
      ...(options.powers !== undefined ? { powers: options.powers } : {}),
      ...(options.byzantineKind !== undefined ? { byzantineKind: options.byzantineKind } : {}),
      ...(options.mode !== undefined ? { mode: options.mode } : {}),
      ...(options.pruning !== undefined ? { pruning: options.pruning } : {}),
      ...(options.walLoss !== undefined ? { walLoss: options.walLoss } : {}),
    });
    seeds++;
    onResult?.(r);
    const live = r.livenessFailure === null ? 0 : 1;
    safety += r.safetyViolations.length;
    liveness += live;
    validity += r.validityViolations.length;
    evidence += r.evidenceProblems.length;
    heights += r.heightsDecided;
    crashes += r.crashes;
    walLosses += r.walLosses;
    halted += r.halted;
    messages += r.messages;
    if (!r.livenessChecked) notRequired++;
    const reason =
      r.safetyViolations[0] ?? r.livenessFailure ?? r.validityViolations[0] ?? r.evidenceProblems[0];
    for (const name of r.behaviours) {
      const b = behaviours[name] ?? {
        seeds: 0,
        failedSeeds: 0,
        safetyViolations: 0,
        livenessFailures: 0,
        validityViolations: 0,
        evidenceProblems: 0,
      };
      behaviours[name] = b;
      b.seeds++;
      if (reason !== undefined && reason !== null) b.failedSeeds++;
      b.safetyViolations += r.safetyViolations.length;
      b.livenessFailures += live;
      b.validityViolations += r.validityViolations.length;
      b.evidenceProblems += r.evidenceProblems.length;
    }
    if (reason !== undefined && reason !== null) {
      failures.push({ seed, reason: `[${r.behaviours.join(' ')}] ${reason}` });
      if (options.bail === true) break;
    }
  }
  return {
    seeds,
    validators: options.powers?.length ?? validators,
    byzantine,
    powers: options.powers?.map(String) ?? null,
    safetyViolations: safety,
    livenessFailures: liveness,
    validityViolations: validity,
    evidenceProblems: evidence,
    heightsDecided: heights,
    crashes,
    walLosses,
    halted,
    messages,
    livenessNotRequired: notRequired,
    behaviours: Object.fromEntries(Object.entries(behaviours).sort(([a], [b]) => (a < b ? -1 : 1))),
    wallMs: Math.round(performance.now() - started),
    failures,
  };
}
