import { escapeHtml as e, formatDuration, formatEct, formatKwh, formatNumber } from './format.js';
import type { HouseSummary, NodeResources, PilotReport } from './types.js';

/** Joule's targets for the month's back-fill: posted and in blocks within a minute, ≤ 128 MB RSS on every node. */
export const backfillTargets = { postSeconds: 60, peakRssMb: 128 } as const;

/** The back-fill's row: its time and peak, each against its target. */
function backfillFigure(postSeconds: number, peakRssMb: number | undefined): string {
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  const post = `posted and in blocks in ${formatDuration(postSeconds)} (target ≤ ${backfillTargets.postSeconds} s ${mark(postSeconds <= backfillTargets.postSeconds)})`;
  if (peakRssMb === undefined) return post;
  return `${post}, peak RSS ${formatNumber(peakRssMb, 1)} MB on the busiest node (target ≤ ${backfillTargets.peakRssMb} MB on every node ${mark(peakRssMb <= backfillTargets.peakRssMb)})`;
}

/** A signed ECT cell, coloured by sign. */
function money(uect: string | bigint): string {
  const v = typeof uect === 'bigint' ? uect : BigInt(uect);
  const cls = v > 0n ? 'pos' : v < 0n ? 'neg' : '';
  return `<td${cls === '' ? '' : ` class="${cls}"`}>${e(formatEct(v))}</td>`;
}

function num(text: string): string {
  return `<td>${e(text)}</td>`;
}

function meterCell(h: HouseSummary): string {
  const extras = [
    h.node,
    h.pvKwp > 0 ? `PV ${formatNumber(h.pvKwp, 1)} kWp` : '',
    h.batteryKwh > 0 ? `battery ${formatNumber(h.batteryKwh)} kWh` : '',
  ].filter((x) => x !== '');
  const sub = extras.length === 0 ? '' : `<span class="sub">${e(extras.join(' · '))}</span>`;
  return `<td class="meter" title="${e(h.account)}"><span class="id">${e(h.meterId)}</span>${sub}</td>`;
}

/** Per meter: energy, inside trades, the bill's parts, BAU and the savings; a totals row. */
export function houseTable(report: PilotReport): string {
  const head = [
    'Meter<br><span class="sub">node · PV · battery</span>',
    'Consumption<br>kWh',
    'Production<br>kWh',
    'Bought inside<br>kWh',
    'Sold inside<br>kWh',
    'LEM energy<br>ECT',
    'LPM<br>ECT',
    'BAU<br>ECT',
    'Balance change<br>ECT',
    'Savings<br>ECT',
  ];
  const rows = report.houses.map(
    (h) =>
      `<tr>${meterCell(h)}${num(formatKwh(h.consumptionWh))}${num(formatKwh(h.productionWh))}` +
      `${num(formatKwh(h.boughtInsideWh))}${num(formatKwh(h.soldInsideWh))}${money(h.lemEnergyUect)}${money(h.lpmUect)}` +
      `${money(h.bauUect)}${money(h.balanceDeltaUect)}${money(h.savingsUect)}</tr>`,
  );
  const sum = (f: (h: HouseSummary) => number): number => report.houses.reduce((s, h) => s + f(h), 0);
  const sumU = (f: (h: HouseSummary) => string): bigint =>
    report.houses.reduce((s, h) => s + BigInt(f(h)), 0n);
  const total =
    `<tr class="total"><td>All meters</td>${num(formatKwh(sum((h) => h.consumptionWh)))}` +
    `${num(formatKwh(sum((h) => h.productionWh)))}${num(formatKwh(sum((h) => h.boughtInsideWh)))}` +
    `${num(formatKwh(sum((h) => h.soldInsideWh)))}${money(sumU((h) => h.lemEnergyUect))}${money(sumU((h) => h.lpmUect))}` +
    `${money(sumU((h) => h.bauUect))}${money(sumU((h) => h.balanceDeltaUect))}${money(sumU((h) => h.savingsUect))}</tr>`;
  const th = head.map((h, i) => (i === 0 ? `<th class="left">${h}</th>` : `<th>${h}</th>`)).join('');
  return `<div class="scroll"><table class="houses"><thead><tr>${th}</tr></thead>
<tbody>${rows.join('\n')}</tbody><tfoot>${total}</tfoot></table></div>
<p class="note">Hover a meter for its account. LEM energy and LPM are each meter's exact amounts per slot summed, then rounded to the uECT; the balance change is the chain's, which rounds every slot toward the admin — they may differ by a few uECT.</p>`;
}

