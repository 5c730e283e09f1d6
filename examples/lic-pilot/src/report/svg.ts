import { escapeHtml } from './format.js';

/**
 * Just enough SVG for the report's plots, by hand: linear scales with 1-2-5 ticks, axes with grid
 * lines and labels, lines that break on missing values, dot clouds drawn as one path, rules, boxes
 * and legends. Output is a string of SVG elements inline in the page (no `xmlns`, no external
 * reference), styled by the page's CSS classes; coordinates are rounded to 0.1 px to keep it small.
 */

export interface Scale {
  (value: number): number;
  readonly domain: readonly [number, number];
}

export interface Margin {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

/** A plot area inside an SVG of `width × height`: pixel edges and the two scales. */
export interface Plot {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly x: Scale;
  readonly y: Scale;
}

export interface Tick {
  readonly at: number;
  readonly label: string;
}

export interface Stroke {
  readonly color: string;
  readonly width?: number;
  /** An SVG dash array, e.g. `6 4`. */
  readonly dash?: string;
  readonly opacity?: number;
}

export interface LegendItem {
  readonly label: string;
  readonly color: string;
  readonly kind: 'line' | 'dot' | 'box';
  readonly dash?: string;
}

/** A number for an SVG attribute, 0.1 px precision. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

export function scaleLinear(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const scale = (v: number): number => r0 + (v - d0) * k;
  return Object.assign(scale, { domain });
}

/** A 1-2-5 step giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(count, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** `[min, max]` widened outward to whole 1-2-5 steps (a zero span becomes `[min, min + 1]`). */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!(max > min)) return [min, min + 1];
  const step = niceStep(max - min, count);
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

/** Tick values on whole 1-2-5 steps inside `[min, max]`, free of float noise. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  const step = niceStep(max - min, count);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const ticks: number[] = [];
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) {
    ticks.push(Number((i * step).toFixed(decimals)));
  }
  return ticks;
}

/** Decimals that print every tick of `niceTicks(min, max, count)` exactly (0.25 → 2). */
export function tickDecimals(min: number, max: number, count = 5): number {
  const step = niceStep(max - min, count);
  for (let d = 0; d < 10; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9) return d;
  return 10;
}

export function ticks(values: readonly number[], format: (v: number) => string): Tick[] {
  return values.map((at) => ({ at, label: format(at) }));
}

export function plotArea(
  width: number,
  height: number,
  margin: Margin,
  xDomain: readonly [number, number],
  yDomain: readonly [number, number],
): Plot {
  const left = margin.left;
  const right = width - margin.right;
  const top = margin.top;
  const bottom = height - margin.bottom;
  return {
    width,
    height,
    left,
    right,
    top,
    bottom,
    x: scaleLinear(xDomain, [left, right]),
    y: scaleLinear(yDomain, [bottom, top]),
  };
}

/** The `<svg>` element around a plot's parts; `title` is its accessible name. */
export function svgElement(width: number, height: number, title: string, parts: readonly string[]): string {
  return (
    `<svg class="plot" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
    `aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${parts.join('')}</svg>`
  );
}

/** The width of an SVG written by `svgElement`, px. */
export function svgWidth(svg: string): number {
  return Number(/^<svg class="plot" viewBox="0 0 (\d+(?:\.\d+)?) /.exec(svg)?.[1] ?? 0);
}

export function text(
  x: number,
  y: number,
  content: string,
  options: { anchor?: 'start' | 'middle' | 'end'; cls?: string; rotate?: boolean; fill?: string } = {},
): string {
  const anchor = options.anchor ?? 'start';
  const transform = options.rotate === true ? ` transform="rotate(-90 ${px(x)} ${px(y)})"` : '';
  const cls = options.cls === undefined ? '' : ` class="${options.cls}"`;
  const fill = options.fill === undefined ? '' : ` fill="${options.fill}"`;
  return `<text x="${px(x)}" y="${px(y)}" text-anchor="${anchor}"${cls}${fill}${transform}>${escapeHtml(content)}</text>`;
}

/** Grid lines, the two axes, tick labels and axis titles. */
export function axes(
  p: Plot,
  options: {
    readonly xTicks: readonly Tick[];
    readonly yTicks: readonly Tick[];
    readonly xLabel: string;
    readonly yLabel: string;
    /** Vertical grid lines at the x ticks (default false). */
    readonly xGrid?: boolean;
  },
): string {
  const out: string[] = ['<g class="axis">'];
  for (const t of options.yTicks) {
    const y = px(p.y(t.at));
    out.push(`<line class="grid" x1="${px(p.left)}" x2="${px(p.right)}" y1="${y}" y2="${y}"/>`);
    out.push(text(p.left - 8, p.y(t.at) + 4, t.label, { anchor: 'end' }));
  }
  for (const t of options.xTicks) {
    const x = px(p.x(t.at));
    if (options.xGrid === true) {
      out.push(`<line class="grid" x1="${x}" x2="${x}" y1="${px(p.top)}" y2="${px(p.bottom)}"/>`);
    }
    out.push(`<line class="tick" x1="${x}" x2="${x}" y1="${px(p.bottom)}" y2="${px(p.bottom + 5)}"/>`);
    out.push(text(p.x(t.at), p.bottom + 19, t.label, { anchor: 'middle' }));
  }
  out.push(
    `<line class="domain" x1="${px(p.left)}" x2="${px(p.right)}" y1="${px(p.bottom)}" y2="${px(p.bottom)}"/>`,
  );
  out.push(
    `<line class="domain" x1="${px(p.left)}" x2="${px(p.left)}" y1="${px(p.top)}" y2="${px(p.bottom)}"/>`,
  );
  out.push(text((p.left + p.right) / 2, p.bottom + 40, options.xLabel, { anchor: 'middle', cls: 'label' }));
  const yMid = (p.top + p.bottom) / 2;
  out.push(text(16, yMid, options.yLabel, { anchor: 'middle', cls: 'label', rotate: true }));
  out.push('</g>');
  return out.join('');
}

function strokeAttrs(s: Stroke): string {
  const dash = s.dash === undefined ? '' : ` stroke-dasharray="${s.dash}"`;
  const opacity = s.opacity === undefined ? '' : ` stroke-opacity="${s.opacity}"`;
  return `fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${dash}${opacity}`;
}

/** A line through `points` (data coordinates); a `null` point breaks it. */
export function line(p: Plot, points: readonly (readonly [number, number] | null)[], s: Stroke): string {
  let d = '';
  let pen = false;
  for (const pt of points) {
    if (pt === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(p.x(pt[0]))} ${px(p.y(pt[1]))}`;
    pen = true;
  }
  return d === '' ? '' : `<path d="${d}" ${strokeAttrs(s)} stroke-linejoin="round"/>`;
}

