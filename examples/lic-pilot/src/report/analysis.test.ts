import { settlePeriod } from '@joule/market';
import { describe, expect, it } from 'vitest';
import type { CommunityData } from '../community/types.js';
import { type AnalysisInput, AnalysisInputError, type AnalysisParams, analyse } from './analysis.js';

const ect = 1_000_000n;
/** The paper's prices (the test vector of Algorithm 1), uECT/kWh. */
const paperPrices = { pBuyBAU: 21n * ect, pSellBAU: 6n * ect, pBuyLEM: 16n * ect, pSellLEM: 9n * ect };
/** Friday 1 May 2026, 00:00 UTC. */
const may1 = Date.UTC(2026, 4, 1) / 1000;

/** A community from per-meter rows of [consumption, production] Wh per slot. */
function community(
  rows: Record<string, [number, number][]>,
  tsStart = may1,
  slotSeconds = 900,
): CommunityData {
  const ids = Object.keys(rows);
  const slots = rows[ids[0]!]!.length;
  return {
    meters: ids.map((id) => ({ id, kind: 'house', pvKwp: 0, batteryKwh: 0 })),
    tsStart,
    slotSeconds,
    slots,
    consumption: ids.map((id) => Uint32Array.from(rows[id]!, ([c]) => c)),
    production: ids.map((id) => Uint32Array.from(rows[id]!, ([, p]) => p)),
    source: 'test',
  };
}

/** The analysis input of `data`, with the chain's side computed by the market's own `settlePeriod`. */
function input(data: CommunityData, beta = 0n): AnalysisInput {
  const params: AnalysisParams = {
    tsStart: data.tsStart,
    tsEnd: data.tsStart + data.slots * data.slotSeconds,
    slotSeconds: data.slotSeconds,
    ...paperPrices,
    beta,
  };
  const account = (id: string): string => `acct-${id}`;
  const settlement = settlePeriod({
    prices: params,
    slots: Array.from({ length: data.slots }, (_, s) => ({
      tsStart: data.tsStart + s * data.slotSeconds,
      readings: data.meters.map((m, i) => ({
        meter: m.id,
        account: account(m.id),
        cons: BigInt(data.consumption[i]![s]!),
        prod: BigInt(data.production[i]![s]!),
      })),
    })),
  });
  return {
    data,
    params,
    accounts: new Map(data.meters.map((m) => [m.id, account(m.id)])),
    nodes: new Map(data.meters.map((m, i) => [m.id, `node${i}`])),
    balanceDeltas: settlement.deltas,
    adminDelta: settlement.admin,
    gridFlow: settlement.gridFlow,
  };
}

