import { ectValue, formatNumber, formatPrice } from './format.js';
import {
  axes,
  dots,
  emptyNote,
  hRule,
  type LegendItem,
  legend,
  line,
  niceDomain,
  niceTicks,
  plotArea,
  rect,
  svgElement,
  text,
  tickDecimals,
  ticks,
} from './svg.js';
import type { PilotReport } from './types.js';

/** The page's palette: muted, distinguishable, readable on white. */
export const palette = {
  buy: '#2f6690',
  sell: '#d9822b',
  consumption: '#2f6690',
  production: '#e0a526',
  positive: '#2a8c6a',
  negative: '#c44536',
  neutral: '#6b7480',
  others: '#9aa3ad',
  nodes: ['#2f6690', '#c44536', '#2a8c6a', '#8a5a9e', '#d9822b', '#4d7c8a'],
} as const;

/** Widths that fill the page's 1016 px sections: one plot, or two side by side with a 20 px gap. */
export const wide = 1016;
export const half = 498;

/** (a) pb and ps of every slot against its GDI, with the BAU and LEM prices: the paper's figure 1. */
export function pricePlot(report: PilotReport): string {
  const { period, slots } = report;
  const prices = [period.pBuyBAU, period.pSellBAU, period.pBuyLEM, period.pSellLEM].map(
    (p) => Number(p) / 1e6,
  );
  const buy: [number, number][] = [];
  const sell: [number, number][] = [];
  slots.gdi.forEach((g, i) => {
    if (g === null) return;
    const pb = slots.pb[i];
    const ps = slots.ps[i];
    if (pb !== null && pb !== undefined) buy.push([g, pb / 1e6]);
    if (ps !== null && ps !== undefined) sell.push([g, ps / 1e6]);
  });
  const yMax = Math.max(...prices, ...buy.map((b) => b[1]), ...sell.map((s) => s[1]), 1);
  const p = plotArea(
    650,
    400,
    { top: 44, right: 108, bottom: 52, left: 58 },
    [-1, 1],
    niceDomain(0, yMax * 1.05),
  );
  const parts = [
    axes(p, {
      xTicks: ticks(niceTicks(-1, 1, 8), (v) => formatNumber(v, tickDecimals(-1, 1, 8))),
      yTicks: ticks(niceTicks(...p.y.domain), (v) => formatNumber(v, 0)),
      xLabel: 'GDI = (Ec − Ep) / (Ec + Ep)   ← exporting · importing →',
      yLabel: 'price, ECT/kWh',
      xGrid: true,
    }),
  ];
  const rules: { value: number; color: string; dash: string; label: string }[] = [
    { value: prices[0]!, color: palette.buy, dash: '7 4', label: `BAU buy ${formatPrice(period.pBuyBAU)}` },
    { value: prices[2]!, color: palette.buy, dash: '2 3', label: `LEM buy ${formatPrice(period.pBuyLEM)}` },
    {
      value: prices[3]!,
      color: palette.sell,
      dash: '2 3',
      label: `LEM sell ${formatPrice(period.pSellLEM)}`,
    },
    {
      value: prices[1]!,
      color: palette.sell,
      dash: '7 4',
      label: `BAU sell ${formatPrice(period.pSellBAU)}`,
    },
  ];
  for (const r of rules) parts.push(hRule(p, r.value, { color: r.color, width: 1.5, dash: r.dash }));
  parts.push(dots(p, sell, { color: palette.sell, radius: 2.4, opacity: 0.5 }));
  parts.push(dots(p, buy, { color: palette.buy, radius: 2.4, opacity: 0.5 }));
  // Rule labels in the right margin, pushed apart when two prices are close.
  const labelY = spread(
    rules.map((r) => p.y(r.value) + 4),
    15,
  );
  rules.forEach((r, i) => {
    parts.push(text(p.right + 8, labelY[i]!, r.label, { cls: 'rule', fill: r.color }));
  });
  if (buy.length + sell.length === 0) parts.push(emptyNote(p, 'no slot with energy'));
  const items: LegendItem[] = [
    { label: 'pb of a slot', color: palette.buy, kind: 'dot' },
    { label: 'ps of a slot', color: palette.sell, kind: 'dot' },
    { label: 'BAU (grid) price', color: palette.neutral, kind: 'line', dash: '7 4' },
    { label: 'LEM price', color: palette.neutral, kind: 'line', dash: '2 3' },
  ];
  parts.push(legend(items, p.left, 18, { maxWidth: p.width - p.left }));
  return svgElement(p.width, p.height, 'Buy and sell prices of every slot against its GDI', parts);
}

