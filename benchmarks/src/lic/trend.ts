/** A least-squares line with the 95 % confidence interval of its slope. */
export interface Trend {
  /** Slope, y units per x unit. */
  readonly slope: number;
  /** Half-width of the slope's 95 % confidence interval (Student's t on the residuals). */
  readonly ci95: number;
  /** Points fitted. */
  readonly n: number;
  /** Standard deviation of the residuals, y units. */
  readonly residualSd: number;
}

/** The 0.975 quantile of Student's t with `df` degrees of freedom (Cornish–Fisher; within 0.1 % from df 3). */
export function t975(df: number): number {
  const z = 1.959964;
  if (!Number.isFinite(df) || df <= 0) return Number.NaN;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/**
 * Least squares of y over x: the slope, and its 95 % confidence interval from the residuals'
 * standard error, `t(0.975, n − 2) · sqrt(Σr² / (n − 2) / Σ(x − x̄)²)`. The interval assumes
 * independent residuals: fit means over windows longer than the series' cycles (GC), not raw samples.
 */
export function trend(points: readonly (readonly [number, number])[]): Trend {
  const n = points.length;
  if (n < 3) return { slope: Number.NaN, ci95: Number.NaN, n, residualSd: Number.NaN };
  let mx = 0;
  let my = 0;
  for (const [x, y] of points) {
    mx += x / n;
    my += y / n;
  }
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
  }
  if (sxx === 0) return { slope: Number.NaN, ci95: Number.NaN, n, residualSd: Number.NaN };
  const slope = sxy / sxx;
  let ssr = 0;
  for (const [x, y] of points) ssr += (y - my - slope * (x - mx)) ** 2;
  const residualVariance = ssr / (n - 2);
  return {
    slope,
    ci95: t975(n - 2) * Math.sqrt(residualVariance / sxx),
    n,
    residualSd: Math.sqrt(residualVariance),
  };
}

/** Means of the points over consecutive windows of `seconds` (by x), windows with no point left out. */
export function windowMeans(
  points: readonly (readonly [number, number])[],
  seconds: number,
): [number, number][] {
  const out: [number, number][] = [];
  let start = Number.NaN;
  let sx = 0;
  let sy = 0;
  let k = 0;
  const flush = () => {
    if (k > 0) out.push([sx / k, sy / k]);
    sx = 0;
    sy = 0;
    k = 0;
  };
  for (const [x, y] of points) {
    if (!Number.isFinite(y)) continue;
    if (Number.isNaN(start)) start = x;
    if (x - start >= seconds) {
      flush();
      start = x;
    }
    sx += x;
    sy += y;
    k++;
  }
  flush();
  return out;
}
