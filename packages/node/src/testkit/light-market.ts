import { defaultGraceSlots } from '@joule/market';
import { txMessage } from '@joule/state';
import type { marketModules } from '../market/app.js';

type MarketModule = ReturnType<typeof marketModules>['market'];
type Message = ReturnType<typeof txMessage>;

const day = 86_400;
/** The market's slot in the light-client test chains, seconds. */
export const slotSeconds = 900;

/**
 * The start of the last whole UTC day whose solve grace window (`defaultGraceSlots` of
 * `slotSeconds`, and a slot more for a block time behind the clock) is over, seconds: the period the
 * light-client test chains solve. Yesterday, except
 * in the hour after midnight, when the day before it.
 */
export function yesterdayStart(): number {
  const graceOverS = Date.now() / 1000 - (defaultGraceSlots + 1) * slotSeconds;
  return Math.floor(graceOverS / day) * day - day;
}

/** The market parameters for the day from `tsStart`, the same on every light-client test chain. */
export function dayParameters(m: MarketModule, tsStart: number): Message {
  return txMessage(m.msg.setMarketParameters, {
    tsStart,
    tsEnd: tsStart + day,
    slotSeconds,
    pBuyBAU: 21_000_000n,
    pSellBAU: 6_000_000n,
    pBuyLEM: 16_000_000n,
    pSellLEM: 9_000_000n,
    beta: 2_000n,
  });
}

/** Meter `m1`'s consumption in the first 8 slots from `tsStart` (100, 110, … 170). */
export function eightMeasures(m: MarketModule, tsStart: number): Message[] {
  return Array.from({ length: 8 }, (_, i) =>
    txMessage(m.msg.setEnergyMeasure, {
      meterId: 'm1',
      tsStart: tsStart + i * slotSeconds,
      tsEnd: tsStart + (i + 1) * slotSeconds,
      signal: 'consumption',
      value: 100 + 10 * i,
    }),
  );
}
