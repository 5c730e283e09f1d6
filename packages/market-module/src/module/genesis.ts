import { parseAddress } from '@joule/consensus';
import { type GenesisContext, GenesisError, jsonArray, jsonObject, jsonString } from '@joule/state';
import {
  defaultDenom,
  defaultGraceSlots,
  defaultMaxMeasureWh,
  maxFailureReasonLength,
  maxGraceSlots,
  maxMeasureWhLimit,
  maxMeters,
} from '../constants.js';
import { indexPeriodDays, measureKey, slotKey } from './periods.js';
import {
  type Creditor,
  emptyGroup,
  type Period,
  type PeriodState,
  type SolveProgress,
  tables,
} from './records.js';

/** The market's genesis section (see README for the JSON shape). Amounts are decimal strings. */
export interface MarketGenesis {
  readonly admin: Uint8Array | null;
  readonly denom: string;
  readonly maxMeasureWh: number;
  readonly graceSlots: number;
  readonly pseudonymous: boolean;
  readonly meters: readonly { meterId: string; account: Uint8Array; active: boolean }[];
  readonly periods: readonly Period[];
  readonly measures: readonly {
    meterId: string;
    tsStart: number;
    cons: number | null;
    prod: number | null;
  }[];
  readonly receipts: readonly (GenesisReceipt & { tsStart: number })[];
  readonly progress: readonly (SolveProgress & { tsStart: number; deltas: GenesisDelta[] })[];
  readonly debts: readonly { debtor: Uint8Array; creditor: Creditor; amount: bigint }[];
  /** Why each FAILED period's solve was given up. */
  readonly failures: readonly { tsStart: number; height: number; reason: string }[];
}
interface GenesisDelta {
  readonly account: Uint8Array;
  readonly delta: bigint;
}
interface GenesisReceipt {
  readonly admin: Uint8Array;
  readonly adminDelta: bigint;
  readonly gridFlow: bigint;
  readonly missing: number;
  readonly meters: number;
  readonly solvedHeight: number;
  readonly deltas: GenesisDelta[];
}

const maxRows = 50_000_000;
const int = (v: unknown, path: string, min = 0): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    throw new GenesisError(`${path}: expected an integer ≥ ${min}`, { path });
  return v;
};
const big = (v: unknown, path: string, signed = false): bigint => {
  const text = jsonString(v, path);
  if (!(signed ? /^-?(0|[1-9][0-9]*)$/ : /^(0|[1-9][0-9]*)$/).test(text) || text.length > 40)
    throw new GenesisError(`${path}: expected a decimal string`, { path });
  return BigInt(text);
};
const optInt = (v: unknown, path: string): number | null =>
  v === null || v === undefined ? null : int(v, path);

