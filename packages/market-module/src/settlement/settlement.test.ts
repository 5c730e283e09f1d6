import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type MeterReading, settlePeriod, settleSlot } from './period.js';
import { formatRational } from './rational.js';
import { type MarketPrices, meterSlotDelta, slotPricing } from './slot.js';

/** ECT as a decimal string ("-45.5") to uECT, exactly. */
const ect = (x: string): bigint => {
  const [whole = '0', frac = ''] = x.replace('-', '').split('.');
  const n = BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, '0'));
  return x.startsWith('-') ? -n : n;
};
const paper: MarketPrices = {
  pBuyBAU: 21_000_000n,
  pSellBAU: 6_000_000n,
  pBuyLEM: 16_000_000n,
  pSellLEM: 9_000_000n,
  beta: 0n,
};
const reading = (meter: string, cons: number, prod: number, account = meter): MeterReading => ({
  meter,
  account,
  cons: BigInt(cons),
  prod: BigInt(prod),
});
const one = (prices: MarketPrices, readings: MeterReading[]) =>
  settlePeriod({ prices, slots: [{ tsStart: 0, readings }] });
const balanced = (s: ReturnType<typeof one>): bigint =>
  [...s.deltas.values()].reduce((a, b) => a + b, 0n) + s.admin + s.gridFlow;

