import { formatAddress } from '@joule/consensus';
import type { QueryContext } from '@joule/state';
import { defaultDenom, defaultGraceSlots, defaultMaxMeasureWh, slotsPerGroup } from '../constants.js';
import { passCount, slotStart } from './periods.js';
import { keyPrefix, readUint, tables } from './records.js';

/** The market's state as a genesis section (what `parseMarketGenesis` reads back). */
export async function exportMarketGenesis(ctx: QueryContext, prefix: string): Promise<unknown> {
  const bech = (a: Uint8Array): string => formatAddress(a, prefix);
  const config = await tables.config.get(ctx.state, 'config');
  const meters = [];
  for (let i = 0; i < (config?.meterCount ?? 0); i++) {
    const ref = await tables.meterIndex.get(ctx.state, i);
    const m = ref && (await tables.meters.get(ctx.state, ref.meterId));
    if (ref && m) meters.push({ meterId: ref.meterId, account: bech(m.account), active: m.active });
  }
  const periods = (await tables.periods.entries(ctx.state)).map(([, p]) => p);
  const measures = [];
  for (const p of periods) {
    for (let pass = 0; pass < passCount(p); pass++) {
      for await (const [key, group] of tables.measures.scan(ctx.state, keyPrefix.measures(p.tsStart, pass))) {
        const meterId = meters[readUint(key, 9, 4)]?.meterId;
        const first = readUint(key, 13, 2) * slotsPerGroup;
        for (let at = 0; at < slotsPerGroup; at++) {
          const cons = group[2 * at] ?? null;
          const prod = group[2 * at + 1] ?? null;
          if (cons === null && prod === null) continue;
          measures.push({ meterId, tsStart: slotStart(p, first + at), cons, prod });
        }
      }
    }
  }
  const deltasOf = async (period: number, count: number) => {
    const out = [];
    for await (const [, acc] of tables.accountDeltas.scan(ctx.state, keyPrefix.period(period))) {
      if (out.length >= count) break;
      out.push({ account: bech(acc.account), delta: acc.delta.toString() });
    }
    return out;
  };
  const receipts = [];
  const progress = [];
  for (const p of periods) {
    const r = await tables.receipts.get(ctx.state, p.tsStart);
    if (r !== undefined)
      receipts.push({
        tsStart: p.tsStart,
        admin: bech(r.admin),
        adminDelta: r.adminDelta.toString(),
        gridFlow: r.gridFlow.toString(),
        missing: r.missing,
        meters: r.meters,
        solvedHeight: r.solvedHeight,
        deltas: await deltasOf(p.tsStart, r.accounts),
      });
    const s = await tables.progress.get(ctx.state, p.tsStart);
    if (s !== undefined)
      progress.push({
        ...s,
        tsStart: p.tsStart,
        admin: bech(s.admin),
        sumDeltas: s.sumDeltas.toString(),
        gridFlow: s.gridFlow.toString(),
        deltas: await deltasOf(p.tsStart, s.accounts),
      });
  }
  const failures = [];
  for (const p of periods) {
    const f = p.state === 3 ? await tables.solveFailures.get(ctx.state, p.tsStart) : undefined;
    if (f !== undefined) failures.push({ tsStart: p.tsStart, height: f.height, reason: f.reason });
  }
  const debts = (await tables.debts.entries(ctx.state)).map(([key, amount]) => ({
    debtor: bech(key.subarray(0, 20)),
    creditor: key[20] === 0 ? null : bech(key.subarray(21, 41)),
    amount: amount.toString(),
  }));
  return {
    admin: config === undefined ? null : bech(config.admin),
    denom: config?.denom ?? defaultDenom,
    maxMeasureWh: config?.maxMeasureWh ?? defaultMaxMeasureWh,
    graceSlots: config?.graceSlots ?? defaultGraceSlots,
    pseudonymous: config?.pseudonymous ?? false,
    meters,
    periods: periods.map((p) => ({
      ...p,
      pBuyBAU: p.pBuyBAU.toString(),
      pSellBAU: p.pSellBAU.toString(),
      pBuyLEM: p.pBuyLEM.toString(),
      pSellLEM: p.pSellLEM.toString(),
      beta: p.beta.toString(),
      state: ['NOT_SOLVED', 'SOLVING', 'SOLVED', 'FAILED'][p.state],
    })),
    measures,
    receipts,
    progress,
    debts,
    failures,
  };
}
