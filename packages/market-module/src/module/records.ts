import {
  address,
  bigint,
  bool,
  bytes,
  type Codec,
  InvalidValueError,
  int,
  list,
  nullable,
  string,
  struct,
  uint,
} from '@joule/consensus';
import { Table, textKey } from '@joule/state';
import {
  maxFailureReasonLength,
  maxGraceSlots,
  maxMeasureWhLimit,
  maxMeterIdLength,
  maxPeriodsPerDay,
  meterIdPattern,
  slotsPerGroup,
} from '../constants.js';

/**
 * The market's state and its key layout. Every key is in the market's own store:
 * `moduleTableKey('market', table, key bytes)` (`@joule/state`); integers in keys are big-endian so
 * that key order is numeric order. Balances are the bank's, reached only through its keeper.
 *
 * | table | key | value |
 * |---|---|---|
 * | `c` | `0` | Config: admin, pending admin, denomination, bounds, meter counters |
 * | `am` | meterId (UTF-8) | Meter: index, account, active |
 * | `mi` | index u32 | MeterRef: meterId, account (iteration and pagination by index) |
 * | `mp` | tsStart u64 | Period: bounds, slot length, prices, beta, state |
 * | `pd` | UTC day u32 | the tsStarts of the periods touching that day (period lookup, overlap) |
 * | `ml` | period u64 ‖ pass u8 ‖ meter u32 ‖ group u16 | MeasureGroup: consumption and production of 16 slots, Wh |
 * | `tt` | period u64 ‖ slot u16 | SlotTotals: Ec, Ep, reporters (kept on each measure) |
 *
 * Slot numbers count from the period's start (a period has ≤ 8 928 slots); group `g` holds slots
 * `16g … 16g + 15`, pass `p` slots `1024p … 1024p + 1023`. Measures are keyed by pass first so that
 * the solve reads the pass's groups of many meters with one range read.
 * | `sq` | period u64 | marker: the period is SOLVING (the end-block hook's queue) |
 * | `sp` | period u64 | SolveProgress: phase, cursor, running sums |
 * | `pf` | period u64 | PassTotals: the solve's current pass, SHA-256 of its totals, records read |
 * | `pa` | period u64 ‖ account | the account's seq in the period (looked up when adding deltas) |
 * | `ps` | period u64 ‖ seq u32 | AccountDelta: account, delta (the receipt's per-account deltas, by range) |
 * | `rc` | period u64 | Receipt: admin, admin delta, grid flow, missing, counts |
 * | `sa` | period u64 | SolveAttempt: written before each end-block run of the solve, cleared when it succeeds |
 * | `sf` | period u64 | SolveFailure: why a FAILED period's solve was given up |
 * | `dt` | debtor ‖ creditor (tag 0: the grid; tag 1 + address) | owed amount, uECT |
 */

/** Signed amounts of any size (settlement sums), as decimal strings: exact and never overflowing. */
export const signedAmount: Codec<bigint> = {
  kind: 'signedAmount',
  toWire: (value, path) => {
    if (typeof value !== 'bigint') throw new InvalidValueError(`${path}: expected a bigint`, { path });
    return value.toString();
  },
  fromWire: (wire, path) => BigInt(string(80, /^-?(0|[1-9][0-9]*)$/).fromWire(wire, path)),
};

export interface Config {
  readonly admin: Uint8Array;
  readonly pendingAdmin: Uint8Array | null;
  readonly denom: string;
  readonly maxMeasureWh: number;
  /** The solve grace window, slots of the period (see `defaultGraceSlots`). */
  readonly graceSlots: number;
  readonly pseudonymous: boolean;
  readonly meterCount: number;
  readonly activeMeters: number;
}
export const configCodec = struct<Config>('MarketConfig', {
  admin: address,
  pendingAdmin: nullable(address),
  denom: string(64),
  maxMeasureWh: uint(),
  graceSlots: int(0, maxGraceSlots),
  pseudonymous: bool,
  meterCount: uint(),
  activeMeters: uint(),
});