describe('settlement of one slot', () => {
  it('reproduces Algorithm 1 of the paper exactly (test/vectors/algorithm1)', () => {
    const dir = new URL('../../test/vectors/algorithm1/', import.meta.url);
    const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8'));
    const s = one(paper, [reading('N1', 2500, 0), reading('N2', 0, 1400)]);
    expect(Object.fromEntries([...s.deltas].map(([k, v]) => [k, v.toString()]))).toEqual(expected.deltas);
    expect(s.admin.toString()).toBe(expected.admin);
    expect(s.gridFlow.toString()).toBe(expected.gridFlow);
    const slot = s.slots[0];
    expect(slot?.pricing.pb && formatRational(slot.pricing.pb)).toBe('18200000');
    expect(slot?.pricing.ps && formatRational(slot.pricing.ps)).toBe('9000000');
    expect([s.deltas.get('N1'), s.deltas.get('N2'), s.admin, s.gridFlow]).toEqual([
      ect('-45.5'),
      ect('12.6'),
      ect('9.8'),
      ect('23.1'),
    ]);
    expect(balanced(s)).toBe(0n);
  });

  it('handles Ep > Ec: the DSO pays the community for the surplus', () => {
    const s = one(paper, [reading('N1', 1000, 0), reading('N2', 0, 3000)]);
    const p = s.slots[0]?.pricing;
    expect([p?.pb && formatRational(p.pb), p?.ps && formatRational(p.ps)]).toEqual(['16000000', '7000000']);
    expect([s.deltas.get('N1'), s.deltas.get('N2'), s.admin, s.gridFlow]).toEqual([
      ect('-16'),
      ect('21'),
      ect('7'),
      ect('-12'),
    ]);
    expect(balanced(s)).toBe(0n);
  });

  it('handles a slot with no consumption (no buyer) and one with no production (no seller)', () => {
    const noBuyer = one(paper, [reading('N2', 0, 1400)]);
    expect(noBuyer.slots[0]?.pricing.pb).toBeNull();
    expect([noBuyer.deltas.get('N2'), noBuyer.admin, noBuyer.gridFlow]).toEqual([
      ect('8.4'),
      0n,
      ect('-8.4'),
    ]);
    const noSeller = one(paper, [reading('N1', 2500, 0)]);
    expect(noSeller.slots[0]?.pricing.ps).toBeNull();
    expect([noSeller.deltas.get('N1'), noSeller.admin, noSeller.gridFlow]).toEqual([
      ect('-52.5'),
      0n,
      ect('52.5'),
    ]);
    const empty = one(paper, []);
    expect([empty.admin, empty.gridFlow, empty.slots[0]?.pricing.pb, empty.slots[0]?.pricing.ps]).toEqual([
      0n,
      0n,
      null,
      null,
    ]);
  });

  it('charges the LPM (beta > 0): a malus with the net flow, a bonus against it, beta·E² to the admin', () => {
    const s = one({ ...paper, beta: 1_000_000n }, [reading('N1', 2500, 0), reading('N2', 0, 1400)]);
    // E = 1.1 kWh: N1 pays 1·1.1·2.5 = 2.75 ECT more, N2 gets 1.1·1.4 = 1.54 ECT more, admin +1.21.
    expect([s.deltas.get('N1'), s.deltas.get('N2'), s.admin, s.gridFlow]).toEqual([
      ect('-48.25'),
      ect('14.14'),
      ect('11.01'),
      ect('23.1'),
    ]);
    expect(balanced(s)).toBe(0n);
  });

  it('bills a meter that both consumes and produces in a slot on both sides', () => {
    const s = one(paper, [reading('A', 1000, 500), reading('B', 0, 1000)]);
    // Ec 1 kWh, Ep 1.5 kWh: pb 16, ps 8 ECT/kWh; A pays 16 and gets 4; grid −0.5·6.
    expect([s.deltas.get('A'), s.deltas.get('B'), s.admin, s.gridFlow]).toEqual([
      ect('-12'),
      ect('8'),
      ect('7'),
      ect('-3'),
    ]);
  });

  it('rounds every amount toward the admin: debits up, credits down, to 1 uECT', () => {
    // pb = 58e6/3 uECT/kWh: each 1 Wh consumer owes 19 333.33… uECT, rounded up.
    const debits = one(paper, [
      reading('a', 1, 0),
      reading('b', 1, 0),
      reading('c', 1, 0),
      reading('p', 0, 1),
    ]);
    expect(formatRational(debits.slots[0]?.pricing.pb ?? { num: 0n, den: 1n })).toBe('58000000/3');
    expect(debits.deltas.get('a')).toBe(-19_334n);
    expect(debits.admin).toBe(7_002n); // exact 7 000, plus 3 × 2/3 uECT of rounding
    // ps = 22e6/3: each 1 Wh producer is owed 7 333.33… uECT, rounded down.
    const credits = one({ ...paper, pSellLEM: 10_000_000n }, [
      reading('c', 1, 0),
      reading('x', 0, 1),
      reading('y', 0, 1),
      reading('z', 0, 1),
    ]);
    expect(credits.deltas.get('x')).toBe(7_333n);
    expect(balanced(debits)).toBe(0n);
    expect(balanced(credits)).toBe(0n);
    // The grid flow: a credit to the DSO rounds down, a debit of the DSO rounds up.
    const odd = { ...paper, pBuyBAU: 21_000_001n, pSellBAU: 6_000_001n };
    expect(slotPricing(odd, 1n, 0n).gridFlow).toBe(21_000n);
    expect(slotPricing(odd, 0n, 1n).gridFlow).toBe(-6_001n);
    expect(meterSlotDelta(slotPricing(odd, 1n, 0n), 1n, 0n)).toBe(-21_001n);
  });

  it('scales units: Wh · uECT/kWh needs /1000 and the LPM /10^6', () => {
    // 1 kWh at 1 ECT/kWh is 1 ECT; beta 1 ECT/kWh² with E = 1 kWh and d = 1 kWh is 1 ECT.
    const prices = { pBuyBAU: 1_000_000n, pSellBAU: 0n, pBuyLEM: 1_000_000n, pSellLEM: 0n, beta: 1_000_000n };
    const { receipt, deltas } = settleSlot(prices, { tsStart: 0, readings: [reading('a', 1000, 0)] });
    expect(deltas).toEqual([-2_000_000n]);
    expect([receipt.pricing.gridFlow, receipt.admin]).toEqual([1_000_000n, 1_000_000n]);
  });
});