/** Parses and checks the market's genesis section. */
export function parseMarketGenesis(json: unknown, prefix: string): MarketGenesis {
  const o = jsonObject(json, 'market');
  const addr = (v: unknown, path: string): Uint8Array => parseAddress(jsonString(v, path), prefix);
  const rows = (key: string, max = maxRows) => jsonArray(o[key] ?? [], `market.${key}`, max);
  const maxMeasureWh =
    o.maxMeasureWh === undefined ? defaultMaxMeasureWh : int(o.maxMeasureWh, 'market.maxMeasureWh');
  if (maxMeasureWh > maxMeasureWhLimit)
    throw new GenesisError(`market.maxMeasureWh exceeds ${maxMeasureWhLimit}`);
  const graceSlots = o.graceSlots === undefined ? defaultGraceSlots : int(o.graceSlots, 'market.graceSlots');
  if (graceSlots > maxGraceSlots)
    throw new GenesisError(`market.graceSlots exceeds ${maxGraceSlots} slots`, { path: 'market.graceSlots' });
  const deltas = (v: unknown, path: string): GenesisDelta[] =>
    jsonArray(v ?? [], path, maxRows).map((d, i) => {
      const r = jsonObject(d, `${path}[${i}]`);
      return {
        account: addr(r.account, `${path}[${i}].account`),
        delta: big(r.delta, `${path}[${i}].delta`, true),
      };
    });
  return {
    admin: o.admin == null ? null : addr(o.admin, 'market.admin'),
    denom: o.denom === undefined ? defaultDenom : jsonString(o.denom, 'market.denom'),
    maxMeasureWh,
    graceSlots,
    pseudonymous: o.pseudonymous === true,
    meters: rows('meters', maxMeters).map((m, i) => {
      const r = jsonObject(m, `market.meters[${i}]`);
      return {
        meterId: jsonString(r.meterId, `market.meters[${i}].meterId`),
        account: addr(r.account, `market.meters[${i}].account`),
        active: r.active !== false,
      };
    }),
    periods: rows('periods').map((p, i) => {
      const r = jsonObject(p, `market.periods[${i}]`);
      const at = `market.periods[${i}]`;
      const state = ['NOT_SOLVED', 'SOLVING', 'SOLVED', 'FAILED'].indexOf(String(r.state ?? 'NOT_SOLVED'));
      if (state < 0) throw new GenesisError(`${at}.state: expected NOT_SOLVED, SOLVING, SOLVED or FAILED`);
      return {
        tsStart: int(r.tsStart, `${at}.tsStart`),
        tsEnd: int(r.tsEnd, `${at}.tsEnd`),
        slotSeconds: int(r.slotSeconds, `${at}.slotSeconds`, 1),
        pBuyBAU: big(r.pBuyBAU, `${at}.pBuyBAU`),
        pSellBAU: big(r.pSellBAU, `${at}.pSellBAU`),
        pBuyLEM: big(r.pBuyLEM, `${at}.pBuyLEM`),
        pSellLEM: big(r.pSellLEM, `${at}.pSellLEM`),
        beta: big(r.beta, `${at}.beta`),
        state: state as PeriodState,
      };
    }),
    measures: rows('measures').map((m, i) => {
      const r = jsonObject(m, `market.measures[${i}]`);
      const at = `market.measures[${i}]`;
      return {
        meterId: jsonString(r.meterId, `${at}.meterId`),
        tsStart: int(r.tsStart, `${at}.tsStart`),
        cons: optInt(r.cons, `${at}.cons`),
        prod: optInt(r.prod, `${at}.prod`),
      };
    }),
    receipts: rows('receipts').map((x, i) => {
      const r = jsonObject(x, `market.receipts[${i}]`);
      const at = `market.receipts[${i}]`;
      return {
        tsStart: int(r.tsStart, `${at}.tsStart`),
        admin: addr(r.admin, `${at}.admin`),
        adminDelta: big(r.adminDelta, `${at}.adminDelta`, true),
        gridFlow: big(r.gridFlow, `${at}.gridFlow`, true),
        missing: int(r.missing, `${at}.missing`),
        meters: int(r.meters, `${at}.meters`),
        solvedHeight: int(r.solvedHeight, `${at}.solvedHeight`),
        deltas: deltas(r.deltas, `${at}.deltas`),
      };
    }),
    progress: rows('progress').map((x, i) => {
      const r = jsonObject(x, `market.progress[${i}]`);
      const at = `market.progress[${i}]`;
      const d = deltas(r.deltas, `${at}.deltas`);
      return {
        tsStart: int(r.tsStart, `${at}.tsStart`),
        phase: int(r.phase, `${at}.phase`) as SolveProgress['phase'],
        pass: int(r.pass, `${at}.pass`),
        meter: int(r.meter, `${at}.meter`),
        seq: int(r.seq, `${at}.seq`),
        meters: int(r.meters, `${at}.meters`),
        active: int(r.active, `${at}.active`),
        admin: addr(r.admin, `${at}.admin`),
        accounts: d.length,
        sumDeltas: big(r.sumDeltas, `${at}.sumDeltas`, true),
        gridFlow: big(r.gridFlow, `${at}.gridFlow`, true),
        missing: int(r.missing, `${at}.missing`),
        deltas: d,
      };
    }),
    debts: rows('debts').map((x, i) => {
      const r = jsonObject(x, `market.debts[${i}]`);
      const at = `market.debts[${i}]`;
      return {
        debtor: addr(r.debtor, `${at}.debtor`),
        creditor: r.creditor == null ? null : addr(r.creditor, `${at}.creditor`),
        amount: big(r.amount, `${at}.amount`),
      };
    }),
    failures: rows('failures').map((x, i) => {
      const r = jsonObject(x, `market.failures[${i}]`);
      const at = `market.failures[${i}]`;
      const reason = jsonString(r.reason, `${at}.reason`);
      if (reason.length > maxFailureReasonLength)
        throw new GenesisError(`${at}.reason: longer than ${maxFailureReasonLength} characters`);
      return { tsStart: int(r.tsStart, `${at}.tsStart`), height: int(r.height, `${at}.height`), reason };
    }),
  };
}

function writeDeltas(ctx: GenesisContext, period: number, deltas: readonly GenesisDelta[]): void {
  deltas.forEach((d, seq) => {
    tables.accountSeq.set(ctx.state, { period, account: d.account }, seq);
    tables.accountDeltas.set(ctx.state, { period, seq }, { account: d.account, delta: d.delta });
  });
}

