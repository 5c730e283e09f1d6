import { describe, expect, it } from 'vitest';
import { t975, trend, windowMeans } from './trend.js';

describe('trend', () => {
  it('gives the quantile of Student’s t', () => {
    expect(t975(10)).toBeCloseTo(2.228, 2);
    expect(t975(30)).toBeCloseTo(2.042, 2);
    expect(t975(1e9)).toBeCloseTo(1.96, 3);
  });

  it('fits an exact line with no interval', () => {
    const t = trend([0, 1, 2, 3, 4].map((x) => [x, 2 * x + 1] as const));
    expect(t.slope).toBeCloseTo(2, 12);
    expect(t.ci95).toBeCloseTo(0, 12);
  });

  it('gives an interval that holds the slope of a noisy line and narrows with more points', () => {
    const line = (n: number) =>
      Array.from({ length: n }, (_, x) => [x, 3 * x + (x % 2 === 0 ? 1 : -1)] as const);
    const short = trend(line(10));
    const long = trend(line(100));
    expect(Math.abs(short.slope - 3)).toBeLessThan(short.ci95);
    expect(short.ci95).toBeGreaterThan(0);
    expect(long.ci95).toBeLessThan(short.ci95);
    expect(long.residualSd).toBeCloseTo(1, 1);
  });

  it('has no slope with fewer than three points', () => {
    expect(trend([[0, 1] as const, [1, 2] as const]).slope).toBeNaN();
  });

  it('averages points over windows and skips missing values', () => {
    expect(
      windowMeans(
        [
          [0, 1],
          [1, 3],
          [2, Number.NaN],
          [60, 5],
          [61, 7],
        ],
        60,
      ),
    ).toEqual([
      [0.5, 2],
      [60.5, 6],
    ]);
  });
});
