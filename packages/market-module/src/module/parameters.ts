import { i64, int, struct } from '@joule/consensus';
import { defineMessage, type MessageType } from '@joule/state';
import {
  maxBetaUectPerKwh2,
  maxPeriodDays,
  maxPeriodSlots,
  maxPriceUectPerKwh,
  minSlotSeconds,
  secondsPerDay,
} from '../constants.js';
import { MarketError } from '../errors.js';
import { events } from './events.js';
import { forgetTxReads } from './measures.js';
import { dayOf, indexPeriodDays, overlapping, requireAdmin, requireOpen } from './periods.js';
import { tables } from './records.js';

/** `setMarketParameters`: a period `[tsStart, tsEnd)` (Unix s), its slot length and prices. */
export interface SetMarketParameters {
  readonly tsStart: number;
  readonly tsEnd: number;
  readonly slotSeconds: number;
  readonly pBuyBAU: bigint;
  readonly pSellBAU: bigint;
  readonly pBuyLEM: bigint;
  readonly pSellLEM: bigint;
  readonly beta: bigint;
}

const anyInt = int(Number.MIN_SAFE_INTEGER);

function checkPeriodShape(m: SetMarketParameters): void {
  if (m.slotSeconds < minSlotSeconds || secondsPerDay % m.slotSeconds !== 0)
    throw new MarketError(
      'MARKET_BAD_PERIOD',
      `slotSeconds ${m.slotSeconds} must be at least ${minSlotSeconds} and divide a day (900 for 15 minutes)`,
    );
  if (m.tsStart < 0 || m.tsEnd <= m.tsStart)
    throw new MarketError(
      'MARKET_BAD_PERIOD',
      `the period needs 0 ≤ tsStart < tsEnd (got ${m.tsStart}, ${m.tsEnd})`,
    );
  if (m.tsStart % m.slotSeconds !== 0 || m.tsEnd % m.slotSeconds !== 0)
    throw new MarketError(
      'MARKET_PERIOD_MISALIGNED',
      `tsStart ${m.tsStart} and tsEnd ${m.tsEnd} must be multiples of the slot length ${m.slotSeconds} s`,
    );
  const slots = (m.tsEnd - m.tsStart) / m.slotSeconds;
  if (slots > maxPeriodSlots || dayOf(m.tsEnd - 1) - dayOf(m.tsStart) + 1 > maxPeriodDays)
    throw new MarketError(
      'MARKET_BAD_PERIOD',
      `a period has at most ${maxPeriodSlots} slots and touches at most ${maxPeriodDays} days (got ${slots} slots)`,
    );
}

function checkPrices(m: SetMarketParameters): void {
  for (const [name, value, max] of [
    ['pBuyBAU', m.pBuyBAU, maxPriceUectPerKwh],
    ['pSellBAU', m.pSellBAU, maxPriceUectPerKwh],
    ['pBuyLEM', m.pBuyLEM, maxPriceUectPerKwh],
    ['pSellLEM', m.pSellLEM, maxPriceUectPerKwh],
    ['beta', m.beta, maxBetaUectPerKwh2],
  ] as const) {
    if (value < 0n || value > max)
      throw new MarketError(
        'MARKET_PRICE_OUT_OF_BOUNDS',
        `${name} ${value} is outside [0, ${max}] (${name === 'beta' ? 'uECT/kWh²' : 'uECT/kWh: 1 ECT = 10^6 uECT'})`,
        { field: name },
      );
  }
  if (!(m.pSellBAU <= m.pSellLEM && m.pSellLEM <= m.pBuyLEM && m.pBuyLEM <= m.pBuyBAU))
    throw new MarketError(
      'MARKET_PRICE_ORDER',
      'prices must satisfy pSellBAU ≤ pSellLEM ≤ pBuyLEM ≤ pBuyBAU (the community trades between the grid prices)',
    );
}

/** The admin sets (or, while NOT_SOLVED, revises) the parameters of a period; periods never overlap. */
export const setMarketParameters: MessageType<SetMarketParameters> = defineMessage<SetMarketParameters>({
  type: 'market/set_market_parameters',
  codec: struct<SetMarketParameters>('SetMarketParameters', {
    tsStart: anyInt,
    tsEnd: anyInt,
    slotSeconds: anyInt,
    pBuyBAU: i64,
    pSellBAU: i64,
    pBuyLEM: i64,
    pSellLEM: i64,
    beta: i64,
  }),
  async handle(ctx, m, signer) {
    forgetTxReads(ctx);
    await requireAdmin(ctx, signer.address, 'set market parameters');
    checkPeriodShape(m);
    checkPrices(m);
    const existing = await tables.periods.get(ctx.state, m.tsStart);
    if (existing !== undefined) {
      requireOpen(existing, 'setting its parameters');
      if (existing.tsEnd !== m.tsEnd || existing.slotSeconds !== m.slotSeconds)
        throw new MarketError(
          'MARKET_PERIOD_OVERLAP',
          `period ${m.tsStart} exists as [${existing.tsStart}, ${existing.tsEnd}) with ${existing.slotSeconds} s slots; only its prices can be revised`,
        );
    }
    const other = await overlapping(ctx.state, m.tsStart, m.tsEnd);
    if (other !== undefined)
      throw new MarketError(
        'MARKET_PERIOD_OVERLAP',
        `[${m.tsStart}, ${m.tsEnd}) overlaps the period [${other.tsStart}, ${other.tsEnd})`,
      );
    const period = { ...m, state: 0 as const };
    tables.periods.set(ctx.state, m.tsStart, period);
    if (existing === undefined) await indexPeriodDays(ctx.state, period);
    ctx.emit(events.parametersSet({ tsStart: m.tsStart, tsEnd: m.tsEnd, slotSeconds: m.slotSeconds }));
  },
});