describe('analyse', () => {
  it("reproduces the paper's test vector (Algorithm 1)", () => {
    const a = analyse(input(community({ N1: [[2500, 0]], N2: [[0, 1400]] })));
    const [n1, n2] = a.houses;
    expect(a.slots.pb, 'pb 18.2 ECT/kWh').toEqual([18_200_000]);
    expect(a.slots.ps, 'ps 9 ECT/kWh').toEqual([9_000_000]);
    expect(n1, 'N1').toMatchObject({
      consumptionWh: 2500,
      boughtInsideWh: 1400,
      soldInsideWh: 0,
      lemEnergyUect: '-45500000',
      lpmUect: '0',
      bauUect: '-52500000',
      balanceDeltaUect: '-45500000',
      savingsUect: '7000000',
      node: 'node0',
      account: 'acct-N1',
    });
    expect(n2, 'N2').toMatchObject({
      productionWh: 1400,
      boughtInsideWh: 0,
      soldInsideWh: 1400,
      lemEnergyUect: '12600000',
      bauUect: '8400000',
      balanceDeltaUect: '12600000',
      savingsUect: '4200000',
    });
    expect(a.community, 'community').toMatchObject({
      consumptionWh: 2500,
      productionWh: 1400,
      tradedInsideWh: 1400,
      selfConsumption: 1,
      selfSufficiency: 0.56,
      gridImportWh: 1100,
      gridExportWh: 0,
      adminMarginUect: '9800000',
      gridFlowUect: '23100000',
      invariantUect: '0',
      invariantHolds: true,
    });
  });

  it('gives the LPM a malus when following the net flow and a bonus when opposing it', () => {
    // E = 3000 + 1000 − 2000 Wh = 2 kWh; beta 1 ECT/kWh²: A pays 1·2·3, B 1·2·1, C receives 1·2·2 ECT.
    const a = analyse(input(community({ A: [[3000, 0]], B: [[1000, 0]], C: [[0, 2000]] }), ect));
    const lpm = a.houses.map((h) => h.lpmUect);
    expect(lpm, 'LPM per meter').toEqual(['-6000000', '-2000000', '4000000']);
    // The admin collects beta·E² = 4 ECT on top of m·(pBuyLEM − pSellLEM) = 2 kWh · 7 ECT.
    expect(a.community.adminMarginUect, 'admin').toBe('18000000');
    for (const h of a.houses) {
      const lemPlusLpm = BigInt(h.lemEnergyUect) + BigInt(h.lpmUect);
      expect(lemPlusLpm, `${h.meterId}: LEM + LPM = balance change`).toBe(BigInt(h.balanceDeltaUect));
    }
    expect(a.community.invariantHolds, 'invariant').toBe(true);
  });

  it('computes GDI per slot, its statistics and the histogram edges', () => {
    // Slots: all from the grid (+1), all to it (−1), no energy (excluded), balanced (0), 0.5.
    const a = analyse(
      input(
        community({
          A: [
            [1000, 0],
            [0, 1000],
            [0, 0],
            [500, 500],
            [1500, 500],
          ],
        }),
      ),
    );
    expect(a.slots.gdi, 'per-slot GDI').toEqual([1, -1, null, 0, 0.5]);
    // Slot 5: pb = 21 − (500/1500)·(21 − 16) ECT/kWh.
    expect(a.slots.pb, 'no buyer: pb null').toEqual([21_000_000, null, null, 16_000_000, 19_333_333.33]);
    expect(a.slots.ps, 'no seller: ps null').toEqual([null, 6_000_000, null, 9_000_000, 9_000_000]);
    const { gdi } = a.community;
    expect(gdi.mean, 'mean').toBeCloseTo(0.125, 12);
    expect(gdi.p50, 'median of −1, 0, 0.5, 1').toBeCloseTo(0.25, 12);
    expect(gdi.p10, 'p10').toBeCloseTo(-0.7, 12);
    expect(gdi.histogram, '20 bins').toHaveLength(20);
    expect(gdi.histogram[0], 'first bin holds −1').toEqual({ from: -1, to: -0.9, slots: 1 });
    expect(gdi.histogram[10], '0 opens the bin [0, 0.1)').toEqual({ from: 0, to: 0.1, slots: 1 });
    expect(gdi.histogram[15]?.slots, '0.5 in [0.5, 0.6)').toBe(1);
    expect(gdi.histogram[19], 'last bin holds +1').toEqual({ from: 0.9, to: 1, slots: 1 });
    expect(
      gdi.histogram.reduce((n, b) => n + b.slots, 0),
      'slots with energy',
    ).toBe(4);
  });

  it('bins edge values exactly: −0.9 opens the second bin', () => {
    // GDI = (50 − 950)/1000 = −0.9 exactly; floats would put 10·(−0.9 + 1) just below 1.
    const a = analyse(input(community({ A: [[50, 950]] })));
    expect(a.community.gdi.histogram[1]?.slots, 'bin [−0.9, −0.8)').toBe(1);
  });

  it('measures self-consumption, self-sufficiency and the grid exchange', () => {
    // Slot 1: Ec 3000, Ep 1000 (1000 inside, 2000 imported); slot 2: Ec 500, Ep 2500 (500 inside, 2000 exported).
    const a = analyse(
      input(
        community({
          A: [
            [3000, 0],
            [0, 2500],
          ],
          B: [
            [0, 1000],
            [500, 0],
          ],
        }),
      ),
    );
    expect(a.community, 'community').toMatchObject({
      consumptionWh: 3500,
      productionWh: 3500,
      tradedInsideWh: 1500,
      gridImportWh: 2000,
      gridExportWh: 2000,
      invariantHolds: true,
    });
    expect(a.community.selfConsumption, 'self-consumption').toBeCloseTo(1500 / 3500, 12);
    expect(a.community.selfSufficiency, 'self-sufficiency').toBeCloseTo(1500 / 3500, 12);
    const [A, B] = a.houses;
    // A: bought 3000·1000/3000 in slot 1, sold 2500·500/2500 in slot 2.
    expect([A?.boughtInsideWh, A?.soldInsideWh], 'A inside').toEqual([1000, 500]);
    expect([B?.boughtInsideWh, B?.soldInsideWh], 'B inside').toEqual([500, 1000]);
  });

  it('reports a broken invariant', () => {
    const i = input(community({ N1: [[2500, 0]], N2: [[0, 1400]] }));
    const a = analyse({ ...i, adminDelta: i.adminDelta + 1n });
    expect(a.community.invariantUect, 'off by one').toBe('1');
    expect(a.community.invariantHolds, 'does not hold').toBe(false);
  });

  it('averages the daily profile over weekdays and weekend days, UTC', () => {
    // Friday 1 May to Sunday 3 May: one weekday, two weekend days; 100 Wh a slot on Friday, 200 after.
    const slots = 3 * 96;
    const rows = Array.from({ length: slots }, (_, s): [number, number] => [s < 96 ? 100 : 200, s % 96]);
    const a = analyse(input(community({ A: rows })));
    const p = a.dailyProfile;
    expect(p.weekdayConsumptionWh, 'weekday').toEqual(new Array(96).fill(100));
    expect(p.weekendConsumptionWh, 'weekend').toEqual(new Array(96).fill(200));
    expect(p.weekendProductionWh[95], 'production of the last quarter').toBe(95);
    expect(p.days, 'per day').toEqual([
      { date: '2026-05-01', ecWh: 9600, epWh: 4560 },
      { date: '2026-05-02', ecWh: 19200, epWh: 4560 },
      { date: '2026-05-03', ecWh: 19200, epWh: 4560 },
    ]);
  });

  it('analyses only the period inside longer data', () => {
    const data = community({
      A: [
        [1, 0],
        [2, 0],
        [4, 0],
        [8, 0],
      ],
    });
    const i = input(data);
    const a = analyse({ ...i, params: { ...i.params, tsStart: may1 + 900, tsEnd: may1 + 3 * 900 } });
    expect(a.slots.ecWh, 'slots 1 and 2').toEqual([2, 4]);
    expect(a.slots.tsStart, 'their starts').toEqual([may1 + 900, may1 + 1800]);
  });

  it('refuses a period outside the data and unknown meters', () => {
    const i = input(community({ A: [[1, 0]] }));
    const late = { ...i, params: { ...i.params, tsEnd: i.params.tsEnd + 900 } };
    expect(() => analyse(late), 'period past the data').toThrow(AnalysisInputError);
    const odd = { ...i, params: { ...i.params, slotSeconds: 600 } };
    expect(() => analyse(odd), 'slot length').toThrow(/slots of 900 s/);
    expect(() => analyse({ ...i, accounts: new Map() }), 'no account').toThrow(/no account for meter A/);
  });
});
