import type { PilotReport } from '../report/types.js';

const ect = (uect: string): string => {
  const v = BigInt(uect);
  const sign = v < 0n ? '-' : '';
  const abs = v < 0n ? -v : v;
  const cents = (abs + 5_000n) / 10_000n;
  return `${sign}${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
};
const kwh = (wh: number): string => (wh / 1000).toFixed(1);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The end-of-run summary on stdout: houses, community, audit and resources. */
export function printSummary(r: PilotReport, log: (line: string) => void): void {
  log('\nPer meter (kWh; ECT, + is received):');
  const rows = r.houses.map((h) => ({
    meter: h.meterId,
    node: h.node,
    'cons kWh': kwh(h.consumptionWh),
    'prod kWh': kwh(h.productionWh),
    'bought inside': kwh(h.boughtInsideWh),
    'sold inside': kwh(h.soldInsideWh),
    'LEM energy': ect(h.lemEnergyUect),
    LPM: ect(h.lpmUect),
    BAU: ect(h.bauUect),
    'balance Δ': ect(h.balanceDeltaUect),
    saved: ect(h.savingsUect),
  }));
  console.table(rows);
  const c = r.community;
  log('Community:');
  log(
    `  consumption ${kwh(c.consumptionWh)} kWh, production ${kwh(c.productionWh)} kWh, traded inside ${kwh(c.tradedInsideWh)} kWh`,
  );
  log(`  self-consumption ${pct(c.selfConsumption)}, self-sufficiency ${pct(c.selfSufficiency)}`);
  log(
    `  GDI (per slot, +1 all from the grid): mean ${c.gdi.mean.toFixed(2)}, p10 ${c.gdi.p10.toFixed(2)}, median ${c.gdi.p50.toFixed(2)}, p90 ${c.gdi.p90.toFixed(2)}`,
  );
  log(`  admin margin ${ect(c.adminMarginUect)} ECT, grid flow ${ect(c.gridFlowUect)} ECT paid to the DSO`);
  log(
    `  invariant Σ prosumers + admin + grid = ${c.invariantUect} uECT ${c.invariantHolds ? '✓' : '✗ (must be 0)'}`,
  );
  const a = r.audit;
  log(
    `Audit: \`joule market settle\` on ${a.measures} measures exported from ${a.node}: ${a.matches ? 'equals the on-chain receipt and the balance changes to the uECT ✓' : `DIFFERS (deltas ${a.deltasEqual}, admin ${a.adminEqual}, grid ${a.gridFlowEqual}, slots ${a.slotsEqual}) ✗`}`,
  );
  log(
    `Chain: height ${r.chain.height}, ${r.chain.txs} measure txs, app hashes ${r.chain.appHashesEqual ? 'equal on every node ✓' : 'DIFFER ✗'}; phases ${Object.entries(
      r.chain.phases,
    )
      .map(([k, v]) => `${k} ${v} s`)
      .join(', ')}`,
  );
  log(
    `\nNode processes over the run (${r.run.wallSeconds} s; the paper: ~${r.paper.rssMb} MB, ~${r.paper.cpuPercent} % CPU, ${r.paper.diskMbPer10Days.join('–')} MB disk per 10 days on ARM boards):`,
  );
  console.table(
    r.resources.map((n) => ({
      node: n.name,
      role: n.validator ? 'validator' : 'full node',
      'peak RSS MB': n.peakRssMb,
      'mean RSS MB': n.meanRssMb,
      'peak heap MB': n.peakHeapMb,
      'CPU s': n.cpuSeconds,
      'mean CPU %': n.meanCpuPercent,
      'disk MB': n.diskMb,
    })),
  );
}
