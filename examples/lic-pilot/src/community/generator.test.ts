import { describe, expect, it } from 'vitest';
import { generateCommunity, previousMonth } from './generator.js';
import type { CommunityData } from './types.js';

const utc = (iso: string): number => Date.parse(iso) / 1_000;
const month = (iso: string, days: number, seed = 1): CommunityData =>
  generateCommunity({ seed, tsStart: utc(iso), days });
const kwh = (values: Uint32Array): number => values.reduce((a, b) => a + b, 0) / 1_000;
/** UTC hour of slot `s`. */
const hourOf = (data: CommunityData, s: number): number => ((data.tsStart + s * 900) % 86_400) / 3_600;
/** Mean Wh per slot of `values` over the slots whose UTC hour passes `keep`. */
function meanWhere(data: CommunityData, values: Uint32Array, keep: (s: number) => boolean): number {
  let sum = 0;
  let n = 0;
  for (let s = 0; s < data.slots; s++) {
    if (!keep(s)) continue;
    sum += values[s]!;
    n++;
  }
  return sum / n;
}

const january = month('2026-01-01T00:00:00Z', 31);
const june = month('2026-06-01T00:00:00Z', 30);
const october = month('2026-10-01T00:00:00Z', 31);
const pvMeters = october.meters.flatMap((m, i) => (m.pvKwp > 0 ? [i] : []));
const houses = october.meters.flatMap((m, i) => (m.kind === 'house' ? [i] : []));
const kindergarten = october.meters.length - 1;

