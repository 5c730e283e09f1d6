import { JouleError } from '@joule/consensus';
import type { SetMarketParameters } from '@joule/market';
import {
  floorDiv,
  type MarketPrices,
  meterSlotOwedExact,
  type SlotPricing,
  slotPricing,
} from '@joule/market';
import type { CommunityData } from '../community/types.js';
import { gdiSummary } from './gdi.js';
import { dailyProfile } from './profile.js';
import type { CommunitySummary, HouseSummary, PilotReport, SlotSeries } from './types.js';

/**
 * The pilot's analysis: per-house bills and savings, the community's energy balance, the price
 * series and the mean day, from the meter data, the market parameters and what the chain did.
 *
 * Money is recomputed with @joule/market's own settlement functions (`slotPricing`,
 * `meterSlotOwedExact`) — the exact rational of each meter and slot — then summed and rounded once
 * per house, for display. The chain's settlement is not recomputed here: `balanceDeltas`, the admin's
 * delta and the grid flow come from the chain, and the invariant is checked on them.
 */

/** The market parameters of the settled period (the market's units: s, uECT/kWh, uECT/kWh²). */
export type AnalysisParams = SetMarketParameters;

export interface AnalysisInput {
  /** The meter data; it must cover the period `[params.tsStart, params.tsEnd)`. */
  readonly data: CommunityData;
  readonly params: AnalysisParams;
  /** meterId → bech32 account (one account per meter: a shared account's delta would repeat). */
  readonly accounts: ReadonlyMap<string, string>;
  /** meterId → the node it posts through. */
  readonly nodes: ReadonlyMap<string, string>;
  /** account → on-chain balance change over the solve, uECT (absent: 0). */
  readonly balanceDeltas: ReadonlyMap<string, bigint>;
  /** The admin's delta and the grid flow, from the chain's receipt, uECT. */
  readonly adminDelta: bigint;
  readonly gridFlow: bigint;
}

export type Analysis = Pick<PilotReport, 'houses' | 'community' | 'slots' | 'dailyProfile'>;

/** The analysis input does not fit together (period outside the data, unknown meter, …). */
export class AnalysisInputError extends JouleError {
  declare readonly code: 'REPORT_BAD_INPUT';
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('REPORT_BAD_INPUT', message, context);
  }
}

/**
 * Per-meter money is accumulated in units of 10⁻¹⁸ uECT (each slot's exact rational floored there),
 * so the sum of 2 880 slots is off by less than 3·10⁻¹⁵ uECT before the single display rounding.
 * Exact rationals over a month would need denominators of tens of thousands of digits.
 */
const subUnits = 10n ** 18n;
const whPerKwh = 1_000n;

/** n / d rounded to the nearest integer, halves up (d > 0). */
function roundDiv(n: bigint, d: bigint): bigint {
  return floorDiv(2n * n + d, 2n * d);
}

function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

interface MeterTotals {
  cons: number;
  prod: number;
  boughtInside: number;
  soldInside: number;
  /** Σ exact amounts owed, in `subUnits` of uECT (positive: paid). */
  owedEnergy: bigint;
  owedLpm: bigint;
}

