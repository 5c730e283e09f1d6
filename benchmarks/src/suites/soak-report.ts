import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  compareByClass,
  type HeapSnapshot,
  instanceLengths,
  readHeapSnapshot,
  retainersOf,
} from '../lic/heap-snapshot.js';
import type { LicLoadRun } from '../lic/load.js';
import type { NodeMemory } from '../lic/memory.js';
import { warmupShare } from '../lic/stats.js';
import { type Trend, trend, windowMeans } from '../lic/trend.js';
import { duration } from '../output/progress.js';
import { type FigureSpec, figure, type Row, type Series, type SuiteResult, targets } from '../report.js';
import { licResult } from './lic.js';
import { checkpointReason, type Snapshot, type SoakRun } from './soak-run.js';

const MB = 2 ** 20;
/** Seconds of samples averaged into one point of the slope fits (longer than the GC's cycles here). */
export const slopeWindowSeconds = 60;
/** Classes shown in the heap comparison, and classes whose new objects' retainers are shown. */
const heapRowsShown = 25;
const retainedClassesShown = 6;

const growthTarget = { text: '< 0.1 MB/day', op: '<', value: 0.1 } as const;
export const soakTargets = {
  rss: {
    name: 'RSS growth of a validator, per real day',
    unit: 'MB/day',
    paper: '~5 MB/day',
    target: growthTarget,
  },
  anonymous: {
    name: 'anonymous-memory growth of a validator, per real day',
    unit: 'MB/day',
    paper: null,
    target: growthTarget,
  },
  heap: {
    name: 'V8 live heap growth (heap snapshots), per real day',
    unit: 'MB/day',
    paper: null,
    target: growthTarget,
  },
} as const satisfies Record<string, FigureSpec>;

/** Real seconds of one tick at compression ×1 (a slot of 15 minutes). */
const slotSeconds = 900;

/**
 * How far a partial run got, in one sentence: "stopped after X of Y ticks (why)", the real time of
 * load it covers against the planned, and the simulated days; null for a run that sent every tick.
 */
export function partialStatement(saved: SoakRun): string | null {
  const p = saved.partial;
  if (p === undefined) return null;
  const { run } = saved;
  const covered = Math.max(0, run.loadEnd - run.loadStart);
  const planned = (p.ticksPlanned * slotSeconds) / run.compress;
  const why =
    p.reason === checkpointReason ? `last checkpoint, written ${p.writtenAt} while the load ran` : p.reason;
  const days = (ticks: number) => (ticks / 96).toFixed(2);
  return `partial run: stopped after ${p.ticksDone} of ${p.ticksPlanned} ticks (${why}); ${duration(covered * 1000)} of load in real time of the ${duration(planned * 1000)} planned, ${days(p.ticksDone)} of ${days(p.ticksPlanned)} simulated days; every figure is of that span`;
}

/** The table "partial run": how far the run got, for a run that did not send every tick. */
function partialRows(saved: SoakRun): Row[] {
  const p = saved.partial;
  if (p === undefined) return [];
  const { run } = saved;
  return [
    {
      'partial run': `stopped after ${p.ticksDone} of ${p.ticksPlanned} ticks`,
      reason: p.reason === checkpointReason ? 'last checkpoint (written while the load ran)' : p.reason,
      writtenAt: p.writtenAt,
      realMinutesOfLoad: Math.round((Math.max(0, run.loadEnd - run.loadStart) / 60) * 10) / 10,
      realMinutesPlanned: Math.round(((p.ticksPlanned * slotSeconds) / run.compress / 60) * 10) / 10,
    },
  ];
}

interface NodeTrend {
  readonly name: string;
  readonly validator: boolean;
  readonly rss: Trend;
  /** The RSS slope over the second half of the fitted span only: a cache that filled levels off there. */
  readonly rssLastHalf: Trend;
  readonly anonymous: Trend;
  readonly meanRssMb: number;
}