describe('generateCommunity', () => {
  it('is deterministic in the seed', () => {
    const again = month('2026-10-01T00:00:00Z', 31);
    expect(again.consumption, 'same seed, consumption').toEqual(october.consumption);
    expect(again.production, 'same seed, production').toEqual(october.production);
    const other = month('2026-10-01T00:00:00Z', 31, 2);
    october.meters.forEach((meter, m) => {
      expect(other.consumption[m], `seed 2 vs 1, ${meter.id}`).not.toEqual(october.consumption[m]);
    });
    expect(october.source).toBe('generator seed 1');
  });

  it('gives a date the same data whatever the window (meters without a battery)', () => {
    const window = month('2026-10-10T00:00:00Z', 2);
    const offset = 9 * 96;
    for (let m = 0; m < kindergarten; m++) {
      const id = october.meters[m]!.id;
      expect(window.consumption[m], `${id} consumption`).toEqual(
        october.consumption[m]!.slice(offset, offset + 192),
      );
      expect(window.production[m], `${id} production`).toEqual(
        october.production[m]!.slice(offset, offset + 192),
      );
    }
  });

  it('has the 19 meters of the community, with their PV and battery', () => {
    expect(october.meters.map((m) => m.id)).toEqual([
      ...Array.from({ length: 18 }, (_, i) => `house-${String(i + 1).padStart(2, '0')}`),
      'kindergarten',
    ]);
    expect(october.meters.map((m) => m.kind)).toEqual([...Array(18).fill('house'), 'kindergarten']);
    const pvHouses = october.meters.filter((m) => m.kind === 'house' && m.pvKwp > 0);
    expect(pvHouses.length, 'PV houses').toBe(4);
    expect(
      pvHouses.reduce((a, m) => a + m.pvKwp, 0),
      'house kWp',
    ).toBe(37);
    expect(
      october.meters.filter((m) => m.kind === 'house' && m.batteryKwh > 0),
      'house batteries',
    ).toEqual([]);
    expect(october.meters[kindergarten]).toMatchObject({ pvKwp: 27, batteryKwh: 60 });
    expect(october).toMatchObject({ tsStart: utc('2026-10-01T00:00:00Z'), slotSeconds: 900, slots: 2_976 });
    for (const values of [...october.consumption, ...october.production]) expect(values.length).toBe(2_976);
  });

  it('produces nothing at night, and only on PV meters', () => {
    // Sunset at Lugano is before 19:30 UTC and sunrise after 03:15 UTC all year.
    const night = (data: CommunityData, s: number): boolean => hourOf(data, s) >= 20 || hourOf(data, s) < 3;
    for (const data of [january, june, october]) {
      data.meters.forEach((meter, m) => {
        const p = data.production[m]!;
        if (meter.pvKwp === 0) expect(kwh(p), `${meter.id} without PV`).toBe(0);
        else
          expect(
            meanWhere(data, p, (s) => night(data, s)),
            `${meter.id} at night`,
          ).toBe(0);
      });
    }
  });

  it('produces more in June than in January', () => {
    for (const m of pvMeters) {
      const id = october.meters[m]!.id;
      expect(kwh(june.production[m]!), id).toBeGreaterThan(1.5 * kwh(january.production[m]!));
    }
  });

  it('never exports more than the PV could make (the battery does not export)', () => {
    const clearSkyKwPerKwp = 1; // above the model's clear-sky noon with noise
    for (const data of [june, october]) {
      const p = data.production[kindergarten]!;
      expect(Math.max(...p), 'kindergarten slot export').toBeLessThanOrEqual(27 * clearSkyKwPerKwp * 250);
    }
  });

  it('has houses consuming more in the evening than at 03:00', () => {
    // January: local time is UTC+1, and PV is nil in the evening.
    for (const m of houses) {
      const c = january.consumption[m]!;
      const evening = meanWhere(january, c, (s) => hourOf(january, s) >= 18 && hourOf(january, s) < 20);
      const night = meanWhere(january, c, (s) => hourOf(january, s) >= 2 && hourOf(january, s) < 3);
      expect(evening, october.meters[m]!.id).toBeGreaterThan(2 * night);
    }
  });

  it('has the kindergarten consuming more on weekdays than on weekends', () => {
    // Per local day, net import = load − PV + battery losses + the battery's drop: the battery moves
    // at most 60 kWh between days, so weekday and weekend means differ by the load, give or take.
    for (const data of [january, october]) {
      const net = { weekday: [0, 0], weekend: [0, 0] };
      for (let day = 0; day < data.slots / 96; day++) {
        let wh = 0;
        for (let s = day * 96; s < (day + 1) * 96; s++)
          wh += data.consumption[kindergarten]![s]! - data.production[kindergarten]![s]!;
        const weekday = new Date((data.tsStart + day * 86_400) * 1_000).getUTCDay();
        const bucket = weekday === 0 || weekday === 6 ? net.weekend : net.weekday;
        bucket[0]! += wh / 1_000;
        bucket[1]! += 1;
      }
      const weekday = net.weekday[0]! / net.weekday[1]!;
      const weekend = net.weekend[0]! / net.weekend[1]!;
      expect(weekday, `${new Date(data.tsStart * 1_000).toISOString()} weekday kWh/day`).toBeGreaterThan(
        weekend + 30,
      );
    }
  });

  it('gives houses a plausible monthly consumption', () => {
    // 2 500–6 000 kWh a year is 208–500 kWh a month; PV houses import less.
    for (const seed of [1, 2, 3]) {
      const data = seed === 1 ? october : month('2026-10-01T00:00:00Z', 31, seed);
      for (const m of houses) {
        const id = `seed ${seed} ${data.meters[m]!.id}`;
        const low = data.meters[m]!.pvKwp > 0 ? 50 : 150;
        expect(kwh(data.consumption[m]!), id).toBeGreaterThan(low);
        expect(kwh(data.consumption[m]!), id).toBeLessThan(700);
      }
    }
  });

  it('refuses bad options', () => {
    const tsStart = utc('2026-10-01T00:00:00Z');
    expect(() => generateCommunity({ seed: 1, tsStart, days: 0 })).toThrow(RangeError);
    expect(() => generateCommunity({ seed: 1, tsStart, days: 94 })).toThrow(RangeError);
    expect(() => generateCommunity({ seed: 1, tsStart: tsStart + 60, days: 1 })).toThrow(RangeError);
    expect(() => generateCommunity({ seed: 0.5, tsStart, days: 1 })).toThrow(RangeError);
  });
});

describe('previousMonth', () => {
  const cases: [string, string, number][] = [
    ['2026-11-27T12:00:00Z', '2026-10-01T00:00:00Z', 31],
    ['2026-11-01T00:00:00Z', '2026-10-01T00:00:00Z', 31],
    ['2026-10-31T23:59:59Z', '2026-09-01T00:00:00Z', 30],
    ['2026-01-15T00:00:00Z', '2025-12-01T00:00:00Z', 31],
    ['2024-03-01T00:00:00Z', '2024-02-01T00:00:00Z', 29],
    ['2025-03-31T23:59:59Z', '2025-02-01T00:00:00Z', 28],
  ];
  for (const [now, start, days] of cases) {
    it(`${now} → ${start}, ${days} days`, () => {
      expect(previousMonth(utc(now))).toEqual({ tsStart: utc(start), days });
    });
  }
});
