import {
  address,
  bigint,
  bool,
  type Codec,
  int,
  list,
  nullable,
  string,
  struct,
  uint,
} from '@joule/consensus';
import { defineQuery, type QueryType } from '@joule/state';
import {
  maxFailureReasonLength,
  maxMeasuresPerQuery,
  maxPageSize,
  maxSlotsPerQuery,
  slotsPerGroup,
  slotsPerPass,
} from '../constants.js';
import { MarketError } from '../errors.js';
import { slotPricing } from '../settlement/slot.js';
import {
  loadConfig,
  measureKey,
  periodAt,
  pricesOf,
  slotCount,
  slotKey,
  slotStart,
  stateNames,
} from './periods.js';
import {
  keyPrefix,
  type Period,
  periodCodec,
  type Receipt,
  readUint,
  signedAmount,
  tables,
} from './records.js';

const page = (limit: number): number => {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxPageSize)
    throw new MarketError('MARKET_BAD_QUERY', `limit must be 1..${maxPageSize}`);
  return limit;
};
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

export interface MeterRow {
  readonly meterId: string;
  readonly index: number;
  readonly active: boolean;
  /** The linked account: shown to the admin only (`null` for everyone else). */
  readonly account: Uint8Array | null;
}
export interface MetersPage {
  readonly meters: readonly MeterRow[];
  /** The `start` of the next page, or `null` at the end. */
  readonly next: number | null;
}
const metersPageCodec = struct<MetersPage>('MetersPage', {
  meters: list(
    struct<MeterRow>('MeterRow', {
      meterId: string(256),
      index: uint(),
      active: bool,
      account: nullable(address),
    }),
    maxPageSize,
  ) as Codec<readonly MeterRow[]>,
  next: nullable(uint()),
});

/**
 * Authenticated: everyone sees meter ids; the admin also sees the accounts. Not provable: it reads
 * each meter's record, account included, for everyone.
 */
export const getMetersList: QueryType<{ start: number; limit: number }, MetersPage> = defineQuery({
  path: 'get_meters_list',
  aliases: ['getMetersList'],
  authenticated: true,
  provable: false,
  request: struct<{ start: number; limit: number }>('MetersListRequest', { start: uint(), limit: uint() }),
  response: metersPageCodec,
  async handle(ctx, r, caller) {
    const config = await loadConfig(ctx.state);
    const admin = caller !== null && same(caller, config.admin);
    const end = Math.min(config.meterCount, r.start + page(r.limit));
    const meters: MeterRow[] = [];
    for (let i = r.start; i < end; i++) {
      const ref = await tables.meterIndex.get(ctx.state, i);
      const meter = ref && (await tables.meters.get(ctx.state, ref.meterId));
      if (ref === undefined || meter === undefined) continue;
      meters.push({
        meterId: ref.meterId,
        index: i,
        active: meter.active,
        account: admin ? meter.account : null,
      });
    }
    return { meters, next: end < config.meterCount ? end : null };
  },
});

/** Public: the parameters of the period holding `ts` (Unix s), or null. */
export const getMarketParameters: QueryType<{ ts: number }, Period | null> = defineQuery({
  path: 'get_market_parameters',
  aliases: ['getMarketParameters'],
  request: struct<{ ts: number }>('MarketParametersRequest', { ts: uint() }),
  response: nullable(periodCodec),
  handle: async (ctx, r) => (await periodAt(ctx.state, r.ts)) ?? null,
});

export interface MeasureRequest {
  readonly meterId: string;
  readonly tsStart: number;
  readonly signal: string;
}

