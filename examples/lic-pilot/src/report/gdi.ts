import type { GdiSummary } from './types.js';

/** Bins of the GDI histogram: width 0.1 over [−1, 1]. */
export const gdiBins = 20;

/**
 * The GDI statistics of a period from its per-slot totals (Wh): GDI_t = (Ec − Ep)/(Ec + Ep), slots
 * without energy left out. Percentiles interpolate linearly between ranks; with no slot at all every
 * figure is 0. The bin is computed in integers, ⌊20·Ec/(Ec + Ep)⌋, so an edge such as −0.9 never
 * falls in the wrong bin by a float rounding; +1 (no production) goes in the last bin.
 */
export function gdiSummary(ecWh: readonly number[], epWh: readonly number[]): GdiSummary {
  const values: number[] = [];
  const counts = new Array<number>(gdiBins).fill(0);
  ecWh.forEach((ec, i) => {
    const ep = epWh[i] ?? 0;
    if (ec + ep === 0) return;
    values.push((ec - ep) / (ec + ep));
    const bin = Math.min(Math.floor((gdiBins * ec) / (ec + ep)), gdiBins - 1);
    counts[bin] = (counts[bin] ?? 0) + 1;
  });
  values.sort((a, b) => a - b);
  const mean = values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
  return {
    mean,
    p10: percentile(values, 0.1),
    p50: percentile(values, 0.5),
    p90: percentile(values, 0.9),
    histogram: counts.map((slots, i) => ({ from: (i - 10) / 10, to: (i - 9) / 10, slots })),
  };
}

/** The q-quantile of sorted values, linear between closest ranks (0 when empty). */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const a = sorted[lo]!;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return a + (b - a) * (rank - lo);
}