export interface Meter {
  readonly index: number;
  readonly account: Uint8Array;
  readonly active: boolean;
}
export const meterIdCodec: Codec<string> = string(maxMeterIdLength, meterIdPattern);
const meterCodec = struct<Meter>('Meter', { index: uint(), account: address, active: bool });

export interface MeterRef {
  readonly meterId: string;
  readonly account: Uint8Array;
}
const meterRefCodec = struct<MeterRef>('MeterRef', { meterId: meterIdCodec, account: address });

/** 0 NOT_SOLVED, 1 SOLVING, 2 SOLVED, 3 FAILED. */
export type PeriodState = 0 | 1 | 2 | 3;

export interface Period {
  readonly tsStart: number;
  readonly tsEnd: number;
  readonly slotSeconds: number;
  readonly pBuyBAU: bigint;
  readonly pSellBAU: bigint;
  readonly pBuyLEM: bigint;
  readonly pSellLEM: bigint;
  readonly beta: bigint;
  readonly state: PeriodState;
}
export const periodCodec = struct<Period>('Period', {
  tsStart: uint(),
  tsEnd: uint(),
  slotSeconds: uint(),
  pBuyBAU: bigint(),
  pSellBAU: bigint(),
  pBuyLEM: bigint(),
  pSellLEM: bigint(),
  beta: bigint(),
  state: int(0, 3) as Codec<PeriodState>,
});

export interface Measure {
  readonly cons: number | null;
  readonly prod: number | null;
}

/**
 * The measures of one meter in one group of `slotsPerGroup` slots: `[cons0, prod0, cons1, prod1, …]`,
 * Wh, `null` where nothing was reported. Always `2 · slotsPerGroup` values.
 */
export type MeasureGroup = readonly (number | null)[];
const groupValues = 2 * slotsPerGroup;
/** An empty group, the start of every new record. */
export const emptyGroup: MeasureGroup = Array.from({ length: groupValues }, () => null);
/**
 * The group codec, written by hand: the solve decodes 180 of these per meter and month. It is
 * `exact`: the wire reader has already proven the bytes canonical, and every value `fromWire`
 * accepts (32 nulls or integers 0..`maxMeasureWhLimit`, all below 2³²) re-encodes to those same
 * bytes, so `decode` skips the re-encoding and comparing.
 */
export const measureGroupCodec: Codec<MeasureGroup> = {
  kind: 'measureGroup',
  exact: true,
  toWire: (value, path) => {
    if (!Array.isArray(value) || value.length !== groupValues)
      throw new InvalidValueError(`${path}: expected ${groupValues} values`, { path });
    for (const v of value)
      if (v !== null && !(Number.isSafeInteger(v) && v >= 0 && v <= maxMeasureWhLimit))
        throw new InvalidValueError(`${path}: a measure is 0..${maxMeasureWhLimit} Wh or null`, { path });
    return value;
  },
  fromWire: (wire, path) => {
    if (!Array.isArray(wire) || wire.length !== groupValues)
      throw new InvalidValueError(`${path}: expected an array of ${groupValues} values`, { path });
    for (const v of wire)
      if (
        v !== null &&
        !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= maxMeasureWhLimit)
      )
        throw new InvalidValueError(`${path}: a measure is 0..${maxMeasureWhLimit} Wh or null`, { path });
    return wire as MeasureGroup;
  },
};

export interface SlotTotals {
  readonly ec: number;
  readonly ep: number;
  readonly reporters: number;
}
export const slotTotalsCodec = struct<SlotTotals>('SlotTotals', {
  ec: uint(),
  ep: uint(),
  reporters: uint(),
});

/** Phases of a solve: compute, then collect debits, pay credits, settle the grid, done. */
export type SolvePhase = 0 | 1 | 2 | 3;