/** Authenticated: a measure (Wh, or null), for the meter's own account and the admin only. */
export const getEnergyMeasure: QueryType<MeasureRequest, number | null> = defineQuery({
  path: 'get_energy_measure',
  aliases: ['getEnergyMeasure'],
  authenticated: true,
  request: struct<MeasureRequest>('EnergyMeasureRequest', {
    meterId: string(256),
    tsStart: uint(),
    signal: string(32),
  }),
  response: nullable(uint()),
  async handle(ctx, r, caller) {
    const config = await loadConfig(ctx.state);
    const meter = await tables.meters.get(ctx.state, r.meterId);
    if (meter === undefined)
      throw new MarketError('MARKET_UNKNOWN_METER', `meter ${r.meterId} is not in the list`);
    if (caller === null || !(same(caller, meter.account) || same(caller, config.admin)))
      throw new MarketError(
        'MARKET_NOT_METER_OWNER',
        `only meter ${r.meterId}'s account and the admin see its measures`,
      );
    if (r.signal !== 'consumption' && r.signal !== 'production')
      throw new MarketError(
        'MARKET_UNKNOWN_SIGNAL',
        `signal "${r.signal}": use "consumption" or "production"`,
      );
    const period = await periodAt(ctx.state, r.tsStart);
    if (period === undefined || (r.tsStart - period.tsStart) % period.slotSeconds !== 0) return null;
    const { key, at } = measureKey(period, meter.index, slotKey(period, r.tsStart).slot);
    const group = await tables.measures.get(ctx.state, key);
    return group?.[2 * at + (r.signal === 'consumption' ? 0 : 1)] ?? null;
  },
});

export interface MeterMeasure {
  readonly tsStart: number;
  /** Wh, or null when the meter sent no consumption for the slot. */
  readonly cons: number | null;
  readonly prod: number | null;
}

/**
 * Authenticated: a meter's measures of the slots `[tsStart, tsStart + count·slot)` of the period
 * holding `tsStart` (clipped to it), the slots it reported only, for its account and the admin. One
 * range read of its records per pass touched (≤ 2), where `getEnergyMeasure` reads one value.
 */
export const getMeterMeasures: QueryType<
  { meterId: string; tsStart: number; count: number },
  MeterMeasure[]
> = defineQuery({
  path: 'get_meter_measures',
  aliases: ['getMeterMeasures'],
  authenticated: true,
  request: struct<{ meterId: string; tsStart: number; count: number }>('MeterMeasuresRequest', {
    meterId: string(256),
    tsStart: uint(),
    count: uint(),
  }),
  response: list(
    struct<MeterMeasure>('MeterMeasure', { tsStart: uint(), cons: nullable(uint()), prod: nullable(uint()) }),
    maxMeasuresPerQuery,
  ),
  async handle(ctx, r, caller) {
    if (r.count < 1 || r.count > maxMeasuresPerQuery)
      throw new MarketError('MARKET_BAD_QUERY', `count must be 1..${maxMeasuresPerQuery}`);
    const config = await loadConfig(ctx.state);
    const meter = await tables.meters.get(ctx.state, r.meterId);
    if (meter === undefined)
      throw new MarketError('MARKET_UNKNOWN_METER', `meter ${r.meterId} is not in the list`);
    if (caller === null || !(same(caller, meter.account) || same(caller, config.admin)))
      throw new MarketError(
        'MARKET_NOT_METER_OWNER',
        `only meter ${r.meterId}'s account and the admin see its measures`,
      );
    const period = await periodAt(ctx.state, r.tsStart);
    if (period === undefined || (r.tsStart - period.tsStart) % period.slotSeconds !== 0)
      throw new MarketError('MARKET_BAD_QUERY', `${r.tsStart} is not a slot start of a parameterized period`);
    const first = slotKey(period, r.tsStart).slot;
    const end = Math.min(slotCount(period), first + r.count);
    const rows: MeterMeasure[] = [];
    for (let slot = first; slot < end; ) {
      const { key } = measureKey(period, meter.index, slot);
      const passEnd = Math.min(end, (key.pass + 1) * slotsPerPass);
      const lastGroup = (passEnd - 1 - ((passEnd - 1) % slotsPerGroup)) / slotsPerGroup;
      const groups = await tables.measures.entries(
        ctx.state,
        keyPrefix.meterMeasures(period.tsStart, key.pass, meter.index),
        lastGroup - key.group + 1,
        key.group === 0 ? undefined : keyPrefix.measuresAt({ ...key, group: key.group - 1 }),
      );
      for (const [k, group] of groups) {
        const base = readUint(k, 13, 2) * slotsPerGroup;
        for (let at = 0; at < slotsPerGroup; at++) {
          const s = base + at;
          const cons = group[2 * at] ?? null;
          const prod = group[2 * at + 1] ?? null;
          if (s < slot || s >= passEnd || (cons === null && prod === null)) continue;
          rows.push({ tsStart: slotStart(period, s), cons, prod });
        }
      }
      slot = passEnd;
    }
    return rows;
  },
});

