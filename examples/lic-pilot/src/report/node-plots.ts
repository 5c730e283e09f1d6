import { formatNumber } from './format.js';
import { half, palette } from './plots.js';
import {
  axes,
  emptyNote,
  hRule,
  type LegendItem,
  legend,
  line,
  niceDomain,
  niceTicks,
  type Plot,
  plotArea,
  svgElement,
  tickDecimals,
  ticks,
} from './svg.js';
import type { NodeResources, PilotReport } from './types.js';

/** At most this many points per node and curve; samples are averaged into buckets beyond. */
const maxPoints = 300;
/** CPU samples (one a second) are averaged over at least this many seconds to be readable. */
const cpuWindowSeconds = 10;

type Sample = NodeResources['samples'][number];

/** Means of `value` over consecutive buckets of `bucketSeconds`, at each bucket's mean time. */
function bucketMeans(
  samples: readonly Sample[],
  bucketSeconds: number,
  value: (s: Sample) => number,
): [number, number][] {
  const out: [number, number][] = [];
  let key = Number.NaN;
  let t = 0;
  let v = 0;
  let n = 0;
  const flush = (): void => {
    if (n > 0) out.push([t / n, v / n]);
  };
  for (const s of samples) {
    const k = Math.floor(s.t / bucketSeconds);
    if (k !== key) {
      flush();
      key = k;
      t = 0;
      v = 0;
      n = 0;
    }
    t += s.t;
    v += value(s);
    n++;
  }
  flush();
  return out;
}

/** How each node is drawn: validators solid in their own colour, the others thin, grey, dashed. */
function nodeStyles(resources: readonly NodeResources[]): { color: string; width: number; dash?: string }[] {
  let v = 0;
  return resources.map((r) =>
    r.validator
      ? { color: palette.nodes[v++ % palette.nodes.length]!, width: 2 }
      : { color: palette.others, width: 1.2, dash: '5 3' },
  );
}

function nodeLegend(resources: readonly NodeResources[]): LegendItem[] {
  const styles = nodeStyles(resources);
  const items: LegendItem[] = resources.flatMap((r, i) =>
    r.validator ? [{ label: `${r.name} (validator)`, color: styles[i]!.color, kind: 'line' as const }] : [],
  );
  const others = resources.filter((r) => !r.validator).length;
  if (others > 0) {
    items.push({
      label: `${others} other node${others === 1 ? '' : 's'}`,
      color: palette.others,
      kind: 'line',
      dash: '5 3',
    });
  }
  return items;
}

/** One curve per node of `value` over time, in minutes; `reference` is the paper's figure. */
function resourcePlot(
  report: PilotReport,
  options: {
    readonly title: string;
    readonly yLabel: string;
    readonly value: (s: Sample) => number;
    readonly minBucketSeconds: number;
    readonly reference: { readonly value: number; readonly label: string };
  },
): string {
  const resources = report.resources;
  // Without samples the axis still spans a minute, so its ticks read normally.
  const duration = Math.max(60, ...resources.flatMap((r) => r.samples.map((s) => s.t)));
  const bucket = Math.max(options.minBucketSeconds, Math.ceil(duration / maxPoints));
  const curves = resources.map((r) => bucketMeans(r.samples, bucket, options.value));
  const yMax = Math.max(options.reference.value * 1.15, ...curves.flatMap((c) => c.map((pt) => pt[1])));
  const minutes = duration / 60;
  const p: Plot = plotArea(
    half,
    360,
    { top: 60, right: 16, bottom: 52, left: 58 },
    [0, minutes],
    niceDomain(0, yMax),
  );
  const parts = [
    axes(p, {
      xTicks: ticks(niceTicks(0, minutes, 6), (v) => formatNumber(v, tickDecimals(0, minutes, 6))),
      yTicks: ticks(niceTicks(...p.y.domain), (v) => formatNumber(v, tickDecimals(...p.y.domain))),
      xLabel: 'minutes since the network started',
      yLabel: options.yLabel,
    }),
    hRule(
      p,
      options.reference.value,
      { color: palette.neutral, width: 1.5, dash: '2 3' },
      options.reference.label,
    ),
  ];
  const styles = nodeStyles(resources);
  // Other nodes first, so the validators' curves stay on top.
  const order = resources
    .map((_, i) => i)
    .sort((a, b) => Number(resources[a]!.validator) - Number(resources[b]!.validator));
  for (const i of order) {
    const pts = curves[i]!.map(([t, v]): [number, number] => [t / 60, v]);
    parts.push(line(p, pts, styles[i]!));
  }
  if (curves.every((c) => c.length === 0)) parts.push(emptyNote(p, 'no resource samples in this run'));
  parts.push(legend(nodeLegend(resources), p.left, 16, { columns: 3, columnWidth: 145 }));
  return svgElement(p.width, p.height, options.title, parts);
}

/** (e) Resident memory of every node over the run, MB, next to the paper's ~100 MB. */
export function rssPlot(report: PilotReport): string {
  return resourcePlot(report, {
    title: 'Resident memory of each node',
    yLabel: 'RSS, MB',
    value: (s) => s.rssMb,
    minBucketSeconds: 1,
    reference: { value: report.paper.rssMb, label: `paper ≈ ${report.paper.rssMb} MB` },
  });
}

/** (e) CPU of every node, % of one core in 10 s means, next to the paper's ~4 %. */
export function cpuPlot(report: PilotReport): string {
  return resourcePlot(report, {
    title: 'CPU of each node',
    yLabel: `CPU, % of one core (${cpuWindowSeconds} s means)`,
    value: (s) => s.cpuPercent,
    minBucketSeconds: cpuWindowSeconds,
    reference: { value: report.paper.cpuPercent, label: `paper ≈ ${report.paper.cpuPercent} %` },
  });
}