export interface SolveProgress {
  readonly phase: SolvePhase;
  /** The pass of `slotsPerPass` slots being settled, from 0. */
  readonly pass: number;
  readonly meter: number;
  /** Account seq of the payment phases. */
  readonly seq: number;
  /** Meter indexes to visit (the meter count when the solve began). */
  readonly meters: number;
  /** Active meters when the solve began (expected reporters per slot). */
  readonly active: number;
  /** The admin when the solve began: the one whose balance settles the period. */
  readonly admin: Uint8Array;
  readonly accounts: number;
  readonly sumDeltas: bigint;
  readonly gridFlow: bigint;
  readonly missing: number;
}
export const solveProgressCodec = struct<SolveProgress>('SolveProgress', {
  phase: int(0, 3) as Codec<SolvePhase>,
  pass: uint(),
  meter: uint(),
  seq: uint(),
  meters: uint(),
  active: uint(),
  admin: address,
  accounts: uint(),
  sumDeltas: signedAmount,
  gridFlow: signedAmount,
  missing: uint(),
});

/** The fingerprint of the totals of the pass being solved (lets a block reuse its pricing). */
export interface PassTotals {
  readonly pass: number;
  readonly hash: Uint8Array;
  readonly rows: number;
}
const passTotalsCodec = struct<PassTotals>('PassTotals', { pass: uint(), hash: bytes(32), rows: uint() });

/** A solve in progress: the block whose end-block hook last ran it, and the failures in a row. */
export interface SolveAttempt {
  readonly height: number;
  readonly failures: number;
}
const solveAttemptCodec = struct<SolveAttempt>('SolveAttempt', { height: uint(), failures: uint() });

/** Why a period's solve failed (state FAILED), and the height where it was given up. */
export interface SolveFailure {
  readonly height: number;
  readonly reason: string;
}
export const solveFailureCodec = struct<SolveFailure>('SolveFailure', {
  height: uint(),
  reason: string(maxFailureReasonLength),
});

export interface AccountDelta {
  readonly account: Uint8Array;
  readonly delta: bigint;
}
const accountDeltaCodec = struct<AccountDelta>('AccountDelta', { account: address, delta: signedAmount });

export interface Receipt {
  readonly admin: Uint8Array;
  readonly adminDelta: bigint;
  readonly gridFlow: bigint;
  readonly missing: number;
  readonly accounts: number;
  readonly meters: number;
  readonly solvedHeight: number;
}
export const receiptCodec = struct<Receipt>('Receipt', {
  admin: address,
  adminDelta: signedAmount,
  gridFlow: signedAmount,
  missing: uint(),
  accounts: uint(),
  meters: uint(),
  solvedHeight: uint(),
});

/**
 * Writes `n` big-endian in `bytes` bytes at `at` of `out` (its low bytes; two's complement for a
 * negative). A non-negative safe integer — every key field — is written in number arithmetic: the
 * measure handler builds two keys per measure, and BigInt arithmetic allocated ~2 KB per key.
 */
