import type { NodeSamples, ResourceSample } from '@joule/lic-pilot';
import { idleSeconds, type LicLoadRun } from './load.js';
import type { NodeMemory } from './memory.js';

const MB = 2 ** 20;
/** Share of the load phase left out of the steady-state figures (start-up allocation, caches filling). */
export const warmupShare = 0.1;

/** One node's figures over a LIC load run. */
export interface NodeFigures {
  readonly name: string;
  readonly validator: boolean;
  readonly meanRssMb: number;
  /** Mean anonymous resident memory over the steady part (smaps_rollup `Anonymous`). */
  readonly meanAnonMb: number;
  /** Mean working set over the steady part: anonymous + file pages referenced in a 60 s window. */
  readonly meanWorkingSetMb: number;
  readonly p95RssMb: number;
  readonly maxRssMb: number;
  readonly peakHeapMb: number;
  /** Least-squares slope of RSS over the steady part, per simulated day and per 10 000 blocks. */
  readonly rssSlopeMbPerDay: number;
  readonly rssSlopeMbPer10kBlocks: number;
  /** CPU of the idle baseline, % of one core. */
  readonly idleCpuPercent: number;
  /** CPU during the load, % of one core (in compressed time). */
  readonly loadCpuPercent: number;
  readonly cpuSecondsPerSimHour: number;
  /** Idle CPU plus the load's extra CPU per tick at the real LIC rate (4 ticks an hour). */
  readonly realTimeCpuPercent: number;
  readonly diskMb: number;
  readonly diskMbPer10SimDays: number;
  /**
   * Growth over 10 simulated days of a node that keeps only `retainBlocks` heights (the profile's
   * `[state] retain_blocks`): the growth per height measured × min(heights in 10 days, retained).
   * Equal to `diskMbPer10SimDays` for an archive (0). A projection: it assumes LevelDB's compactions
   * give back what pruning deletes.
   */
  readonly diskMbPer10SimDaysPruned: number;
  readonly diskMbPer10kBlocks: number;
  readonly bytesPerSimHour: number;
  readonly bytesPerRealHour: number;
}

/** The `q`-quantile of ascending `sorted` (nearest rank); NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Least-squares slope of y over x (0 with fewer than two distinct x). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i] as number;
    sy += ys[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    num += dx * ((ys[i] as number) - my);
    den += dx * dx;
  }
  return den === 0 ? 0 : num / den;
}

/** Height at real time `t`, linear between the samples. */
export function heightAt(heights: LicLoadRun['heights'], t: number): number {
  let before: readonly [number, number] | undefined;
  for (const h of heights) {
    if (h[0] <= t) before = h;
    else {
      if (before === undefined) return h[1];
      return before[1] + ((h[1] - before[1]) * (t - before[0])) / (h[0] - before[0]);
    }
  }
  return before?.[1] ?? 0;
}

/** The sample at or just before real time `t`. */
function at(samples: readonly ResourceSample[], t: number): ResourceSample | undefined {
  let out: ResourceSample | undefined;
  for (const s of samples) {
    if (s.t > t) break;
    out = s;
  }
  return out ?? samples[0];
}

/** Mean of the points at real times [from, to], MB (NaN when none). */
function meanMb(points: NodeMemory['anonymous'] | undefined, from: number, to: number): number {
  const inside = (points ?? []).filter(([t]) => t >= from && t <= to);
  if (inside.length === 0) return Number.NaN;
  return inside.reduce((a, [, b]) => a + b, 0) / inside.length / MB;
}