/**
 * The soak's result: the lic figures of the run (RSS, anonymous memory, working set, CPU, disk);
 * each node's RSS and anonymous-memory slope per real day with its 95 % confidence interval, fitted
 * on 60 s means from the end of the warm-up (and of the first heap snapshot) to the end of the load;
 * each validator's memory by holder and by budgeted component over the same span; the two heap
 * snapshots compared by class, and who holds the new objects of the classes that grew. A partial run
 * (stopped, or its last checkpoint) is reported over what it covers, and says so first in its rows
 * and in every figure's note.
 */
export function soakResult(saved: SoakRun, dir: string): SuiteResult {
  const { run, snapshots } = saved;
  const lic = licResult('soak', run, saved.launch, saved.retainBlocks);
  const from = Math.max(
    run.loadStart + warmupShare * (run.loadEnd - run.loadStart),
    snapshots.start?.done ?? Number.NEGATIVE_INFINITY,
  );
  const to = run.loadEnd;
  const perDay = 86_400 / MB;
  const trends: NodeTrend[] = run.samples.map((node) => {
    const rss = node.samples.filter((s) => s.t >= from && s.t <= to).map((s) => [s.t, s.rssBytes] as const);
    const anon = (run.memory.find((m) => m.name === node.name)?.anonymous ?? []).filter(
      ([t]) => t >= from && t <= to,
    );
    const scale = (t: Trend): Trend => ({
      slope: t.slope * perDay,
      ci95: t.ci95 * perDay,
      n: t.n,
      residualSd: t.residualSd / MB,
    });
    return {
      name: node.name,
      validator: node.validator,
      rss: scale(trend(windowMeans(rss, slopeWindowSeconds))),
      rssLastHalf: scale(
        trend(
          windowMeans(
            rss.filter(([t]) => t >= (from + to) / 2),
            slopeWindowSeconds,
          ),
        ),
      ),
      anonymous: scale(trend(windowMeans(anon, slopeWindowSeconds))),
      meanRssMb: rss.reduce((a, [, b]) => a + b, 0) / Math.max(1, rss.length) / MB,
    };
  });
  const r = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
  const minutes = (to - from) / 60;
  const slopeRows: Row[] = trends.map((t) => ({
    'slopes per real day': t.name,
    role: t.name === snapshots.node ? 'validator, heap snapshots' : t.validator ? 'validator' : 'full node',
    fittedMinutes: r(minutes, 1),
    points: t.rss.n,
    meanRssMb: r(t.meanRssMb, 1),
    rssSlopeMbPerDay: r(t.rss.slope),
    rssCi95MbPerDay: r(t.rss.ci95),
    rssResidualSdMb: r(t.rss.residualSd),
    rssSlopeLastHalfMbPerDay: r(t.rssLastHalf.slope),
    rssCi95LastHalfMbPerDay: r(t.rssLastHalf.ci95),
    anonSlopeMbPerDay: r(t.anonymous.slope),
    anonCi95MbPerDay: r(t.anonymous.ci95),
    rssSlopeMbPerSimDay: r(t.rss.slope / run.compress, 3),
    // The interval narrows as the fitted span to the power 3/2 (n ∝ span, Σ(x − x̄)² ∝ span³).
    hoursForCi01: r((minutes / 60) * (t.rss.ci95 / 0.1) ** (2 / 3), 1),
  }));
  // Writing a heap snapshot takes the snapshot node's RSS up by about its heap's size for a while
  // (the snapshot's own graph, given back to malloc, not to the system): its slope says nothing of
  // the node. The verdict is the other validators'.
  const allValidators = trends.filter((t) => t.validator);
  const others = allValidators.filter((t) => t.name !== snapshots.node);
  const validators = others.length > 0 ? others : allValidators;
  const holderRows = run.memory
    .filter((m) => allValidators.some((t) => t.name === m.name))
    .map((m): Row => {
      const w = m.holders.filter((h) => h.t >= from && h.t <= to && Number.isFinite(h.external));
      const fit = (f: (h: (typeof w)[number]) => number) => {
        const t = trend(w.map((h) => [h.t, f(h)] as const));
        return `${r(t.slope * perDay)} ± ${r(t.ci95 * perDay)}`;
      };
      return {
        'anonymous memory growth by holder, MB per real day': m.name,
        windows: w.length,
        anonymous: fit((h) => h.anonymous),
        'V8 in use (old space, maps, large objects)': fit((h) => h.v8Used),
        'V8 committed': fit((h) => h.v8Committed),
        'Buffers, ArrayBuffers': fit((h) => h.external),
        'native (the rest)': fit((h) => h.anonymous - h.v8Committed - h.external),
      };
    });
  const tenthRows = memoryByTenth(run);
  const budgetedRows = run.memory
    .filter((m) => allValidators.some((t) => t.name === m.name))
    .flatMap((m) => budgetedMemoryRows(m, from, to));
  const upper = (t: Trend) => t.slope + t.ci95;
  const steepest = (key: 'rss' | 'anonymous') =>
    [...validators].sort((a, b) => upper(b[key]) - upper(a[key]))[0] as NodeTrend;
  const list = (key: 'rss' | 'anonymous') =>
    validators.map((t) => `${t.name} ${r(t[key].slope)} ± ${r(t[key].ci95)}`).join(', ');
  const partial = partialStatement(saved);
  const span = `fitted on ${r(minutes, 1)} min of real time (60 s means, from the end of the warm-up and the first heap snapshot to ${partial === null ? 'the end of the load' : 'the last sample before the stop'}) at ×${run.compress}`;
  const heap = heapComparison(saved, dir);
  const figures = [
    ...(lic.figures ?? []).filter((f) => f.name !== targets.rssGrowth.name),
    figure(
      soakTargets.rss,
      validators.length > 0 ? r(upper(steepest('rss').rss)) : null,
      `upper end of the 95 % CI of the steepest validator but ${snapshots.node} (whose RSS carries its heap snapshots); slope ± CI, MB/day: ${list('rss')}; ${span}`,
    ),
    figure(
      soakTargets.anonymous,
      validators.length > 0 ? r(upper(steepest('anonymous').anonymous)) : null,
      `upper end of the 95 % CI of the steepest validator; slope ± CI, MB/day: ${list('anonymous')}`,
    ),
    figure(soakTargets.heap, heap.growthMbPerDay === null ? null : r(heap.growthMbPerDay), heap.note),
  ].map((f) =>
    // A partial run's every figure says so, where the eye lands.
    partial === null ? f : { ...f, note: f.note === undefined ? partial : `${partial}. ${f.note}` },
  );
  const anonymousSeries: Series[] = run.memory.map((m) => ({
    name: m.name,
    plot: 'anonymous',
    unit: 'MB',
    points: windowMeans(
      m.anonymous
        .filter(([t]) => t >= run.loadStart)
        .map(([t, b]) => [(t - run.loadStart) * run.compress, b / MB]),
      slopeWindowSeconds * run.compress,
    ).map(([t, b]) => [Math.round(t), r(b, 1)] as [number, number]),
    group: run.samples.find((s) => s.name === m.name)?.validator === true ? 'validator' : 'non-validator',
  }));
  return {
    suite: 'soak',
    rows: [
      ...partialRows(saved),
      ...lic.rows,
      ...slopeRows,
      ...tenthRows,
      ...holderRows,
      ...budgetedRows,
      ...heap.rows,
    ],
    figures,
    series: [...(lic.series ?? []), ...anonymousSeries],
    plots: {
      ...lic.plots,
      anonymous: { title: 'Anonymous memory per node over simulated time, 60 s means' },
    },
  };
}