/** Label positions moved apart (downward, in the order of their values) to at least `gap` px. */
function spread(ys: readonly number[], gap: number): number[] {
  const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  for (let k = 1; k < order.length; k++) {
    const prev = order[k - 1]!;
    const cur = order[k]!;
    if (cur.y - prev.y < gap) cur.y = prev.y + gap;
  }
  const out = new Array<number>(ys.length);
  for (const o of order) out[o.i] = o.y;
  return out;
}

/** The GDI histogram: how many slots fell in each bin of 0.1. */
export function gdiHistogramPlot(report: PilotReport): string {
  const { histogram } = report.community.gdi;
  const maxSlots = Math.max(1, ...histogram.map((b) => b.slots));
  const p = plotArea(
    wide - 650 - 20,
    400,
    { top: 44, right: 16, bottom: 52, left: 66 },
    [-1, 1],
    niceDomain(0, maxSlots),
  );
  const parts = [
    axes(p, {
      xTicks: ticks([-1, -0.5, 0, 0.5, 1], (v) => formatNumber(v, 1)),
      yTicks: ticks(niceTicks(...p.y.domain), (v) => formatNumber(v, 0)),
      xLabel: 'GDI',
      yLabel: 'slots',
    }),
  ];
  for (const b of histogram) {
    const x0 = p.x(b.from) + 1;
    const w = p.x(b.to) - p.x(b.from) - 2;
    const color = b.from < 0 ? palette.production : palette.consumption;
    parts.push(rect(x0, p.y(0), w, p.y(b.slots) - p.y(0), color, `${b.from} to ${b.to}: ${b.slots} slots`));
  }
  if (histogram.every((b) => b.slots === 0)) parts.push(emptyNote(p, 'no slot with energy'));
  parts.push(
    legend(
      [
        { label: 'net export', color: palette.production, kind: 'box' },
        { label: 'net import', color: palette.consumption, kind: 'box' },
      ],
      p.left,
      18,
    ),
  );
  return svgElement(p.width, p.height, 'Histogram of the GDI over the slots', parts);
}

/** (b) The community's mean day, weekdays and weekend, consumption and production, kWh per quarter. */
export function profilePlot(report: PilotReport): string {
  const d = report.dailyProfile;
  const series = [
    { values: d.weekdayConsumptionWh, color: palette.consumption, label: 'consumption, weekdays' },
    {
      values: d.weekendConsumptionWh,
      color: palette.consumption,
      dash: '6 4',
      label: 'consumption, weekend',
    },
    { values: d.weekdayProductionWh, color: palette.production, label: 'production, weekdays' },
    { values: d.weekendProductionWh, color: palette.production, dash: '6 4', label: 'production, weekend' },
  ];
  const yMax = Math.max(0.1, ...series.flatMap((s) => s.values.map((v) => v / 1000)));
  const p = plotArea(half, 360, { top: 60, right: 24, bottom: 52, left: 58 }, [0, 24], niceDomain(0, yMax));
  const parts = [
    axes(p, {
      xTicks: ticks([0, 3, 6, 9, 12, 15, 18, 21, 24], (v) => `${String(v).padStart(2, '0')}:00`),
      yTicks: ticks(niceTicks(...p.y.domain), (v) => formatNumber(v, tickDecimals(...p.y.domain))),
      xLabel: 'time of day, UTC',
      yLabel: 'kWh per quarter hour',
      xGrid: true,
    }),
  ];
  for (const s of series) {
    // Each quarter's mean drawn at its middle.
    const pts = s.values.map((v, q): [number, number] => [(q + 0.5) / 4, v / 1000]);
    parts.push(line(p, pts, { color: s.color, width: 2, ...(s.dash === undefined ? {} : { dash: s.dash }) }));
  }
  const items = series.map(
    (s): LegendItem => ({
      label: s.label,
      color: s.color,
      kind: 'line',
      ...(s.dash === undefined ? {} : { dash: s.dash }),
    }),
  );
  parts.push(legend(items, p.left, 16, { columns: 2, columnWidth: 190 }));
  return svgElement(p.width, p.height, "The community's mean day", parts);
}