export interface SlotRow {
  readonly tsStart: number;
  readonly ec: number;
  readonly ep: number;
  readonly reporters: number;
}

/** Slots `[tsStart, tsStart + count·slot)` of the period holding `tsStart`, clipped to it. */
async function slotsOf(
  ctx: { state: Parameters<typeof periodAt>[0] },
  tsStart: number,
  count: number,
): Promise<{ period: Period; rows: SlotRow[] }> {
  if (!Number.isSafeInteger(count) || count < 1 || count > maxSlotsPerQuery)
    throw new MarketError('MARKET_BAD_QUERY', `count must be 1..${maxSlotsPerQuery}`);
  const period = await periodAt(ctx.state, tsStart);
  if (period === undefined || (tsStart - period.tsStart) % period.slotSeconds !== 0)
    throw new MarketError('MARKET_BAD_QUERY', `${tsStart} is not a slot start of a parameterized period`);
  const rows: SlotRow[] = [];
  for (let ts = tsStart, n = 0; ts < period.tsEnd && n < count; ts += period.slotSeconds, n++) {
    const t = await tables.totals.get(ctx.state, slotKey(period, ts));
    rows.push({ tsStart: ts, ec: t?.ec ?? 0, ep: t?.ep ?? 0, reporters: t?.reporters ?? 0 });
  }
  return { period, rows };
}

const slotRowCodec = struct<SlotRow>('SlotRow', {
  tsStart: uint(),
  ec: uint(),
  ep: uint(),
  reporters: uint(),
});

/** Public: per-slot Ec, Ep (Wh) and reporting meters; O(1) per slot (totals are kept on each measure). */
export const getTotalEnergy: QueryType<{ tsStart: number; count: number }, SlotRow[]> = defineQuery({
  path: 'get_total_energy',
  aliases: ['getTotalEnergy'],
  request: struct<{ tsStart: number; count: number }>('TotalEnergyRequest', {
    tsStart: uint(),
    count: uint(),
  }),
  response: list(slotRowCodec, maxSlotsPerQuery),
  handle: async (ctx, r) => (await slotsOf(ctx, r.tsStart, r.count)).rows,
});

export interface ReceiptView extends Receipt {
  readonly state: string;
  readonly slots: number;
}
/** Public: a period's receipt once SOLVED (null before). */
export const getReceipt: QueryType<{ tsStart: number }, ReceiptView | null> = defineQuery({
  path: 'get_receipt',
  aliases: ['getReceipt'],
  request: struct<{ tsStart: number }>('ReceiptRequest', { tsStart: uint() }),
  response: nullable(
    struct<ReceiptView>('ReceiptView', {
      admin: address,
      adminDelta: signedAmount,
      gridFlow: signedAmount,
      missing: uint(),
      accounts: uint(),
      meters: uint(),
      solvedHeight: uint(),
      state: string(16),
      slots: uint(),
    }),
  ),
  async handle(ctx, r) {
    const period = await tables.periods.get(ctx.state, r.tsStart);
    const receipt = await tables.receipts.get(ctx.state, r.tsStart);
    if (period === undefined || receipt === undefined) return null;
    return { ...receipt, state: stateNames[period.state], slots: slotCount(period) };
  },
});

export interface ReceiptSlot extends SlotRow {
  readonly e: number;
  readonly pbNum: bigint | null;
  readonly pbDen: bigint | null;
  readonly psNum: bigint | null;
  readonly psDen: bigint | null;
  readonly gridFlow: bigint;
}
/** Public: per-slot Ec, Ep, E, exact pb and ps (uECT/kWh as num/den) and grid flow of a period. */
export const getReceiptSlots: QueryType<{ tsStart: number; count: number }, ReceiptSlot[]> = defineQuery({
  path: 'get_receipt_slots',
  aliases: ['getReceiptSlots'],
  request: struct<{ tsStart: number; count: number }>('ReceiptSlotsRequest', {
    tsStart: uint(),
    count: uint(),
  }),
  response: list(
    struct<ReceiptSlot>('ReceiptSlot', {
      tsStart: uint(),
      ec: uint(),
      ep: uint(),
      reporters: uint(),
      e: int(Number.MIN_SAFE_INTEGER),
      pbNum: nullable(signedAmount),
      pbDen: nullable(signedAmount),
      psNum: nullable(signedAmount),
      psDen: nullable(signedAmount),
      gridFlow: signedAmount,
    }),
    maxSlotsPerQuery,
  ),
  async handle(ctx, r) {
    const { period, rows } = await slotsOf(ctx, r.tsStart, r.count);
    return rows.map((row) => {
      const p = slotPricing(pricesOf(period), BigInt(row.ec), BigInt(row.ep));
      return {
        ...row,
        e: row.ec - row.ep,
        pbNum: p.pb?.num ?? null,
        pbDen: p.pb?.den ?? null,
        psNum: p.ps?.num ?? null,
        psDen: p.ps?.den ?? null,
        gridFlow: p.gridFlow,
      };
    });
  },
});