/**
 * The tables "anonymous memory by tenth of the load" and "RSS by tenth of the load": each node's
 * mean in each tenth of the load's span, headed by the simulated days it covers. Where a slope
 * fitted on 60 s means cannot tell a level from a rise (an accelerated run is short in real time),
 * the tenths show whether memory rose while the bounded caches filled and then held level.
 */
export function memoryByTenth(run: LicLoadRun): Row[] {
  const span = run.loadEnd - run.loadStart;
  if (!(span > 0)) return [];
  const days = (t: number) => (t * span * run.compress) / 86_400;
  const label = (k: number) => `${days(k / 10).toFixed(1)}–${days((k + 1) / 10).toFixed(1)} d`;
  const tenths = (points: readonly (readonly [number, number])[]): Record<string, number | string> => {
    const out: Record<string, number | string> = {};
    for (let k = 0; k < 10; k++) {
      const lo = run.loadStart + (span * k) / 10;
      const hi = run.loadStart + (span * (k + 1)) / 10;
      const inside = points.filter(([t]) => t >= lo && (k === 9 ? t <= hi : t < hi));
      out[label(k)] =
        inside.length === 0
          ? '—'
          : Math.round((inside.reduce((a, [, b]) => a + b, 0) / inside.length / MB) * 10) / 10;
    }
    return out;
  };
  const anonymous = run.memory.map(
    (m): Row => ({ 'anonymous memory by tenth of the load, MB': m.name, ...tenths(m.anonymous) }),
  );
  const rss = run.samples.map(
    (n): Row => ({
      'RSS by tenth of the load, MB': n.name,
      ...tenths(n.samples.map((x) => [x.t, x.rssBytes] as const)),
    }),
  );
  return [...anonymous, ...rss];
}

