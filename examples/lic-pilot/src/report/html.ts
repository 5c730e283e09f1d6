import {
  escapeHtml as e,
  formatDuration,
  formatEct,
  formatKwh,
  formatNumber,
  formatPercent,
  formatPrice,
  formatUtc,
} from './format.js';
import { cpuPlot, rssPlot } from './node-plots.js';
import { dailyBarsPlot, gdiHistogramPlot, pricePlot, profilePlot, savingsPlot } from './plots.js';
import { pageCss } from './style.js';
import { svgWidth } from './svg.js';
import { houseTable, nodeTable, phaseTable } from './tables.js';
import type { PilotReport } from './types.js';

/**
 * `report.html`: the pilot's report as ONE self-contained page — inline CSS and inline SVG plots
 * drawn by hand, no script, no font or image to fetch — so it opens from a file anywhere and can be
 * mailed as is. Every string from the run (meter ids come from CSV files) is escaped.
 */
export function renderReportHtml(report: PilotReport): string {
  const title = 'Joule — Lugaggia Innovation Community';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title)}: pilot report</title>`,
    `<style>${pageCss}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header(report, title),
    cards(report),
    marketSection(report),
    energySection(report),
    housesSection(report),
    nodesSection(report),
    runSection(report),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function header(report: PilotReport, title: string): string {
  const { period, run } = report;
  const days = (period.tsEnd - period.tsStart) / 86_400;
  const slotMin = period.slotSeconds / 60;
  return `<header>
<h1>${e(title)}</h1>
<p class="lead">A month of 15-minute local energy markets, settled on a Joule chain and audited offline.</p>
<dl class="facts">
<div><dt>Period</dt><dd>${e(formatUtc(period.tsStart))} → ${e(formatUtc(period.tsEnd))} · ${e(formatNumber(days, days % 1 === 0 ? 0 : 1))} days · ${e(formatNumber(period.slots))} slots of ${e(formatNumber(slotMin))} min</dd></div>
<div><dt>Network</dt><dd>${e(formatNumber(run.nodes))} nodes, ${e(formatNumber(run.validators))} validators · chain <code>${e(run.chainId)}</code> · ${e(formatNumber(report.houses.length))} meters</dd></div>
<div><dt>Data</dt><dd>${e(run.data)}</dd></div>
<div><dt>Prices</dt><dd>grid buy ${e(formatPrice(period.pBuyBAU))} · grid sell ${e(formatPrice(period.pSellBAU))} · LEM buy ${e(formatPrice(period.pBuyLEM))} · LEM sell ${e(formatPrice(period.pSellLEM))} ECT/kWh · β ${e(formatPrice(period.beta))} ECT/kWh²</dd></div>
</dl>
</header>`;
}

function card(label: string, value: string, note: string, tone: 'ok' | 'bad' | '' = ''): string {
  const cls = tone === '' ? 'card' : `card ${tone}`;
  return `<div class="${cls}"><div class="k">${e(label)}</div><div class="v">${value}</div><div class="n">${note}</div></div>`;
}

function cards(report: PilotReport): string {
  const c = report.community;
  const a = report.audit;
  const savings = report.houses.reduce((s, h) => s + BigInt(h.savingsUect), 0n);
  const grid = BigInt(c.gridFlowUect);
  const signed = (u: bigint): string => `${u > 0n ? '+' : ''}${formatEct(u)}`;
  const failed = [
    a.deltasEqual ? '' : 'account deltas',
    a.adminEqual ? '' : 'admin margin',
    a.gridFlowEqual ? '' : 'grid flow',
    a.slotsEqual ? '' : 'slot receipts',
  ].filter((f) => f !== '');
  const auditNote =
    `<code>joule market settle</code> on the export from ${e(a.node)} ${a.matches ? 'equals' : 'does not equal'} ` +
    `the chain's receipt to the uECT` +
    (failed.length > 0 ? ` (differs: ${e(failed.join(', '))})` : '') +
    ` · ${e(formatNumber(a.measures))} measures, ${e(formatNumber(a.missing))} missing, solved at height ${e(formatNumber(a.solvedHeight))}`;
  const gridNote =
    grid >= 0n
      ? `paid to the DSO for ${e(formatKwh(c.gridImportWh, 0))} kWh in, ${e(formatKwh(c.gridExportWh, 0))} kWh out`
      : `paid by the DSO for ${e(formatKwh(c.gridExportWh, 0))} kWh out, ${e(formatKwh(c.gridImportWh, 0))} kWh in`;
  return `<section class="cards" aria-label="Key figures">
${card('Self-consumption', e(formatPercent(c.selfConsumption)), `of the production (${e(formatKwh(c.productionWh, 0))} kWh) used inside the community`)}
${card('Self-sufficiency', e(formatPercent(c.selfSufficiency)), `of the consumption (${e(formatKwh(c.consumptionWh, 0))} kWh) covered by neighbours`)}
${card('Savings vs BAU', `${e(signed(savings))} <small>ECT</small>`, `all ${e(String(report.houses.length))} meters: balance change on chain − bill at grid prices`, savings >= 0n ? 'ok' : 'bad')}
${card('Admin margin', `${e(formatEct(c.adminMarginUect))} <small>ECT</small>`, 'kept by the market operator')}
${card('Grid flow', `${e(formatEct(grid < 0n ? -grid : grid))} <small>ECT</small>`, gridNote)}
${card('Invariant', c.invariantHolds ? '✓ holds' : '✗ broken', `Σ deltas + admin + grid flow = ${e(c.invariantUect)} uECT`, c.invariantHolds ? 'ok' : 'bad')}
${card('Audit', a.matches ? '✓ matches' : '✗ differs', auditNote, a.matches ? 'ok' : 'bad')}
${card('Chain', `${e(formatNumber(report.chain.height))} <small>blocks</small>`, `${e(formatNumber(report.chain.txs))} txs · ${e(formatNumber(report.chain.measures))} measures · app hashes ${report.chain.appHashesEqual ? 'equal on every node ✓' : 'DIFFER ✗'}`, report.chain.appHashesEqual ? '' : 'bad')}
</section>`;
}