export interface DeltaRow {
  readonly account: Uint8Array;
  readonly delta: bigint;
}
/** Public: per-account deltas of a solved period, by page (`start` is a position, `next` the following one). */
export const getReceiptDeltas: QueryType<
  { tsStart: number; start: number; limit: number },
  { deltas: DeltaRow[]; next: number | null }
> = defineQuery({
  path: 'get_receipt_deltas',
  aliases: ['getReceiptDeltas'],
  request: struct<{ tsStart: number; start: number; limit: number }>('ReceiptDeltasRequest', {
    tsStart: uint(),
    start: uint(),
    limit: uint(),
  }),
  response: struct<{ deltas: DeltaRow[]; next: number | null }>('ReceiptDeltas', {
    deltas: list(struct<DeltaRow>('DeltaRow', { account: address, delta: signedAmount }), maxPageSize),
    next: nullable(uint()),
  }),
  async handle(ctx, r) {
    const receipt = await tables.receipts.get(ctx.state, r.tsStart);
    if (receipt === undefined) return { deltas: [], next: null };
    const end = Math.min(receipt.accounts, r.start + page(r.limit));
    const deltas: DeltaRow[] = [];
    if (end > r.start) {
      const rows = await tables.accountDeltas.entries(
        ctx.state,
        keyPrefix.period(r.tsStart),
        end - r.start,
        r.start === 0 ? undefined : keyPrefix.deltasAt(r.tsStart, r.start - 1),
      );
      for (const [, acc] of rows) deltas.push({ account: acc.account, delta: acc.delta });
    }
    return { deltas, next: end < receipt.accounts ? end : null };
  },
});

/** Public: what an account owes (creditor `null`: the grid). */
export const getDebts: QueryType<{ debtor: Uint8Array }, { creditor: Uint8Array | null; amount: bigint }[]> =
  defineQuery({
    path: 'get_debts',
    aliases: ['getDebts'],
    request: struct<{ debtor: Uint8Array }>('DebtsRequest', { debtor: address }),
    response: list(
      struct<{ creditor: Uint8Array | null; amount: bigint }>('Debt', {
        creditor: nullable(address),
        amount: bigint(),
      }),
      maxPageSize,
    ),
    async handle(ctx, r) {
      const rows = await tables.debts.entries(ctx.state, r.debtor, maxPageSize);
      return rows.map(([key, amount]) => ({ creditor: key[20] === 0 ? null : key.subarray(21, 41), amount }));
    },
  });

/** A period's state (NOT_SOLVED, SOLVING, SOLVED, FAILED) and, for FAILED, the height and reason. */
export interface SolveStatus {
  readonly state: string;
  readonly failedHeight: number | null;
  readonly reason: string | null;
}

export const getSolveStatus: QueryType<{ tsStart: number }, SolveStatus | null> = defineQuery({
  path: 'get_solve_status',
  aliases: ['getSolveStatus'],
  request: struct<{ tsStart: number }>('SolveStatusRequest', { tsStart: uint() }),
  response: nullable(
    struct<SolveStatus>('SolveStatus', {
      state: string(16),
      failedHeight: nullable(uint()),
      reason: nullable(string(maxFailureReasonLength)),
    }),
  ),
  async handle(ctx, r) {
    const period = await tables.periods.get(ctx.state, r.tsStart);
    if (period === undefined) return null;
    const failure = await tables.solveFailures.get(ctx.state, r.tsStart);
    return {
      state: stateNames[period.state],
      failedHeight: failure?.height ?? null,
      reason: failure?.reason ?? null,
    };
  },
});