/** Components of a node's memory budget that are not caches: V8's spaces and the mempool. */
const notCache = (component: string) => component.startsWith('v8_') || component === 'mempool';

/**
 * The table "budgeted memory of NODE": every component the node reports a use for
 * (`joule_memory_used_bytes`), its use after the warm-up (the first sample from `from`) and at the
 * end (the last to `to`), its budget and the share of it used at the end, and the slope of its use
 * per real day ± 95 % CI fitted on the samples between, as the table "anonymous memory growth by
 * holder" fits its columns; then the caches summed (every component but V8's and the mempool, on
 * the samples that have them all), to
 * set against V8's in-use growth: a cache filling towards its cap grows, a full one is flat, and
 * growth beyond the caches' is something else's. No rows for a run saved without the metrics.
 */
export function budgetedMemoryRows(m: NodeMemory, from: number, to: number): Row[] {
  const w = m.holders.filter((h) => h.t >= from && h.t <= to && h.components !== undefined);
  const names: string[] = [];
  for (const h of w)
    for (const [name, c] of Object.entries(h.components ?? {}))
      if (c.used !== undefined && Number.isFinite(c.used) && !names.includes(name)) names.push(name);
  const caches = names.filter((name) => !notCache(name));
  const perDay = 86_400 / MB;
  const mb = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : r3(x / MB));
  const row = (
    label: string,
    used: (h: (typeof w)[number]) => number | undefined,
    budget: (h: (typeof w)[number]) => number | undefined,
  ): Row => {
    const points = w.flatMap((h) => {
      const u = used(h);
      return u === undefined || !Number.isFinite(u) ? [] : [[h.t, u] as const];
    });
    const first = points[0];
    const last = points.at(-1);
    const lastSample = last === undefined ? undefined : w.findLast((h) => h.t === last[0]);
    const cap = lastSample === undefined ? undefined : budget(lastSample);
    const t = trend(points);
    return {
      [`budgeted memory of ${m.name}`]: label,
      windows: points.length,
      usedAfterWarmupMb: mb(first?.[1]),
      usedAtEndMb: mb(last?.[1]),
      budgetMb: mb(cap),
      budgetShareAtEndPct:
        last === undefined || cap === undefined || !(cap > 0) ? '—' : Math.round((1000 * last[1]) / cap) / 10,
      growthMbPerDay: `${r2(t.slope * perDay)} ± ${r2(t.ci95 * perDay)}`,
    };
  };
  // A sample that lacks one of the caches is left out of the sum, not counted as a drop.
  const sum = (h: (typeof w)[number], key: 'used' | 'budget') => {
    let total = 0;
    for (const name of caches) {
      const x = h.components?.[name]?.[key];
      if (x === undefined || !Number.isFinite(x)) return undefined;
      total += x;
    }
    return total;
  };
  return [
    ...names.map((name) =>
      row(
        name,
        (h) => h.components?.[name]?.used,
        (h) => h.components?.[name]?.budget,
      ),
    ),
    ...(caches.length > 0
      ? [
          row(
            `caches (${caches.length}: all but v8_* and mempool)`,
            (h) => sum(h, 'used'),
            (h) => sum(h, 'budget'),
          ),
        ]
      : []),
  ];
}