/** Analyses the settled period; see the module comment. Throws `AnalysisInputError` on bad input. */
export function analyse(input: AnalysisInput): Analysis {
  const { data, params } = input;
  const { offset, slots } = periodSlots(data, params);
  const prices: MarketPrices = params;
  const zeroBeta: MarketPrices = { ...params, beta: 0n };
  const meters = data.meters;
  const totals: MeterTotals[] = meters.map(() => ({
    cons: 0,
    prod: 0,
    boughtInside: 0,
    soldInside: 0,
    owedEnergy: 0n,
    owedLpm: 0n,
  }));
  const series = {
    tsStart: [] as number[],
    ecWh: [] as number[],
    epWh: [] as number[],
    pb: [] as (number | null)[],
    ps: [] as (number | null)[],
    gdi: [] as (number | null)[],
  };
  let tradedInside = 0;
  let gridImport = 0;
  let gridExport = 0;

  for (let s = offset; s < offset + slots; s++) {
    let ec = 0;
    let ep = 0;
    for (let m = 0; m < meters.length; m++) {
      ec += data.consumption[m]![s]!;
      ep += data.production[m]![s]!;
    }
    const inside = Math.min(ec, ep);
    tradedInside += inside;
    gridImport += Math.max(ec - ep, 0);
    gridExport += Math.max(ep - ec, 0);
    const pricing = slotPricing(prices, BigInt(ec), BigInt(ep));
    // The same slot without the LPM: its coefficients a, b give the energy part alone.
    const energyPricing = slotPricing(zeroBeta, BigInt(ec), BigInt(ep));
    for (let m = 0; m < meters.length; m++) {
      const cons = data.consumption[m]![s]!;
      const prod = data.production[m]![s]!;
      const t = totals[m]!;
      t.cons += cons;
      t.prod += prod;
      if (cons === 0 && prod === 0) continue;
      if (ec > 0) t.boughtInside += (cons * inside) / ec;
      if (ep > 0) t.soldInside += (prod * inside) / ep;
      const energy = owedSubUnits(energyPricing, cons, prod);
      t.owedEnergy += energy;
      t.owedLpm += owedSubUnits(pricing, cons, prod) - energy;
    }
    series.tsStart.push(data.tsStart + s * data.slotSeconds);
    series.ecWh.push(ec);
    series.epWh.push(ep);
    series.pb.push(pricing.pb === null ? null : roundTo(Number(pricing.pb.num) / Number(pricing.pb.den), 2));
    series.ps.push(pricing.ps === null ? null : roundTo(Number(pricing.ps.num) / Number(pricing.ps.den), 2));
    series.gdi.push(ec + ep === 0 ? null : roundTo((ec - ep) / (ec + ep), 6));
  }

  const houses = meters.map((meter, m): HouseSummary => {
    const t = totals[m]!;
    const account = input.accounts.get(meter.id);
    const node = input.nodes.get(meter.id);
    if (account === undefined)
      throw new AnalysisInputError(`no account for meter ${meter.id}`, { meter: meter.id });
    if (node === undefined)
      throw new AnalysisInputError(`no node for meter ${meter.id}`, { meter: meter.id });
    const balanceDelta = input.balanceDeltas.get(account) ?? 0n;
    const bau = roundDiv(BigInt(t.prod) * params.pSellBAU - BigInt(t.cons) * params.pBuyBAU, whPerKwh);
    return {
      meterId: meter.id,
      kind: meter.kind,
      pvKwp: meter.pvKwp,
      batteryKwh: meter.batteryKwh,
      account,
      node,
      consumptionWh: t.cons,
      productionWh: t.prod,
      boughtInsideWh: roundTo(t.boughtInside, 1),
      soldInsideWh: roundTo(t.soldInside, 1),
      lemEnergyUect: roundDiv(-t.owedEnergy, subUnits).toString(),
      lpmUect: roundDiv(-t.owedLpm, subUnits).toString(),
      bauUect: bau.toString(),
      balanceDeltaUect: balanceDelta.toString(),
      savingsUect: (balanceDelta - bau).toString(),
    };
  });

  const consumption = series.ecWh.reduce((a, b) => a + b, 0);
  const production = series.epWh.reduce((a, b) => a + b, 0);
  // Σ over the houses' accounts (each once), so an admin entry in balanceDeltas is not counted twice.
  let invariant = input.adminDelta + input.gridFlow;
  for (const account of new Set(houses.map((h) => h.account))) {
    invariant += input.balanceDeltas.get(account) ?? 0n;
  }
  const community: CommunitySummary = {
    consumptionWh: consumption,
    productionWh: production,
    tradedInsideWh: tradedInside,
    selfConsumption: production === 0 ? 0 : tradedInside / production,
    selfSufficiency: consumption === 0 ? 0 : tradedInside / consumption,
    gridImportWh: gridImport,
    gridExportWh: gridExport,
    adminMarginUect: input.adminDelta.toString(),
    gridFlowUect: input.gridFlow.toString(),
    invariantUect: invariant.toString(),
    invariantHolds: invariant === 0n,
    gdi: gdiSummary(series.ecWh, series.epWh),
  };
  const slotSeries: SlotSeries = series;
  return {
    houses,
    community,
    slots: slotSeries,
    dailyProfile: dailyProfile(series.tsStart, data.slotSeconds, series.ecWh, series.epWh),
  };
}

/** What a meter owes in a slot (energy and LPM), exact, floored to 10⁻¹⁸ uECT. */
function owedSubUnits(pricing: SlotPricing, cons: number, prod: number): bigint {
  const owed = meterSlotOwedExact(pricing, BigInt(cons), BigInt(prod));
  return floorDiv(owed.num * subUnits, owed.den);
}

/** The data's slot index of the period's first slot, and the period's slot count; checks the fit. */
function periodSlots(data: CommunityData, params: AnalysisParams): { offset: number; slots: number } {
  const { slotSeconds } = params;
  if (data.slotSeconds !== slotSeconds) {
    throw new AnalysisInputError(`data slots of ${data.slotSeconds} s, period slots of ${slotSeconds} s`, {
      dataSlotSeconds: data.slotSeconds,
      slotSeconds,
    });
  }
  const offset = (params.tsStart - data.tsStart) / slotSeconds;
  const slots = (params.tsEnd - params.tsStart) / slotSeconds;
  if (!Number.isInteger(offset) || !Number.isInteger(slots) || offset < 0 || slots <= 0) {
    throw new AnalysisInputError('the period is not a whole number of slots inside the data', {
      tsStart: params.tsStart,
      tsEnd: params.tsEnd,
      dataTsStart: data.tsStart,
    });
  }
  if (offset + slots > data.slots) {
    throw new AnalysisInputError(`the period ends after the data's ${data.slots} slots`, {
      tsEnd: params.tsEnd,
      dataSlots: data.slots,
    });
  }
  const short = data.meters.findIndex(
    (_, m) =>
      (data.consumption[m]?.length ?? 0) < data.slots || (data.production[m]?.length ?? 0) < data.slots,
  );
  const counts =
    data.consumption.length !== data.meters.length || data.production.length !== data.meters.length;
  if (short >= 0 || counts) {
    throw new AnalysisInputError('meter arrays do not match the meters and slots', { meter: short });
  }
  return { offset, slots };
}
