import type { Row, Series, SuiteResult } from '../report.js';
import type { ChaosRun, FaultKind, Injection } from './run.js';

/** The p-th percentile (0–100, nearest rank) of `values`; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

const seconds = (s: number | null): string | number => (s === null ? '—' : Math.round(s * 10) / 10);

/** One row per fault class: the counts the suite is judged on. */
export function classRows(injections: readonly Injection[]): Row[] {
  const kinds = [...new Set(injections.map((i) => i.kind))];
  return kinds.map((kind) => {
    const of = injections.filter((i) => i.kind === kind);
    const rejoins = of.map((i) => i.rejoinS).filter((s): s is number => s !== null);
    const sum = (f: (i: Injection) => number) => of.reduce((a, i) => a + f(i), 0);
    return {
      fault: kind,
      injections: of.length,
      survived: of.filter((i) => i.survived).length,
      lostBlocks: sum((i) => i.lostBlocks),
      lostAckedTxs: sum((i) => i.lostAcked),
      doubleSigns: sum((i) => i.doubleSigns),
      manualRepairs: of.filter((i) => i.manualRepair !== null).length,
      forks: sum((i) => i.forks),
      stalls: of.filter((i) => i.stalled).length,
      noRejoin: of.length - rejoins.length,
      maxRejoinS: seconds(rejoins.length === 0 ? null : Math.max(...rejoins)),
      p50RejoinS: seconds(percentile(rejoins, 50)),
    };
  });
}

/** A colour per fault class for its marks, apart from the nodes' palette. */
const markColors: Readonly<Record<FaultKind, string>> = {
  'power-loss': 'black',
  'torn-write': 'gray',
  pause: 'olive',
  partition: 'maroon',
  delay: 'navy',
  throttle: 'teal',
  flap: 'purple',
  'clock-skew': 'darkorange',
  'disk-full': 'saddlebrown',
};

/** The suite's result: the table per fault class, the whole-run invariants, the injections that failed, heights over time. */
export function chaosResult(
  run: ChaosRun,
  options: { seed: number; faults: readonly string[] },
): SuiteResult {
  const failed = run.injections.filter((i) => !i.survived);
  const rows: Row[] = [
    ...classRows(run.injections),
    {
      check: 'whole run, from every store after the stop',
      seed: options.seed,
      minutes: Math.round(run.seconds / 6) / 10,
      blocksChecked: run.final.blocksChecked,
      finalHeights: run.finalHeights.join(' '),
      forks: run.final.forks,
      appHashMismatches: run.final.appHashMismatches,
      doubleSigns: run.final.doubleSigns,
      evidenceBlocks: run.final.evidenceBlocks,
      ackedTxs: run.acked.length,
      lostAckedTxs: run.final.lostAcked,
      nonMonotonicTimes: run.final.nonMonotonicTimes,
      meterTxs: run.txs,
      meterRefused: run.refused,
    },
    ...failed.map((i) => ({
      failedCycle: i.cycle,
      fault: i.kind,
      node: i.node,
      detail: i.detail,
      rejoinS: seconds(i.rejoinS),
      manualRepair: i.manualRepair ?? '—',
      lostBlocks: i.lostBlocks,
      stalled: i.stalled ? 'yes' : 'no',
    })),
  ];
  const series: Series[] = run.heights.map((h) => ({
    name: h.name,
    plot: 'heights',
    unit: 'height',
    points: h.points,
    group: h.validator ? 'validator' : 'non-validator',
  }));
  // Faults drawn as marks at the moment each began, one series per class.
  for (const kind of new Set(run.injections.map((i) => i.kind)))
    series.push({
      name: `${kind} (fault)`,
      plot: 'heights',
      unit: 'height',
      points: run.injections.filter((i) => i.kind === kind).map((i) => [i.t, 0] as const),
      style: { marks: true, color: markColors[kind] },
    });
  return {
    suite: 'chaos',
    rows,
    series,
    plots: { heights: { title: `height per node over time, faults marked (seed ${options.seed})` } },
  };
}