/** A dot per point, as one path of zero-length round-capped segments (compact for thousands). */
export function dots(
  p: Plot,
  points: readonly (readonly [number, number])[],
  style: { readonly color: string; readonly radius: number; readonly opacity?: number },
): string {
  if (points.length === 0) return '';
  const d = points.map(([x, y]) => `M${px(p.x(x))} ${px(p.y(y))}h0`).join('');
  return (
    `<path d="${d}" fill="none" stroke="${style.color}" stroke-width="${style.radius * 2}" ` +
    `stroke-linecap="round" stroke-opacity="${style.opacity ?? 1}"/>`
  );
}

/** A horizontal rule across the plot at data `y`, with an optional label at its right end. */
export function hRule(p: Plot, y: number, s: Stroke, label?: string): string {
  const yy = px(p.y(y));
  const rule = `<line x1="${px(p.left)}" x2="${px(p.right)}" y1="${yy}" y2="${yy}" ${strokeAttrs(s)}/>`;
  return label === undefined
    ? rule
    : rule + text(p.right - 4, p.y(y) - 5, label, { anchor: 'end', cls: 'rule' });
}

/** A rectangle in pixel coordinates (negative heights and widths are normalized). */
export function rect(x: number, y: number, w: number, h: number, fill: string, title?: string): string {
  const x0 = Math.min(x, x + w);
  const y0 = Math.min(y, y + h);
  const tip = title === undefined ? '' : `<title>${escapeHtml(title)}</title>`;
  const attrs = `x="${px(x0)}" y="${px(y0)}" width="${px(Math.abs(w))}" height="${px(Math.abs(h))}" fill="${fill}"`;
  return tip === '' ? `<rect ${attrs}/>` : `<rect ${attrs}>${tip}</rect>`;
}

/** About how wide a legend label is at 12.5 px (no font metrics without a browser). */
function labelWidth(label: string): number {
  return label.length * 7;
}

/**
 * A legend from (x, y): entries flow left to right, each as wide as its label, and wrap onto a new
 * row past `maxWidth` px; with `columnWidth`, they sit in a grid of `columns` instead.
 */
export function legend(
  items: readonly LegendItem[],
  x: number,
  y: number,
  layout: { readonly maxWidth?: number; readonly columns?: number; readonly columnWidth?: number } = {},
): string {
  const out: string[] = ['<g class="legend">'];
  let cx = x;
  let cy = y;
  items.forEach((item, i) => {
    let ix: number;
    let iy: number;
    if (layout.columnWidth !== undefined) {
      const columns = layout.columns ?? items.length;
      ix = x + (i % columns) * layout.columnWidth;
      iy = y + Math.floor(i / columns) * 20;
    } else {
      const w = 31 + labelWidth(item.label) + 18;
      if (cx > x && cx + w - 18 > x + (layout.maxWidth ?? Number.POSITIVE_INFINITY)) {
        cx = x;
        cy += 20;
      }
      ix = cx;
      iy = cy;
      cx += w;
    }
    if (item.kind === 'line') {
      const dash = item.dash === undefined ? '' : ` stroke-dasharray="${item.dash}"`;
      out.push(
        `<line x1="${ix}" x2="${ix + 24}" y1="${iy}" y2="${iy}" stroke="${item.color}" stroke-width="2.5"${dash}/>`,
      );
    } else if (item.kind === 'dot') {
      out.push(`<circle cx="${ix + 12}" cy="${iy}" r="4.5" fill="${item.color}"/>`);
    } else {
      out.push(`<rect x="${ix + 5}" y="${iy - 6}" width="14" height="12" fill="${item.color}"/>`);
    }
    out.push(text(ix + 31, iy + 4, item.label));
  });
  out.push('</g>');
  return out.join('');
}

/** A grey note in the middle of an empty plot. */
export function emptyNote(p: Plot, note: string): string {
  return text((p.left + p.right) / 2, (p.top + p.bottom) / 2, note, { anchor: 'middle', cls: 'empty' });
}
