import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MeterReading, type SlotReadings, settlePeriod, settleSlot } from './period.js';
import { ceilDiv, floorDiv } from './rational.js';
import {
  foldedSlotDelta,
  foldPricing,
  type MarketPrices,
  meterSlotDelta,
  meterSlotOwedExact,
  slotPricing,
} from './slot.js';

const price = fc.bigInt(0n, 1_000_000_000n);
const prices: fc.Arbitrary<MarketPrices> = fc.record({
  pBuyBAU: price,
  pSellBAU: price,
  pBuyLEM: price,
  pSellLEM: price,
  beta: fc.oneof(fc.constant(0n), fc.bigInt(0n, 100_000_000n)),
});
const energy = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 10 }),
  fc.integer({ min: 0, max: 100_000 }),
);

/** A community of 1–12 meters (some sharing an account) over 1–40 slots, each meter reporting or not. */
const community = fc
  .record({ meters: fc.integer({ min: 1, max: 12 }), slots: fc.integer({ min: 1, max: 40 }) })
  .chain(({ meters, slots }) =>
    fc.array(
      fc.array(fc.option(fc.tuple(energy, energy), { nil: undefined }), {
        minLength: meters,
        maxLength: meters,
      }),
      { minLength: slots, maxLength: slots },
    ),
  );

function toSlots(grid: ([number, number] | undefined)[][]): SlotReadings[] {
  return grid.map((row, s) => ({
    tsStart: s * 900,
    readings: row.flatMap((r, i): MeterReading[] =>
      r === undefined
        ? []
        : [{ meter: `m${i}`, account: `acct${i % 5}`, cons: BigInt(r[0]), prod: BigInt(r[1]) }],
    ),
  }));
}

describe('the settlement invariant (property)', () => {
  it('Σ prosumers + admin + grid flow = 0 exactly, per slot and per period, on random communities', () => {
    fc.assert(
      fc.property(prices, community, (p, grid) => {
        const slots = toSlots(grid);
        const period = settlePeriod({ prices: p, slots, expectedMeters: grid[0]?.length ?? 0 });
        let sum = 0n;
        for (const d of period.deltas.values()) sum += d;
        expect(sum + period.admin + period.gridFlow, 'period').toBe(0n);
        for (const slot of slots) {
          const { receipt, deltas } = settleSlot(p, slot);
          expect(deltas.reduce((a, b) => a + b, 0n) + receipt.admin + receipt.pricing.gridFlow, 'slot').toBe(
            0n,
          );
          // Each meter's amount is its exact amount rounded toward the admin, by less than 1 uECT.
          slot.readings.forEach((r, i) => {
            const exact = meterSlotOwedExact(receipt.pricing, r.cons, r.prod);
            expect(-(deltas[i] as bigint), `meter ${r.meter}`).toBe(ceilDiv(exact.num, exact.den));
          });
          const e = receipt.pricing.e;
          const gridExact = e > 0n ? e * p.pBuyBAU : e * p.pSellBAU;
          expect(receipt.pricing.gridFlow).toBe(floorDiv(gridExact, 1000n));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives the admin min(Ec, Ep)·(pBuyLEM − pSellLEM) + beta·E², plus under 1 uECT per meter of rounding', () => {
    fc.assert(
      fc.property(prices, community, (p, grid) => {
        for (const slot of toSlots(grid)) {
          const { receipt } = settleSlot(p, slot);
          const { ec, ep, e } = receipt.pricing;
          // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min does not take
          const m = ec < ep ? ec : ep;
          // exact admin = m·(pBuyLEM − pSellLEM)/1000 + beta·E²/10^6, over 10^6.
          const exact = m * (p.pBuyLEM - p.pSellLEM) * 1000n + p.beta * e * e;
          const excess = receipt.admin * 1_000_000n - exact;
          expect(excess >= 0n, `admin ${receipt.admin} below exact ${exact}/10^6`).toBe(true);
          expect(excess < BigInt(slot.readings.length + 1) * 1_000_000n, 'rounding bound').toBe(true);
          if (p.beta === 0n) {
            // beta = 0: exactly min(Ec, Ep)·(pBuyLEM − pSellLEM), up to the rounding of each meter.
            const margin = receipt.admin - floorDiv(m * (p.pBuyLEM - p.pSellLEM), 1000n);
            expect(margin >= 0n && margin <= BigInt(slot.readings.length + 1), `beta 0: ${margin}`).toBe(
              true,
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('settlement: the folded coefficients of the on-chain solve', () => {
  it('give every meter the same delta as meterSlotDelta, to the uECT', () => {
    const totals = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000_000 }));
    fc.assert(
      fc.property(prices, totals, totals, energy, energy, (p, ec, ep, cons, prod) => {
        const pricing = slotPricing(p, BigInt(ec), BigInt(ep));
        const folded = foldPricing(pricing);
        expect(foldedSlotDelta(folded, cons, prod)).toBe(meterSlotDelta(pricing, BigInt(cons), BigInt(prod)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('rounds an amount owed up and an amount due down, exactly at the boundaries', () => {
    // den = 10^6 (Ec = Ep = 1 Wh): owed amounts of ±1, ±999 999, ±10^6 and ±10^6 + 1 (× den units).
    const pricing = slotPricing({ pBuyBAU: 0n, pSellBAU: 0n, pBuyLEM: 0n, pSellLEM: 0n, beta: 1n }, 1n, 1n);
    const folded = { k: 1n, l: 1n, den: 1_000_000n, denLess1: 999_999n };
    for (const [cons, prod, delta] of [
      [1, 0, -1n],
      [999_999, 0, -1n],
      [1_000_000, 0, -1n],
      [1_000_001, 0, -2n],
      [0, 1, 0n],
      [0, 1_000_000, 1n],
      [0, 1_999_999, 1n],
      [5, 5, 0n],
    ] as const)
      expect(foldedSlotDelta(folded, cons, prod), `${cons} ${prod}`).toBe(delta);
    expect(foldPricing(pricing).den).toBe(pricing.den);
  });
});