/** (c) Total consumption and production of each day of the period, kWh. */
export function dailyBarsPlot(report: PilotReport): string {
  const days = report.dailyProfile.days;
  const yMax = Math.max(1, ...days.flatMap((d) => [d.ecWh / 1000, d.epWh / 1000]));
  const n = Math.max(days.length, 1);
  const p = plotArea(half, 360, { top: 60, right: 16, bottom: 52, left: 58 }, [0, n], niceDomain(0, yMax));
  // A date label every `every` days, so labels of ~40 px never touch.
  const every = Math.max(1, Math.ceil((n * 44) / (p.right - p.left)));
  const xTicks = days.flatMap((d, i) => (i % every === 0 ? [{ at: i + 0.5, label: d.date.slice(5) }] : []));
  const parts = [
    axes(p, {
      xTicks,
      yTicks: ticks(niceTicks(...p.y.domain), (v) => formatNumber(v, 0)),
      xLabel: days.length === 0 ? 'day' : `day (MM-DD, ${days[0]!.date.slice(0, 4)})`,
      yLabel: 'kWh per day',
    }),
  ];
  const slot = (p.right - p.left) / n;
  const bar = Math.max(1, slot * 0.4);
  days.forEach((d, i) => {
    const x = p.x(i) + slot * 0.1;
    const ec = d.ecWh / 1000;
    const ep = d.epWh / 1000;
    parts.push(
      rect(
        x,
        p.y(0),
        bar,
        p.y(ec) - p.y(0),
        palette.consumption,
        `${d.date} consumption ${formatNumber(ec, 1)} kWh`,
      ),
    );
    parts.push(
      rect(
        x + bar,
        p.y(0),
        bar,
        p.y(ep) - p.y(0),
        palette.production,
        `${d.date} production ${formatNumber(ep, 1)} kWh`,
      ),
    );
  });
  if (days.length === 0) parts.push(emptyNote(p, 'no day in the period'));
  const items: LegendItem[] = [
    { label: 'consumption Ec', color: palette.consumption, kind: 'box' },
    { label: 'production Ep', color: palette.production, kind: 'box' },
  ];
  parts.push(legend(items, p.left, 16));
  return svgElement(p.width, p.height, 'Consumption and production per day', parts);
}

/** (d) Per-house savings: on-chain balance change minus the BAU bill, ECT. */
export function savingsPlot(report: PilotReport): string {
  const houses = report.houses;
  const values = houses.map((h) => ectValue(h.savingsUect));
  const rowHeight = 24;
  const height = 70 + Math.max(houses.length, 1) * rowHeight;
  const [lo, hi] = niceDomain(Math.min(0, ...values), Math.max(0, ...values, 1), 8);
  const p = plotArea(
    wide,
    height,
    { top: 14, right: 80, bottom: 56, left: 150 },
    [lo, hi],
    [houses.length, 0],
  );
  const parts = [
    axes(p, {
      xTicks: ticks(niceTicks(lo, hi, 8), (v) => formatNumber(v, tickDecimals(lo, hi, 8))),
      yTicks: [],
      xLabel: 'savings vs BAU, ECT (balance change on chain − bill at grid prices)',
      yLabel: '',
      xGrid: true,
    }),
  ];
  houses.forEach((h, i) => {
    const v = values[i]!;
    const y = p.y(i) + 4;
    const h0 = rowHeight - 8;
    const color = v >= 0 ? palette.positive : palette.negative;
    parts.push(rect(p.x(0), y, p.x(v) - p.x(0), h0, color, `${h.meterId}: ${formatNumber(v, 2)} ECT`));
    parts.push(text(p.left - 8, y + h0 - 4, clip(h.meterId, 20), { anchor: 'end' }));
    const sign = v > 0 ? '+' : '';
    const labelX = v >= 0 ? p.x(v) + 5 : p.x(v) - 5;
    parts.push(
      text(labelX, y + h0 - 4, `${sign}${formatNumber(v, 2)}`, {
        anchor: v >= 0 ? 'start' : 'end',
        cls: 'value',
      }),
    );
  });
  const x0 = p.x(0);
  parts.push(`<line class="domain" x1="${x0}" x2="${x0}" y1="${p.top}" y2="${p.bottom}"/>`);
  if (houses.length === 0) parts.push(emptyNote(p, 'no meter'));
  return svgElement(p.width, p.height, 'Savings of each meter against business as usual', parts);
}

/** At most `n` characters, with an ellipsis. */
export function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