/**
 * The snapshot of the warm-up compared by class with the end one, or, in a run stopped before its
 * end snapshot, with the latest of those taken at an interval; the retainers of what grew, and the
 * live heap's growth.
 */
function heapComparison(
  saved: SoakRun,
  dir: string,
): { rows: Row[]; growthMbPerDay: number | null; note: string } {
  const { start, end: endSnapshot, latest, node } = saved.snapshots;
  const file = (f: string) => join(dir, basename(f));
  const there = (s: Snapshot | null | undefined): s is Snapshot => s != null && existsSync(file(s.file));
  const end = there(endSnapshot) ? endSnapshot : there(latest) ? latest : null;
  if (!there(start) || end === null)
    return { rows: [], growthMbPerDay: null, note: 'no heap snapshots (one failed or their files are gone)' };
  const fromLatest = end !== endSnapshot;
  const a: HeapSnapshot = readHeapSnapshot(file(start.file));
  const b: HeapSnapshot = readHeapSnapshot(file(end.file));
  const classes = compareByClass(a, b);
  const kb = (x: number) => Math.round(x / 102.4) / 10;
  const days = (end.t - start.t) / 86_400;
  const total = classes.reduce(
    (acc, c) => ({
      startCount: acc.startCount + c.startCount,
      endCount: acc.endCount + c.endCount,
      startBytes: acc.startBytes + c.startBytes,
      endBytes: acc.endBytes + c.endBytes,
      newCount: acc.newCount + c.newCount,
      newBytes: acc.newBytes + c.newBytes,
    }),
    { startCount: 0, endCount: 0, startBytes: 0, endBytes: 0, newCount: 0, newBytes: 0 },
  );
  const table = `heap of ${node} by class${fromLatest ? ' (after the warm-up → latest snapshot, no end snapshot)' : ''}`;
  const row = (name: string, c: typeof total): Row => ({
    [table]: name,
    startCount: c.startCount,
    endCount: c.endCount,
    countGrowth: c.endCount - c.startCount,
    startKb: kb(c.startBytes),
    endKb: kb(c.endBytes),
    growthKb: kb(c.endBytes - c.startBytes),
    newObjects: c.newCount,
    newKb: kb(c.newBytes),
  });
  const grew = classes.filter((c) => c.endBytes > c.startBytes || c.endCount > c.startCount);
  const retained: Row[] = [];
  for (const c of grew.slice(0, retainedClassesShown))
    for (const p of retainersOf(a, b, c.name))
      retained.push({
        'new objects of a class that grew': c.name,
        'held by (first strong retainers)': p.path,
        objects: p.count,
      });
  // Every BoundedCache (each capped in entries and bytes by a named constant) and its entries.
  const caches: Row[] = instanceLengths(a, b, 'BoundedCache').map((c) => ({
    [`BoundedCache of ${node}, held by`]: c.holder,
    entriesAfterWarmup: c.start ?? '—',
    [fromLatest ? 'entriesInLatest' : 'entriesAtEnd']: c.end ?? '—',
  }));
  const growth = (total.endBytes - total.startBytes) / MB;
  return {
    rows: [
      ...classes.slice(0, heapRowsShown).map((c) => row(c.name, c)),
      row(`all ${classes.length} classes`, total),
      ...retained,
      ...caches,
    ],
    growthMbPerDay: days > 0 ? growth / days : null,
    note: `${node}: ${r2(total.startBytes / MB)} MB of live objects after the warm-up, ${r2(total.endBytes / MB)} MB ${fromLatest ? `in the latest snapshot (no end snapshot: the run stopped before it; the latest was taken ${r2((end.t - saved.run.loadStart) / 60)} min into the load)` : saved.partial === undefined ? 'at the end' : 'at the stop'}, ${r2((end.t - start.t) / 60)} min apart of real time (a two-point difference: one GC cycle's floating garbage is V8's, the table "${table}" says what changed)`,
  };
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
