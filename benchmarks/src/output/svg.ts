import type { Point, Series } from '../report.js';

/**
 * A small line plot in SVG, written by hand so the benchmarks need no plotting library: axes with
 * ticks and units, one polyline per series, a legend; validators solid, non-validators dashed (as
 * the paper's figures 7 and 8 set them apart). Long series are thinned to a min/max pair per pixel
 * column, which keeps the peaks every 15 minutes visible.
 */

export interface PlotOptions {
  readonly title: string;
  /** The y axis label, usually the series' unit. */
  readonly unit: string;
  readonly series: readonly Series[];
}

const width = 720;
const height = 360;
const margin = { top: 36, right: 16, bottom: 48, left: 64 };
const legendWidth = 190;
const legendLine = 16;
const palette = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
];

export function linePlot(options: PlotOptions): string {
  const series = options.series.map((s) => ({ ...s, points: s.points.filter(finite) }));
  const all = series.flatMap((s) => s.points);
  const tUnit = timeUnit(span(all.map((p) => p[0])));
  const xs = domain(
    all.map((p) => p[0] / tUnit.seconds),
    false,
    false,
  );
  const ys = domain(
    all.map((p) => p[1]),
    true,
  );
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const x = (t: number) => margin.left + ((t / tUnit.seconds - xs.min) / (xs.max - xs.min)) * plotW;
  const y = (v: number) => margin.top + plotH - ((v - ys.min) / (ys.max - ys.min)) * plotH;
  const totalH = Math.max(height, margin.top + series.length * legendLine + 8);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width + legendWidth}" height="${totalH}" viewBox="0 0 ${width + legendWidth} ${totalH}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${margin.left}" y="20" font-size="14" font-weight="bold">${xml(options.title)}</text>`,
  ];
  // Grid, ticks and labels.
  for (const v of ys.ticks) {
    const py = n(y(v));
    out.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${py}" y2="${py}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${tick(v)}</text>`,
    );
  }
  for (const v of xs.ticks) {
    const px = n(x(v * tUnit.seconds));
    out.push(
      `<line x1="${px}" x2="${px}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 4}" stroke="black"/>`,
      `<text x="${px}" y="${margin.top + plotH + 16}" text-anchor="middle">${tick(v)}</text>`,
    );
  }
  out.push(
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="black"/>`,
    `<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="black"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">time (${tUnit.label})</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${xml(options.unit)}</text>`,
  );
  // Lines and legend.
  series.forEach((s, i) => {
    const color = s.style?.color ?? palette[i % palette.length];
    const dashed = s.style?.dashed ?? s.group === 'non-validator';
    const stroke = `stroke="${xml(color ?? 'black')}" stroke-width="1.5"${dashed ? ' stroke-dasharray="6 3"' : ''}`;
    if (s.style?.marks === true)
      for (const p of s.points)
        out.push(
          `<line x1="${n(x(p[0]))}" x2="${n(x(p[0]))}" y1="${margin.top}" y2="${margin.top + plotH}" ${stroke} stroke-opacity="0.5"><title>${xml(s.name)}</title></line>`,
        );
    else {
      const pts = thin(s.points, plotW)
        .map((p) => `${n(x(p[0]))},${n(y(p[1]))}`)
        .join(' ');
      out.push(`<polyline fill="none" ${stroke} points="${pts}"><title>${xml(s.name)}</title></polyline>`);
    }
    const ly = margin.top + i * legendLine;
    const lx = width + 4;
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" ${stroke}/>`,
      `<text x="${lx + 30}" y="${ly}" dominant-baseline="middle">${xml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

interface Domain {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
}

/**
 * A domain with "nice" ticks (1, 2, 5 × 10^k), about 6 of them; from 0 when `fromZero` and all ≥ 0;
 * rounded out to whole ticks when `roundOut` (the y axis), else ending at the data (the time axis).
 */
export function domain(values: readonly number[], fromZero: boolean, roundOut = true): Domain {
  let [lo, hi] = values.length === 0 ? [0, 1] : extent(values);
  if (fromZero && lo >= 0) lo = 0;
  if (hi - lo < 1e-12) {
    hi = lo + (Math.abs(lo) > 0 ? Math.abs(lo) : 1);
  }
  const step = niceStep((hi - lo) / 6);
  const first = roundOut ? Math.floor(lo / step) * step : Math.ceil(lo / step - 1e-9) * step;
  const last = roundOut ? Math.ceil(hi / step) * step : Math.floor(hi / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let k = 0; first + k * step <= last + step / 2; k++)
    ticks.push(Number((first + k * step).toPrecision(12)));
  return roundOut ? { min: first, max: last, ticks } : { min: lo, max: hi, ticks };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

const timeUnits = [
  { seconds: 86_400, label: 'days', above: 2 * 86_400 },
  { seconds: 3_600, label: 'h', above: 2 * 3_600 },
  { seconds: 60, label: 'min', above: 2 * 60 },
  { seconds: 1, label: 's', above: -Infinity },
] as const;

function timeUnit(spanSeconds: number): { seconds: number; label: string } {
  return timeUnits.find((u) => spanSeconds >= u.above) ?? { seconds: 1, label: 's' };
}

/** At most a min/max pair per pixel column, in time order: peaks survive, the file stays small. */
export function thin(points: readonly Point[], columns: number): readonly Point[] {
  if (points.length <= 2 * columns) return points;
  const t0 = points[0]?.[0] ?? 0;
  const t1 = points[points.length - 1]?.[0] ?? t0;
  const bucketOf = (t: number) => Math.min(columns - 1, Math.floor(((t - t0) / (t1 - t0 || 1)) * columns));
  const out: Point[] = [];
  let i = 0;
  while (i < points.length) {
    const bucket = bucketOf(points[i]?.[0] ?? t0);
    let lo = points[i] as Point;
    let hi = lo;
    for (; i < points.length && bucketOf((points[i] as Point)[0]) === bucket; i++) {
      const p = points[i] as Point;
      if (p[1] < lo[1]) lo = p;
      if (p[1] > hi[1]) hi = p;
    }
    if (lo === hi) out.push(lo);
    else out.push(...(lo[0] <= hi[0] ? [lo, hi] : [hi, lo]));
  }
  return out;
}

function span(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const [lo, hi] = extent(values);
  return hi - lo;
}

/** Min and max by a loop: series of a day's samples are too long to spread into `Math.min`. */
function extent(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function finite(p: Point): boolean {
  return Number.isFinite(p[0]) && Number.isFinite(p[1]);
}

function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function tick(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
