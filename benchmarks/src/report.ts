import { cpus, totalmem } from 'node:os';

/**
 * The contract between a suite and `main`: what a suite is given (`SuiteOptions`) and what it returns
 * (`SuiteResult`), plus the figures the paper reports and Joule's targets for them (`targets`).
 * Rendering (Markdown, SVG, progress line, files) lives in `output/`.
 */

export type Row = Record<string, string | number>;

/** A machine-checkable target: `measured <op> value`. */
export interface Comparator {
  readonly op: '<' | '<=' | '>' | '>=';
  readonly value: number;
}

export interface Target extends Comparator {
  /** As the issue states it, e.g. `≤ 64 MB steady`. */
  readonly text: string;
}

/** A headline figure before it is measured: what it is, the paper's value and Joule's target. */
export interface FigureSpec {
  readonly name: string;
  /** Unit of `measured`, e.g. `MB`, `%`, `tx/s`, `ms`. */
  readonly unit: string;
  /** The paper's value as it reports it (`~100 MB`), or null when the paper has none. */
  readonly paper: string | null;
  readonly target: Target | null;
}

export interface Figure extends FigureSpec {
  /** Null when the suite could not measure it this run (the table then shows `—`). */
  readonly measured: number | null;
  /** How it was measured, when the name alone does not say (`extrapolated from 128 slots`). */
  readonly note?: string;
}

export type Point = readonly [t: number, value: number];

export interface SeriesStyle {
  /** Any SVG colour; by default a palette colour picked by the series' position. */
  readonly color?: string;
  /** Overrides the group's line style: validators solid, non-validators dashed. */
  readonly dashed?: boolean;
  /** Drawn as a vertical line at each point's time (events such as injected faults), not as a line. */
  readonly marks?: boolean;
}

/** A time series drawn as one line of a plot. */
export interface Series {
  /** Legend text, e.g. `node 03`. */
  readonly name: string;
  /** The plot it is drawn in; written as `<suite>-<plot>.svg` (e.g. `memory`, `cpu`, `network`). */
  readonly plot: string;
  /** Unit of the values (the plot's y axis), e.g. `MB`, `%`, `B/s`. */
  readonly unit: string;
  /** `[t, value]` with t in seconds since the start of the run (simulated seconds when time is compressed). */
  readonly points: readonly Point[];
  readonly group?: 'validator' | 'non-validator';
  readonly style?: SeriesStyle;
}

export interface PlotInfo {
  /** Plot title, e.g. `RSS per node at LIC load (cf. paper fig. 7)`; defaults to one derived from its id. */
  readonly title: string;
}

export interface SuiteResult {
  readonly suite: string;
  /** Detailed measurements, one table per run of rows with the same columns. */
  readonly rows: readonly Row[];
  /** Headline figures, shown next to the paper's and Joule's targets. */
  readonly figures?: readonly Figure[];
  readonly series?: readonly Series[];
  /** Titles of the plots named by `series[].plot`. */
  readonly plots?: Readonly<Record<string, PlotInfo>>;
}

/** A progress line on stderr; `tick` takes the count done so far (not an increment). */
export interface Progress {
  tick(done: number, extra?: string): void;
  done(extra?: string): void;
}

export interface SuiteOptions {
  /** Sampling time per measured task in ms (`--time`, default 500). */
  readonly timeMs: number;
  /** The command-line arguments after the suite name that `main` does not own, for the suite's own flags. */
  readonly args: readonly string[];
  /** Starts a progress display; `total` enables the percentage and ETA. */
  readonly progress: (label: string, total?: number) => Progress;
}

export interface Suite {
  /** One line for `npm run bench`. */
  readonly describe: string;
  /** The suite's own flags, e.g. `[--duration 24h] [--compress 300]`. */
  readonly usage?: string;
  readonly run: (options: SuiteOptions) => Promise<SuiteResult>;
}

/** A suite's flag it cannot accept; `main` prints the message and exits with 2, without a stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'BENCH_USAGE';
}

/** Whether `error` is a bad flag: a `UsageError`, or what `parseArgs` throws. */
export function isUsageError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof Error &&
    typeof code === 'string' &&
    (code === 'BENCH_USAGE' || code.startsWith('ERR_PARSE_ARGS'))
  );
}

/** Context written with every result, so numbers from two machines are never compared blind. */
export function environment(): Row {
  const cpu = cpus();
  return {
    node: process.versions.node,
    arch: process.arch,
    platform: process.platform,
    cpus: cpu.length,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    memMB: Math.round(totalmem() / 2 ** 20),
    date: new Date().toISOString(),
  };
}

/** Whether a figure meets its target; null when it has no target or was not measured. */
export function meetsTarget(figure: Figure): boolean | null {
  if (figure.target === null || figure.measured === null || !Number.isFinite(figure.measured)) return null;
  const { op, value } = figure.target;
  const m = figure.measured;
  switch (op) {
    case '<':
      return m < value;
    case '<=':
      return m <= value;
    case '>':
      return m > value;
    case '>=':
      return m >= value;
  }
}

/** A measured figure from its spec (usually one of `targets`). */
export function figure(spec: FigureSpec, measured: number | null, note?: string): Figure {
  return note === undefined ? { ...spec, measured } : { ...spec, measured, note };
}

/**
 * The table: the paper's figure (Cosmos SDK / Tendermint on the LIC boards) and Joule's target.
 * Suites report against these with `figure(targets.x, measured)`. MB are 2^20 bytes.
 */
export const targets = {
  rssValidator: {
    name: 'RSS of a validator at LIC load',
    unit: 'MB',
    paper: '~100 MB',
    target: { text: '≤ 64 MB steady', op: '<=', value: 64 },
  },
  rssGrowth: {
    name: 'RSS growth',
    unit: 'MB/day',
    paper: '~5 MB/day',
    target: { text: '< 0.1 MB per simulated day', op: '<', value: 0.1 },
  },
  cpu: {
    name: 'CPU at LIC load',
    unit: '% of one core',
    paper: '~4 % (ARM)',
    target: { text: '≤ 1 % of one core here', op: '<=', value: 1 },
  },
  disk10Days: {
    name: 'disk per node, 10 days',
    unit: 'MB',
    paper: '435–575 MB',
    target: { text: '≤ 20 MB', op: '<=', value: 20 },
  },
  throughput4Validators: {
    name: 'committed throughput, 4 validators',
    unit: 'tx/s',
    paper: null,
    target: { text: '≥ 2 000 tx/s on this 2-core machine', op: '>=', value: 2_000 },
  },
  commitLatencyP50: {
    name: 'submit → commit latency p50, loopback',
    unit: 'ms',
    paper: null,
    target: { text: 'p50 ≤ 50 ms with tuned timeouts', op: '<=', value: 50 },
  },
  settleMonthTotal: {
    name: 'settle a month, 10 000 meters × 2 880 slots',
    unit: 's',
    paper: null,
    target: { text: '≤ 30 s total', op: '<=', value: 30 },
  },
  settleWorkPerBlock: {
    name: 'settlement work per block (max)',
    unit: 'ms',
    paper: null,
    target: { text: '≤ 100 ms of work per block', op: '<=', value: 100 },
  },
} as const satisfies Record<string, FigureSpec>;
