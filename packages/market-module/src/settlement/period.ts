import { type MarketPrices, meterSlotDelta, type SlotPricing, slotPricing } from './slot.js';

/** One meter's energy in one slot, Wh. `account` is whoever the meter's money goes to (any label). */
export interface MeterReading {
  readonly meter: string;
  readonly account: string;
  readonly cons: bigint;
  readonly prod: bigint;
}

/** The readings of one slot (a meter at most once per slot). */
export interface SlotReadings {
  /** Unix seconds. */
  readonly tsStart: number;
  readonly readings: readonly MeterReading[];
}

export interface PeriodInput {
  readonly prices: MarketPrices;
  /** Every slot of the period, in order; streamed, so a month of 10 000 meters never sits in memory. */
  readonly slots: Iterable<SlotReadings>;
  /** Meters expected to report in every slot (for `missing`); default: no missing count (0). */
  readonly expectedMeters?: number;
  /** Keep per-slot receipts in the result (default true); false for very long runs. */
  readonly keepSlots?: boolean;
  /** Accounts to report even with no reading (a zero delta). */
  readonly accounts?: Iterable<string>;
}

/** The receipt of one slot: totals, prices, grid flow and the admin's share. */
export interface SlotReceipt {
  readonly tsStart: number;
  readonly pricing: SlotPricing;
  /** The admin's delta for the slot: whatever balances it, uECT. */
  readonly admin: bigint;
  /** Meters that reported in the slot. */
  readonly reporters: number;
  /** `expectedMeters − reporters`, never negative. */
  readonly missing: number;
}

export interface PeriodSettlement {
  /** Per-account deltas, uECT (positive: credited), in first-seen order. */
  readonly deltas: Map<string, bigint>;
  /** The admin's delta, uECT. */
  readonly admin: bigint;
  /** What the community pays the DSO, uECT (negative: the DSO pays the community). */
  readonly gridFlow: bigint;
  /** Meter-slots with no measure, when `expectedMeters` was given. */
  readonly missing: number;
  readonly slots: readonly SlotReceipt[];
}

/** The settlement of one slot: each reading's delta and the slot's receipt. Invariant: Σ + admin + grid = 0. */
export function settleSlot(
  prices: MarketPrices,
  slot: SlotReadings,
  expectedMeters = 0,
): { receipt: SlotReceipt; deltas: bigint[] } {
  let ec = 0n;
  let ep = 0n;
  for (const r of slot.readings) {
    ec += r.cons;
    ep += r.prod;
  }
  const pricing = slotPricing(prices, ec, ep);
  let sum = 0n;
  const deltas = slot.readings.map((r) => {
    const d = meterSlotDelta(pricing, r.cons, r.prod);
    sum += d;
    return d;
  });
  const reporters = slot.readings.length;
  return {
    receipt: {
      tsStart: slot.tsStart,
      pricing,
      admin: -sum - pricing.gridFlow,
      reporters,
      missing: Math.max(0, expectedMeters - reporters),
    },
    deltas,
  };
}

/**
 * Settles a period: the pure function that both the chain and the offline audit run. Every amount
 * is exact until one rounding per meter and slot (toward the admin); the admin's delta balances
 * each slot, so `Σ deltas + admin + gridFlow = 0` holds exactly, per slot and per period.
 */
export function settlePeriod(input: PeriodInput): PeriodSettlement {
  const deltas = new Map<string, bigint>();
  for (const account of input.accounts ?? []) deltas.set(account, 0n);
  const slots: SlotReceipt[] = [];
  let admin = 0n;
  let gridFlow = 0n;
  let missing = 0;
  for (const slot of input.slots) {
    const { receipt, deltas: slotDeltas } = settleSlot(input.prices, slot, input.expectedMeters);
    slot.readings.forEach((r, i) => {
      deltas.set(r.account, (deltas.get(r.account) ?? 0n) + (slotDeltas[i] as bigint));
    });
    admin += receipt.admin;
    gridFlow += receipt.pricing.gridFlow;
    missing += receipt.missing;
    if (input.keepSlots !== false) slots.push(receipt);
  }
  return { deltas, admin, gridFlow, missing, slots };
}
