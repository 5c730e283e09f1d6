import { ceilDiv, floorDiv, type Rational } from './rational.js';

/**
 * The settlement of one slot (the paper's equations 1 and 5–7), exact to the uECT.
 *
 * Units: energy in Wh, prices in uECT/kWh, beta in uECT/kWh². So `Wh · uECT/kWh` needs `/ 1 000`
 * to be uECT, and `beta · E · d` with two energies in Wh needs `/ 10^6`.
 */

/** The prices of a period (all non-negative integers). */
export interface MarketPrices {
  /** What the DSO charges for imports, uECT/kWh. */
  readonly pBuyBAU: bigint;
  /** What the DSO pays for exports, uECT/kWh. */
  readonly pSellBAU: bigint;
  /** The community's internal buying price, uECT/kWh. */
  readonly pBuyLEM: bigint;
  /** The community's internal selling price, uECT/kWh. */
  readonly pSellLEM: bigint;
  /** Power-tariff coefficient of the LPM, uECT/kWh². */
  readonly beta: bigint;
}

const whPerKwh = 1_000n;
const wh2PerKwh2 = 1_000_000n;

/**
 * Everything about a slot that does not depend on a single meter: its totals, LEM prices, grid flow,
 * and the coefficients that make a meter's amount three multiplications.
 */
export interface SlotPricing {
  /** Total consumption, Wh. */
  readonly ec: bigint;
  /** Total production, Wh. */
  readonly ep: bigint;
  /** Net community flow `Ec − Ep`, Wh (signed). */
  readonly e: bigint;
  /** Buying price `pb`, uECT/kWh; `null` when nobody consumed. */
  readonly pb: Rational | null;
  /** Selling price `ps`, uECT/kWh; `null` when nobody produced. */
  readonly ps: Rational | null;
  /** What the community pays the DSO, uECT, rounded toward the admin (negative: the DSO pays). */
  readonly gridFlow: bigint;
  /** A meter pays `(cons·a − prod·b + (cons − prod)·c) / den` uECT (negative: it is paid). */
  readonly a: bigint;
  readonly b: bigint;
  readonly c: bigint;
  readonly den: bigint;
}

/** Prices, grid flow and per-meter coefficients of a slot with totals `ec`, `ep` (Wh). */
export function slotPricing(prices: MarketPrices, ec: bigint, ep: bigint): SlotPricing {
  const m = ec < ep ? ec : ep;
  // pb = pbNum / Ec and ps = psNum / Ep, numerators in Wh·uECT/kWh.
  const pbNum = ec * prices.pBuyBAU - m * (prices.pBuyBAU - prices.pBuyLEM);
  const psNum = ep * prices.pSellBAU + m * (prices.pSellLEM - prices.pSellBAU);
  const ecD = ec === 0n ? 1n : ec;
  const epD = ep === 0n ? 1n : ep;
  const e = ec - ep;
  // cons·pb/1000 − prod·ps/1000 + beta·E·d/10^6 over the common denominator Ec·Ep·10^6.
  const a = pbNum * epD * whPerKwh;
  const b = psNum * ecD * whPerKwh;
  const c = prices.beta * e * ecD * epD;
  const den = ecD * epD * wh2PerKwh2;
  // The grid flow is a credit to the DSO when positive, a debit when negative: floor both ways.
  const gridExact = e > 0n ? e * prices.pBuyBAU : e * prices.pSellBAU;
  return {
    ec,
    ep,
    e,
    pb: ec === 0n ? null : { num: pbNum, den: ec },
    ps: ep === 0n ? null : { num: psNum, den: ep },
    gridFlow: floorDiv(gridExact, whPerKwh),
    a,
    b,
    c,
    den,
  };
}

/**
 * A meter's delta for the slot, uECT (positive: it is credited), from its consumption and
 * production in Wh. What it owes rounds up, what it is owed rounds down: toward the admin.
 */
export function meterSlotDelta(pricing: SlotPricing, cons: bigint, prod: bigint): bigint {
  const owed = cons * pricing.a - prod * pricing.b + (cons - prod) * pricing.c;
  return -ceilDiv(owed, pricing.den);
}

/**
 * A slot's coefficients folded for the on-chain solve, which prices 1 024 slots and then settles
 * many meters against them: `cons·a − prod·b + (cons − prod)·c = cons·k − prod·l` with `k = a + c`,
 * `l = b + c`, so a meter's amount is one or two multiplications and one division.
 */
export interface FoldedPricing {
  readonly k: bigint;
  readonly l: bigint;
  readonly den: bigint;
  /** `den − 1`: `⌈n / den⌉ = (n + den − 1) / den` for `n > 0`, bigint `/` being `⌈⌉` for `n ≤ 0`. */
  readonly denLess1: bigint;
}

export function foldPricing(pricing: SlotPricing): FoldedPricing {
  return {
    k: pricing.a + pricing.c,
    l: pricing.b + pricing.c,
    den: pricing.den,
    denLess1: pricing.den - 1n,
  };
}

/** `meterSlotDelta` on folded coefficients, from energies in Wh as numbers: the same bigint, exactly. */
export function foldedSlotDelta(f: FoldedPricing, cons: number, prod: number): bigint {
  const owed =
    prod === 0
      ? BigInt(cons) * f.k
      : cons === 0
        ? -(BigInt(prod) * f.l)
        : BigInt(cons) * f.k - BigInt(prod) * f.l;
  return owed > 0n ? -((owed + f.denLess1) / f.den) : -(owed / f.den);
}

/** The exact (unrounded) amount a meter owes in a slot, uECT, as a rational: for tests and audits. */
export function meterSlotOwedExact(pricing: SlotPricing, cons: bigint, prod: bigint): Rational {
  return { num: cons * pricing.a - prod * pricing.b + (cons - prod) * pricing.c, den: pricing.den };
}
