import { type ModuleContext, requireAuthority, type State } from '@joule/state';
import { maxPeriodsPerDay, secondsPerDay, slotsPerGroup, slotsPerPass } from '../constants.js';
import { MarketError } from '../errors.js';
import type { MarketPrices } from '../settlement/slot.js';
import { type Config, type MeasureKey, type Period, type SlotKey, tables } from './records.js';

/** The market's configuration (written at genesis, so always present after it). */
export async function loadConfig(state: State): Promise<Config> {
  const config = await tables.config.get(state, 'config');
  if (config === undefined) throw new MarketError('MARKET_BAD_QUERY', 'the market has no configuration');
  return config;
}

/**
 * Throws `MARKET_NOT_ADMIN` unless `signer` is the admin: the admin is the market's authority,
 * checked as bank's and poa's are (`requireAuthority`), with the market's own refusal code.
 */
export async function requireAdmin(ctx: ModuleContext, signer: Uint8Array, what: string): Promise<Config> {
  const config = await loadConfig(ctx.state);
  requireAuthority(config.admin, signer, {
    role: 'the market admin',
    action: what,
    addressPrefix: ctx.addressPrefix,
    refuse: (message) => new MarketError('MARKET_NOT_ADMIN', message),
  });
  return config;
}

/** The UTC day of a Unix time in seconds (non-negative). */
export function dayOf(ts: number): number {
  return (ts - (ts % secondsPerDay)) / secondsPerDay;
}

/** The period whose `[tsStart, tsEnd)` holds `ts`, if any (one read of the day index, then periods). */
export async function periodAt(state: State, ts: number): Promise<Period | undefined> {
  if (!Number.isSafeInteger(ts) || ts < 0) return undefined;
  for (const start of (await tables.periodDays.get(state, dayOf(ts))) ?? []) {
    if (start > ts) continue;
    const period = await tables.periods.get(state, start);
    if (period !== undefined && ts < period.tsEnd) return period;
  }
  return undefined;
}

/** Records `period` in the day index of every UTC day it touches. */
export async function indexPeriodDays(state: State, period: Period): Promise<void> {
  for (let day = dayOf(period.tsStart); day <= dayOf(period.tsEnd - 1); day++) {
    const starts = (await tables.periodDays.get(state, day)) ?? [];
    if (starts.includes(period.tsStart)) continue;
    if (starts.length >= maxPeriodsPerDay)
      throw new MarketError('MARKET_BAD_PERIOD', `more than ${maxPeriodsPerDay} periods touch day ${day}`);
    tables.periodDays.set(
      state,
      day,
      [...starts, period.tsStart].sort((a, b) => a - b),
    );
  }
}

/** Periods other than `tsStart` that overlap `[tsStart, tsEnd)`. */
export async function overlapping(state: State, tsStart: number, tsEnd: number): Promise<Period | undefined> {
  for (let day = dayOf(tsStart); day <= dayOf(tsEnd - 1); day++) {
    for (const start of (await tables.periodDays.get(state, day)) ?? []) {
      if (start === tsStart) continue;
      const other = await tables.periods.get(state, start);
      if (other !== undefined && other.tsStart < tsEnd && tsStart < other.tsEnd) return other;
    }
  }
  return undefined;
}

/** Number of slots of a period. */
export function slotCount(period: Period): number {
  return (period.tsEnd - period.tsStart) / period.slotSeconds;
}

/** The key of the slot starting at `ts` (aligned, inside the period). */
export function slotKey(period: Period, ts: number): SlotKey {
  return { period: period.tsStart, slot: (ts - period.tsStart) / period.slotSeconds };
}

/** The measure record holding slot `slot` of meter `meter`, and the slot's place in it. */
export function measureKey(period: Period, meter: number, slot: number): { key: MeasureKey; at: number } {
  const at = slot % slotsPerGroup;
  const pass = (slot - (slot % slotsPerPass)) / slotsPerPass;
  return { key: { period: period.tsStart, pass, meter, group: (slot - at) / slotsPerGroup }, at };
}

/** `⌈a / b⌉` of non-negative integers, in integer arithmetic. */
export function ceilQuotient(a: number, b: number): number {
  const rounded = a + b - 1;
  return (rounded - (rounded % b)) / b;
}

/** Number of solve passes of a period. */
export function passCount(period: Period): number {
  return ceilQuotient(slotCount(period), slotsPerPass);
}

/** The start time of slot `slot` (counted from the period's start). */
export function slotStart(period: Period, slot: number): number {
  return period.tsStart + slot * period.slotSeconds;
}

export function pricesOf(period: Period): MarketPrices {
  return {
    pBuyBAU: period.pBuyBAU,
    pSellBAU: period.pSellBAU,
    pBuyLEM: period.pBuyLEM,
    pSellLEM: period.pSellLEM,
    beta: period.beta,
  };
}

export const stateNames = ['NOT_SOLVED', 'SOLVING', 'SOLVED', 'FAILED'] as const;

/** Throws unless the period is still open (NOT_SOLVED). */
export function requireOpen(period: Period, what: string): void {
  if (period.state === 1)
    throw new MarketError(
      'MARKET_PERIOD_SOLVING',
      `period ${period.tsStart} is being solved: ${what} is closed`,
    );
  if (period.state === 2)
    throw new MarketError('MARKET_PERIOD_SOLVED', `period ${period.tsStart} is solved: ${what} is closed`);
  if (period.state === 3)
    throw new MarketError(
      'MARKET_PERIOD_FAILED',
      `period ${period.tsStart} failed to solve (getSolveStatus tells why): ${what} is closed`,
    );
}
