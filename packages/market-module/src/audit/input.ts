import { maxBetaUectPerKwh2, maxMeasureWhLimit, maxPeriodSlots, maxPriceUectPerKwh } from '../constants.js';
import { AuditInputError } from '../errors.js';
import type { MarketPrices } from '../settlement/slot.js';

/** PARAMS.json: a period and its prices (decimal strings, uECT/kWh and uECT/kWh²). */
export interface AuditParams {
  readonly tsStart: number;
  readonly tsEnd: number;
  readonly slotSeconds: number;
  readonly prices: MarketPrices;
  /** An opaque label: a bech32 address from a chain export, or any name. */
  readonly admin: string;
}

/** One row of MEASURES.json; `meterId` and `account` are opaque labels. */
export interface AuditMeasure {
  readonly meterId: string;
  readonly account: string;
  readonly tsStart: number;
  readonly tsEnd: number;
  readonly signal: 'consumption' | 'production';
  readonly value: number;
}

const priceFields = ['pBuyBAU', 'pSellBAU', 'pBuyLEM', 'pSellLEM', 'beta'] as const;
const paramFields = ['tsStart', 'tsEnd', 'slotSeconds', ...priceFields, 'admin'];
const measureFields = ['meterId', 'account', 'tsStart', 'tsEnd', 'signal', 'value'];
/** Most rows of a MEASURES.json. */
export const maxAuditMeasures = 10_000_000;
const maxLabelLength = 256;

/** `value` as an object with exactly `fields`; `name` names it, `prefix` its fields (`measures[3].`). */
function object(
  value: unknown,
  name: string,
  prefix: string,
  fields: readonly string[],
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AuditInputError(name, 'expected an object');
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!fields.includes(key)) throw new AuditInputError(`${prefix}${key}`, 'unknown field');
  }
  for (const key of fields) {
    if (!(key in o)) throw new AuditInputError(`${prefix}${key}`, 'missing');
  }
  return o;
}

function integer(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new AuditInputError(field, `expected an integer, got ${JSON.stringify(value)}`);
  if (value < min || value > max) throw new AuditInputError(field, `${value} is outside [${min}, ${max}]`);
  return value;
}

function decimal(value: unknown, field: string, max: bigint): bigint {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,29})$/.test(value))
    throw new AuditInputError(field, `expected a non-negative decimal string, got ${JSON.stringify(value)}`);
  const n = BigInt(value);
  if (n > max) throw new AuditInputError(field, `${value} exceeds ${max}`);
  return n;
}

function label(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLabelLength)
    throw new AuditInputError(field, `expected a non-empty string of at most ${maxLabelLength} characters`);
  return value;
}

/** Parses PARAMS.json (already JSON-decoded); throws `AuditInputError` naming the first bad field. */
export function parseAuditParams(json: unknown): AuditParams {
  const o = object(json, 'params', '', paramFields);
  const slotSeconds = integer(o.slotSeconds, 'slotSeconds', 1);
  const tsStart = integer(o.tsStart, 'tsStart', 0);
  const tsEnd = integer(o.tsEnd, 'tsEnd', 0);
  if (tsStart % slotSeconds !== 0)
    throw new AuditInputError('tsStart', `${tsStart} is not a multiple of slotSeconds ${slotSeconds}`);
  if (tsEnd % slotSeconds !== 0)
    throw new AuditInputError('tsEnd', `${tsEnd} is not a multiple of slotSeconds ${slotSeconds}`);
  if (tsEnd <= tsStart) throw new AuditInputError('tsEnd', `must be after tsStart ${tsStart}`);
  if ((tsEnd - tsStart) / slotSeconds > maxPeriodSlots)
    throw new AuditInputError('tsEnd', `the period has more than ${maxPeriodSlots} slots`);
  const [pBuyBAU, pSellBAU, pBuyLEM, pSellLEM, beta] = priceFields.map((f) =>
    decimal(o[f], f, f === 'beta' ? maxBetaUectPerKwh2 : maxPriceUectPerKwh),
  ) as [bigint, bigint, bigint, bigint, bigint];
  return {
    tsStart,
    tsEnd,
    slotSeconds,
    prices: { pBuyBAU, pSellBAU, pBuyLEM, pSellLEM, beta },
    admin: label(o.admin, 'admin'),
  };
}

/** Parses MEASURES.json against its period: aligned slots, known signals, one measure per (meter, slot, signal). */
export function parseAuditMeasures(json: unknown, params: AuditParams): AuditMeasure[] {
  if (!Array.isArray(json)) throw new AuditInputError('measures', 'expected an array');
  if (json.length > maxAuditMeasures)
    throw new AuditInputError('measures', `more than ${maxAuditMeasures} rows`);
  const accountOf = new Map<string, string>();
  const seen = new Set<string>();
  return json.map((row, i) => {
    const at = `measures[${i}]`;
    const o = object(row, at, `${at}.`, measureFields);
    const meterId = label(o.meterId, `${at}.meterId`);
    const account = label(o.account, `${at}.account`);
    const tsStart = integer(o.tsStart, `${at}.tsStart`, 0);
    const tsEnd = integer(o.tsEnd, `${at}.tsEnd`, 0);
    if (o.signal !== 'consumption' && o.signal !== 'production')
      throw new AuditInputError(
        `${at}.signal`,
        `expected "consumption" or "production", got ${JSON.stringify(o.signal)}`,
      );
    const value = integer(o.value, `${at}.value`, 0, maxMeasureWhLimit);
    if (tsStart % params.slotSeconds !== 0)
      throw new AuditInputError(
        `${at}.tsStart`,
        `${tsStart} is not aligned to ${params.slotSeconds} s slots`,
      );
    if (tsEnd !== tsStart + params.slotSeconds)
      throw new AuditInputError(`${at}.tsEnd`, `expected tsStart + ${params.slotSeconds}, got ${tsEnd}`);
    if (tsStart < params.tsStart || tsEnd > params.tsEnd)
      throw new AuditInputError(
        `${at}.tsStart`,
        `${tsStart} is outside the period [${params.tsStart}, ${params.tsEnd})`,
      );
    const linked = accountOf.get(meterId);
    if (linked !== undefined && linked !== account)
      throw new AuditInputError(`${at}.account`, `meter ${meterId} already belongs to ${linked}`);
    accountOf.set(meterId, account);
    const key = `${meterId}\u0000${tsStart}\u0000${o.signal}`;
    if (seen.has(key))
      throw new AuditInputError(at, `a second ${o.signal} measure for meter ${meterId} at ${tsStart}`);
    seen.add(key);
    return { meterId, account, tsStart, tsEnd, signal: o.signal, value };
  });
}