/** A plot and its caption, as wide as the plot (so a long caption wraps instead of widening it). */
function figure(svg: string, caption: string): string {
  return `<figure style="width: ${svgWidth(svg)}px">${svg}<figcaption>${caption}</figcaption></figure>`;
}

function marketSection(report: PilotReport): string {
  const g = report.community.gdi;
  const stats = `mean ${formatNumber(g.mean, 2)} · p10 ${formatNumber(g.p10, 2)} · median ${formatNumber(g.p50, 2)} · p90 ${formatNumber(g.p90, 2)}`;
  return `<section>
<h2>Prices against the grid dependency index</h2>
<p>Each dot is one slot: its buy price <i>pb</i> and sell price <i>ps</i> (equation 1 of the paper) against GDI = (Ec − Ep)/(Ec + Ep), from +1 (everything from the grid) to −1 (everything to it). Both depend only on Ep/Ec, so the dots trace the curves of the paper's figure 1 between the grid (BAU) and community (LEM) prices.</p>
<div class="row">
${figure(pricePlot(report), 'Buying price (blue) and selling price (orange) of every slot, ECT/kWh.')}
${figure(gdiHistogramPlot(report), `GDI of the slots with energy: ${e(stats)}.`)}
</div>
</section>`;
}

function energySection(report: PilotReport): string {
  const c = report.community;
  const rows = [
    ['Consumption', c.consumptionWh],
    ['Production', c.productionWh],
    ['Traded inside (Σ min(Ec, Ep))', c.tradedInsideWh],
    ['Imported from the grid', c.gridImportWh],
    ['Exported to the grid', c.gridExportWh],
  ] as const;
  const table = rows.map(([k, v]) => `<tr><td>${e(k)}</td><td>${e(formatKwh(v))}</td></tr>`).join('');
  return `<section>
<h2>Energy</h2>
<div class="row">
${figure(profilePlot(report), "The community's mean day: mean energy of each quarter hour over weekdays (solid) and weekend days (dashed).")}
${figure(dailyBarsPlot(report), 'Total consumption and production of each day.')}
</div>
<table class="compact"><thead><tr><th>Community, whole period</th><th>kWh</th></tr></thead><tbody>${table}</tbody></table>
</section>`;
}

function housesSection(report: PilotReport): string {
  return `<section>
<h2>Meters: bills and savings</h2>
<p>What each meter's account gained or paid on chain (LEM energy part + LPM power part), against what it would have paid and earned at grid prices (BAU). Savings = balance change − BAU; positive means the community market paid off. ECT, 2 decimals; energy in kWh.</p>
${figure(savingsPlot(report), 'Savings of each meter against business as usual, ECT.')}
${houseTable(report)}
</section>`;
}

function nodesSection(report: PilotReport): string {
  return `<section>
<h2>Nodes: memory, CPU and disk</h2>
<p>Sampled once a second on every node process of the run. Validators solid, other nodes dashed; the dotted line is the paper's figure for Tendermint (Go) on the pilot's Raspberry Pi CM3 boards.</p>
<div class="row">
${figure(rssPlot(report), 'Resident set size of each node process, MB.')}
${figure(cpuPlot(report), 'CPU of each node process, % of one core.')}
</div>
${nodeTable(report)}
</section>`;
}

function runSection(report: PilotReport): string {
  const r = report.run;
  return `<section class="run">
<h2>Run</h2>
<dl class="facts">
<div><dt>Finished</dt><dd>${e(report.finishedAt)} after ${e(formatDuration(r.wallSeconds))}</dd></div>
<div><dt>Runtime</dt><dd>Node ${e(r.node)} on ${e(r.arch)} · seed ${e(String(r.seed))} · ${e(formatNumber(r.days, r.days % 1 === 0 ? 0 : 2))} days of data</dd></div>
<div><dt>Directory</dt><dd><code>${e(r.dir)}</code></dd></div>
</dl>
${phaseTable(report)}
</section>`;
}