export function nodeFigures(run: LicLoadRun, node: NodeSamples, retainBlocks = 0): NodeFigures {
  const memory = run.memory.find((m) => m.name === node.name);
  const s = node.samples;
  const loadSeconds = run.loadEnd - run.loadStart;
  const steadyFrom = run.loadStart + warmupShare * loadSeconds;
  const steady = s.filter((x) => x.t >= steadyFrom && x.t <= run.loadEnd + 2);
  const rss = steady.map((x) => x.rssBytes / MB).sort((a, b) => a - b);
  const simDays = (loadSeconds * run.compress) / 86_400;
  const simHours = simDays * 24;
  const idleStart = at(s, run.loadStart - idleSeconds);
  const loadStart = at(s, run.loadStart);
  const loadEnd = at(s, run.loadEnd + 2);
  const idleRate =
    idleStart !== undefined && loadStart !== undefined && loadStart.t > idleStart.t
      ? (loadStart.cpuSeconds - idleStart.cpuSeconds) / (loadStart.t - idleStart.t)
      : 0;
  const loadCpu = (loadEnd?.cpuSeconds ?? 0) - (loadStart?.cpuSeconds ?? 0);
  const extraPerTick = Math.max(0, (loadCpu - idleRate * loadSeconds) / Math.max(1, run.ticks));
  const blocks = heightAt(run.heights, run.loadEnd) - heightAt(run.heights, run.loadStart);
  const diskGrowth = ((loadEnd?.diskBytes ?? 0) - (loadStart?.diskBytes ?? 0)) / MB;
  const bytes = (x: ResourceSample | undefined) =>
    x === undefined ? 0 : (x.bytesIn || 0) + (x.bytesOut || 0);
  const traffic = bytes(loadEnd) - bytes(loadStart);
  const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    name: node.name,
    validator: node.validator,
    meanRssMb: round(rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length), 1),
    meanAnonMb: round(meanMb(memory?.anonymous, steadyFrom, run.loadEnd + 2), 1),
    // A window ending in the steady part may have begun just before it.
    meanWorkingSetMb: round(meanMb(memory?.workingSet, steadyFrom, run.loadEnd + 62), 1),
    p95RssMb: round(percentile(rss, 0.95), 1),
    maxRssMb: round(rss.at(-1) ?? Number.NaN, 1),
    peakHeapMb: round(Math.max(0, ...s.map((x) => x.heapBytes / MB).filter(Number.isFinite)), 1),
    rssSlopeMbPerDay: round(
      slope(
        steady.map((x) => ((x.t - run.loadStart) * run.compress) / 86_400),
        steady.map((x) => x.rssBytes / MB),
      ),
      3,
    ),
    rssSlopeMbPer10kBlocks: round(
      slope(
        steady.map((x) => heightAt(run.heights, x.t) / 10_000),
        steady.map((x) => x.rssBytes / MB),
      ),
      3,
    ),
    idleCpuPercent: round(100 * idleRate),
    loadCpuPercent: round((100 * loadCpu) / Math.max(1, loadSeconds)),
    cpuSecondsPerSimHour: round(loadCpu / Math.max(simHours, 1e-9), 3),
    realTimeCpuPercent: round(100 * (idleRate + (extraPerTick * 4) / 3600), 3),
    diskMb: round((loadEnd?.diskBytes ?? 0) / MB),
    diskMbPer10SimDays: round((diskGrowth / Math.max(simDays, 1e-9)) * 10),
    diskMbPer10SimDaysPruned: round(
      blocks > 0
        ? (diskGrowth / blocks) *
            Math.min((blocks / Math.max(simDays, 1e-9)) * 10, retainBlocks > 0 ? retainBlocks : Infinity)
        : 0,
    ),
    diskMbPer10kBlocks: round(blocks > 0 ? (diskGrowth / blocks) * 10_000 : 0),
    bytesPerSimHour: Math.round(traffic / Math.max(simHours, 1e-9)),
    bytesPerRealHour: Math.round((traffic / Math.max(1, loadSeconds)) * 3600),
  };
}

/** The mean of a figure over a group of nodes. */
export function meanOf(nodes: readonly NodeFigures[], key: keyof NodeFigures): number {
  const values = nodes
    .map((n) => n[key])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return values.length === 0
    ? Number.NaN
    : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1000) / 1000;
}