/** Writes the genesis section to state: meters get indexes in file order, totals are recomputed. */
export async function initMarketGenesis(ctx: GenesisContext, g: MarketGenesis): Promise<void> {
  const indexOf = new Map<string, number>();
  g.meters.forEach((m, index) => {
    if (indexOf.has(m.meterId)) throw new GenesisError(`market.meters: ${m.meterId} appears twice`);
    indexOf.set(m.meterId, index);
    tables.meters.set(ctx.state, m.meterId, { index, account: m.account, active: m.active });
    tables.meterIndex.set(ctx.state, index, { meterId: m.meterId, account: m.account });
  });
  tables.config.set(ctx.state, 'config', {
    admin: g.admin ?? new Uint8Array(20),
    pendingAdmin: null,
    denom: g.denom,
    maxMeasureWh: g.maxMeasureWh,
    graceSlots: g.graceSlots,
    pseudonymous: g.pseudonymous,
    meterCount: g.meters.length,
    activeMeters: g.meters.filter((m) => m.active).length,
  });
  const periods = [...g.periods].sort((a, b) => a.tsStart - b.tsStart);
  periods.forEach((p, i) => {
    if (p.tsStart % p.slotSeconds !== 0 || p.tsEnd % p.slotSeconds !== 0 || p.tsEnd <= p.tsStart)
      throw new GenesisError(`market.periods: [${p.tsStart}, ${p.tsEnd}) is not slot-aligned`);
    if (i > 0 && (periods[i - 1] as Period).tsEnd > p.tsStart)
      throw new GenesisError(`market.periods: [${p.tsStart}, ${p.tsEnd}) overlaps the previous period`);
  });
  const byStart = new Map(periods.map((p) => [p.tsStart, p]));
  for (const p of periods) {
    tables.periods.set(ctx.state, p.tsStart, p);
    await indexPeriodDays(ctx.state, p);
  }
  for (const [i, m] of g.measures.entries()) {
    const index = indexOf.get(m.meterId);
    const period = periods.find((p) => p.tsStart <= m.tsStart && m.tsStart < p.tsEnd);
    if (
      index === undefined ||
      period === undefined ||
      (m.tsStart - period.tsStart) % period.slotSeconds !== 0
    )
      throw new GenesisError(`market.measures[${i}]: unknown meter or a time outside every period's slots`);
    if (m.cons === null && m.prod === null)
      throw new GenesisError(`market.measures[${i}]: neither cons nor prod`);
    if ((m.cons ?? 0) > maxMeasureWhLimit || (m.prod ?? 0) > maxMeasureWhLimit)
      throw new GenesisError(`market.measures[${i}]: a measure is at most ${maxMeasureWhLimit} Wh`);
    const slot = slotKey(period, m.tsStart);
    const { key, at } = measureKey(period, index, slot.slot);
    const group = ((await tables.measures.get(ctx.state, key)) ?? emptyGroup).slice();
    if (group[2 * at] !== null || group[2 * at + 1] !== null)
      throw new GenesisError(`market.measures[${i}]: a second entry for the same meter and slot`);
    group[2 * at] = m.cons;
    group[2 * at + 1] = m.prod;
    tables.measures.set(ctx.state, key, group);
    const t = (await tables.totals.get(ctx.state, slot)) ?? { ec: 0, ep: 0, reporters: 0 };
    tables.totals.set(ctx.state, slot, {
      ec: t.ec + (m.cons ?? 0),
      ep: t.ep + (m.prod ?? 0),
      reporters: t.reporters + 1,
    });
  }
  for (const r of g.receipts) {
    if (byStart.get(r.tsStart)?.state !== 2)
      throw new GenesisError(`market.receipts: ${r.tsStart} is not a SOLVED period`);
    const { tsStart, deltas, ...receipt } = r;
    tables.receipts.set(ctx.state, tsStart, { ...receipt, accounts: deltas.length });
    writeDeltas(ctx, tsStart, deltas);
  }
  for (const p of g.progress) {
    if (byStart.get(p.tsStart)?.state !== 1)
      throw new GenesisError(`market.progress: ${p.tsStart} is not SOLVING`);
    const { tsStart, deltas, ...progress } = p;
    tables.progress.set(ctx.state, tsStart, progress);
    tables.solving.set(ctx.state, tsStart, true);
    writeDeltas(ctx, tsStart, deltas);
  }
  for (const d of g.debts) tables.debts.set(ctx.state, { debtor: d.debtor, creditor: d.creditor }, d.amount);
  for (const f of g.failures) {
    if (byStart.get(f.tsStart)?.state !== 3)
      throw new GenesisError(`market.failures: ${f.tsStart} is not FAILED`);
    tables.solveFailures.set(ctx.state, f.tsStart, { height: f.height, reason: f.reason });
  }
}
