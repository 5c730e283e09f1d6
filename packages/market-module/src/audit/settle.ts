import {
  type MeterReading,
  type PeriodSettlement,
  type SlotReadings,
  settlePeriod,
} from '../settlement/period.js';
import { formatRational } from '../settlement/rational.js';
import { type AuditMeasure, type AuditParams, parseAuditMeasures, parseAuditParams } from './input.js';

/** The `--json` output of `settle`: amounts in uECT as decimal strings, energies in Wh. */
export interface AuditReport {
  /** Every prosumer account's delta (positive: credited), sorted by account. */
  readonly deltas: Record<string, string>;
  readonly admin: string;
  /** What the community pays the DSO (negative: the DSO pays the community). */
  readonly gridFlow: string;
  readonly slots: readonly AuditSlot[];
}

/** One slot: totals (Wh), prices (uECT/kWh, exact: "18200000" or "num/den"; null without buyer/seller), E = Ec − Ep. */
export interface AuditSlot {
  readonly tsStart: number;
  readonly Ec: number;
  readonly Ep: number;
  readonly pb: string | null;
  readonly ps: string | null;
  readonly E: number;
}

/** Every slot of the period with its readings (meters that reported in it), in order. */
function* slotsOf(params: AuditParams, measures: readonly AuditMeasure[]): Generator<SlotReadings> {
  const bySlot = new Map<number, Map<string, { account: string; cons: bigint; prod: bigint }>>();
  for (const m of measures) {
    const slot = bySlot.get(m.tsStart) ?? new Map();
    bySlot.set(m.tsStart, slot);
    const reading = slot.get(m.meterId) ?? { account: m.account, cons: 0n, prod: 0n };
    if (m.signal === 'consumption') reading.cons = BigInt(m.value);
    else reading.prod = BigInt(m.value);
    slot.set(m.meterId, reading);
  }
  for (let ts = params.tsStart; ts < params.tsEnd; ts += params.slotSeconds) {
    const readings: MeterReading[] = [...(bySlot.get(ts) ?? new Map()).entries()].map(([meter, r]) => ({
      meter,
      ...r,
    }));
    yield { tsStart: ts, readings };
  }
}

/** Recomputes a period from its parameters and measures: the same pure function the chain runs. */
export function auditSettle(params: AuditParams, measures: readonly AuditMeasure[]): PeriodSettlement {
  const meters = new Set(measures.map((m) => m.meterId));
  return settlePeriod({
    prices: params.prices,
    slots: slotsOf(params, measures),
    expectedMeters: meters.size,
    accounts: measures.map((m) => m.account),
  });
}

/** The JSON report of a settlement. */
export function auditReport(settlement: PeriodSettlement): AuditReport {
  const accounts = [...settlement.deltas.keys()].sort();
  return {
    deltas: Object.fromEntries(accounts.map((a) => [a, (settlement.deltas.get(a) as bigint).toString()])),
    admin: settlement.admin.toString(),
    gridFlow: settlement.gridFlow.toString(),
    slots: settlement.slots.map((s) => ({
      tsStart: s.tsStart,
      Ec: Number(s.pricing.ec),
      Ep: Number(s.pricing.ep),
      pb: s.pricing.pb === null ? null : formatRational(s.pricing.pb),
      ps: s.pricing.ps === null ? null : formatRational(s.pricing.ps),
      E: Number(s.pricing.e),
    })),
  };
}

/** Parses both files' JSON and settles: what `joule market settle` prints with `--json`. */
export function settleFiles(paramsJson: unknown, measuresJson: unknown): AuditReport {
  const params = parseAuditParams(paramsJson);
  return auditReport(auditSettle(params, parseAuditMeasures(measuresJson, params)));
}