const put = (out: Uint8Array, at: number, n: number, bytes: number): void => {
  if (Number.isSafeInteger(n) && n >= 0) {
    let v = n;
    for (let i = at + bytes - 1; i >= at; i--) {
      out[i] = v % 256;
      v = (v - (v % 256)) / 256;
    }
    return;
  }
  let v = BigInt(n);
  for (let i = at + bytes - 1; i >= at; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
};
const u = (n: number, bytes: number): Uint8Array => {
  const out = new Uint8Array(bytes);
  put(out, 0, n, bytes);
  return out;
};
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
/** `u(period, 8) ‖ u(slot, 2)` in one array. */
const periodSlot = (period: number, slot: number): Uint8Array => {
  const out = new Uint8Array(10);
  put(out, 0, period, 8);
  put(out, 8, slot, 2);
  return out;
};
/** `u(period, 8) ‖ u(pass, 1) ‖ u(meter, 4) ‖ u(group, 2)` in one array. */
const measureAt = (k: MeasureKey): Uint8Array => {
  const out = new Uint8Array(15);
  put(out, 0, k.period, 8);
  put(out, 8, k.pass, 1);
  put(out, 9, k.meter, 4);
  put(out, 13, k.group, 2);
  return out;
};

export interface MeasureKey {
  readonly period: number;
  readonly pass: number;
  readonly meter: number;
  readonly group: number;
}
export interface SlotKey {
  readonly period: number;
  /** The slot's number in the period, from 0. */
  readonly slot: number;
}

/** Key bytes (after the table prefix) of measure and totals prefixes and positions, for range reads. */
export const keyPrefix = {
  /** A meter's measure records of a period. */
  /** The measure records of one pass of a period. */
  measures: (period: number, pass: number): Uint8Array => cat(u(period, 8), u(pass, 1)),
  /** A period's rows of a table keyed by period first (slot totals, account deltas). */
  period: (period: number): Uint8Array => u(period, 8),
  /** The table key of slot `slot` of a period's totals (an `after` position). */
  totalsAt: periodSlot,
  /** A meter's measure records of one pass. */
  meterMeasures: (period: number, pass: number, meter: number): Uint8Array =>
    cat(u(period, 8), u(pass, 1), u(meter, 4)),
  /** The table key of a meter's measure group. */
  measuresAt: measureAt,
  /** The table key of account seq `seq` of a period's deltas (an `after` position). */
  deltasAt: (period: number, seq: number): Uint8Array => cat(u(period, 8), u(seq, 4)),
  /** The table key of meter index `index` (an `after` position). */
  meterIndexAt: (index: number): Uint8Array => u(index, 4),
  debts: (debtor: Uint8Array): Uint8Array => debtor,
};

/** A creditor: an account, or `null` for the grid (a repayment to the grid is burnt). */
export type Creditor = Uint8Array | null;
export const creditorBytes = (c: Creditor): Uint8Array =>
  c === null ? new Uint8Array([0]) : cat(new Uint8Array([1]), c);

export const tables = {
  config: new Table('market', 'c', (_: 'config') => new Uint8Array([0]), configCodec),
  meters: new Table('market', 'am', (id: string) => textKey(id), meterCodec),
  meterIndex: new Table('market', 'mi', (i: number) => u(i, 4), meterRefCodec),
  periods: new Table('market', 'mp', (ts: number) => u(ts, 8), periodCodec),
  periodDays: new Table('market', 'pd', (day: number) => u(day, 4), list(uint(), maxPeriodsPerDay)),
  measures: new Table('market', 'ml', (k: MeasureKey) => keyPrefix.measuresAt(k), measureGroupCodec),
  totals: new Table('market', 'tt', (k: SlotKey) => periodSlot(k.period, k.slot), slotTotalsCodec),
  solving: new Table('market', 'sq', (period: number) => u(period, 8), bool),
  progress: new Table('market', 'sp', (period: number) => u(period, 8), solveProgressCodec),
  passTotals: new Table('market', 'pf', (period: number) => u(period, 8), passTotalsCodec),
  /** An account's seq in a period (written once, when the solve first meets the account). */
  accountSeq: new Table(
    'market',
    'pa',
    (k: { period: number; account: Uint8Array }) => cat(u(k.period, 8), k.account),
    uint(),
  ),
  /** The running delta of the account with that seq: payments and receipts read them by range. */
  accountDeltas: new Table(
    'market',
    'ps',
    (k: { period: number; seq: number }) => cat(u(k.period, 8), u(k.seq, 4)),
    accountDeltaCodec,
  ),
  receipts: new Table('market', 'rc', (period: number) => u(period, 8), receiptCodec),
  solveAttempts: new Table('market', 'sa', (period: number) => u(period, 8), solveAttemptCodec),
  solveFailures: new Table('market', 'sf', (period: number) => u(period, 8), solveFailureCodec),
  debts: new Table(
    'market',
    'dt',
    (k: { debtor: Uint8Array; creditor: Creditor }) => cat(k.debtor, creditorBytes(k.creditor)),
    bigint(1n),
  ),
};

/** Reads a big-endian unsigned integer from key bytes. */
export function readUint(bytes: Uint8Array, at: number, length: number): number {
  let v = 0;
  for (let i = 0; i < length; i++) v = v * 256 + (bytes[at + i] as number);
  return v;
}