function range(values: readonly number[], decimals: number): string {
  if (values.length === 0) return '—';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo.toFixed(decimals) === hi.toFixed(decimals)
    ? formatNumber(lo, decimals)
    : `${formatNumber(lo, decimals)}–${formatNumber(hi, decimals)}`;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Per node: memory, heap, CPU and disk; then Joule against the paper's figures. */
export function nodeTable(report: PilotReport): string {
  const r = report.resources;
  const rows = r.map(
    (n: NodeResources) =>
      `<tr><td>${e(n.name)}</td><td class="role">${n.validator ? 'validator' : 'node'}</td>${num(formatNumber(n.peakRssMb, 1))}` +
      `${num(formatNumber(n.meanRssMb, 1))}${num(formatNumber(n.peakHeapMb, 1))}${num(formatNumber(n.cpuSeconds, 1))}` +
      `${num(formatNumber(n.meanCpuPercent, 1))}${num(formatNumber(n.diskMb, 1))}</tr>`,
  );
  const body =
    rows.length === 0
      ? '<tr><td colspan="8" class="empty">no resource samples in this run</td></tr>'
      : rows.join('\n');
  const paper = report.paper;
  const days = report.run.days;
  const wall = formatDuration(report.run.wallSeconds);
  const validators = r.filter((n) => n.validator);
  const others = r.filter((n) => !n.validator);
  const meanOf = (ns: readonly NodeResources[], f: (n: NodeResources) => number): string =>
    ns.length === 0 ? '—' : formatNumber(mean(ns.map(f)), 1);
  const none = 'no samples in this run';
  const compare = [
    [
      'Memory (RSS)',
      `≈ ${formatNumber(paper.rssMb)} MB`,
      r.length === 0
        ? none
        : `mean ${meanOf(r, (n) => n.meanRssMb)} MB, peaks ${range(
            r.map((n) => n.peakRssMb),
            0,
          )} MB`,
    ],
    [
      'Back-fill of the period',
      '—',
      report.chain.phases.post === undefined
        ? 'not posted in this run'
        : backfillFigure(
            report.chain.phases.post,
            r.length === 0 ? undefined : Math.max(...r.map((n) => n.peakRssMb)),
          ),
    ],
    [
      'Memory growth',
      `≈ +${formatNumber(paper.rssGrowthMbPerDay)} MB a day`,
      `not measurable in a run of ${wall}`,
    ],
    [
      'CPU',
      `≈ ${formatNumber(paper.cpuPercent)} %`,
      r.length === 0
        ? none
        : `mean ${meanOf(r, (n) => n.meanCpuPercent)} % of one core over the run (${wall}, the whole period posted)`,
    ],
    [
      'Disk',
      `${formatNumber(paper.diskMbPer10Days[0])}–${formatNumber(paper.diskMbPer10Days[1])} MB after 10 days`,
      r.length === 0
        ? none
        : `${range(
            r.map((n) => n.diskMb),
            1,
          )} MB after ${formatNumber(days, days % 1 === 0 ? 0 : 2)} days of data`,
    ],
    [
      'Validators vs other nodes',
      'no significant difference',
      validators.length === 0 || others.length === 0
        ? none
        : `mean RSS ${meanOf(validators, (n) => n.meanRssMb)} vs ${meanOf(others, (n) => n.meanRssMb)} MB, CPU ${meanOf(validators, (n) => n.meanCpuPercent)} vs ${meanOf(others, (n) => n.meanCpuPercent)} %`,
    ],
  ];
  return `<div class="row tables">
<div class="scroll grow"><table class="nodes"><thead><tr><th>Node</th><th class="left">Role</th><th>Peak RSS<br>MB</th><th>Mean RSS<br>MB</th><th>Peak heap<br>MB</th><th>CPU<br>s</th><th>Mean CPU<br>%</th><th>Disk<br>MB</th></tr></thead>
<tbody>${body}</tbody></table></div>
<table class="compare"><thead><tr><th></th><th>Paper (Tendermint, Go, CM3)</th><th>Joule, this run</th></tr></thead>
<tbody>${compare.map((c) => `<tr>${c.map((x) => `<td>${e(x)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>
</div>`;
}

/** Seconds of each phase of the run. */
export function phaseTable(report: PilotReport): string {
  const phases = Object.entries(report.chain.phases);
  if (phases.length === 0) return '';
  const cells = phases.map(([k, v]) => `<tr><td>${e(k)}</td><td>${e(formatDuration(v))}</td></tr>`).join('');
  return `<table class="compact"><thead><tr><th>Phase</th><th>Time</th></tr></thead><tbody>${cells}</tbody></table>`;
}
