/**
 * Synthetic, deterministic 15-minute meter data of the Lugaggia Innovation Community:
 * 18 houses `house-01` … `house-18` and the `kindergarten` (last). Not measured data: a model with
 * the right shapes, so that the pilot runs without access to the real meters (`csv.ts` reads those).
 *
 * Time: slots are UTC, aligned to 900 s. The sun follows solar time at Lugano (46.0° N, 8.95° E:
 * solar noon ≈ 11:24 UTC, i.e. 12:24 in standard time UTC+1, shifted by the equation of time);
 * people follow the Swiss civil clock (CET = UTC+1, CEST = UTC+2 between the last Sundays of
 * March and October, 01:00 UTC). Seasons, weekdays and weekends come from the slots' dates.
 *
 * - PV: clear-sky plane-of-array irradiance on a south-facing 30° panel (Cooper's declination,
 *   Meinel's air-mass attenuation of the direct beam, plus a diffuse share), times a performance
 *   ratio: a bell from sunrise to sunset whose height and width follow the day of year. Each local
 *   day draws one weather for the whole community (neighbours share the sky): clear, partly cloudy
 *   (an AR(1) cloud factor per slot) or overcast; each meter adds a little noise per slot (sky.ts).
 *   PV houses: house-03 8 kWp, house-07 9, house-11 10, house-15 10 (37 kWp); kindergarten 27 kWp.
 * - Houses: base load, a morning peak (weekdays ~07:00, weekends ~09:00 local), more daytime
 *   load on weekends, a larger evening peak (~19:30); each house draws its annual consumption
 *   (2 500–6 000 kWh), a habit shift of its peaks (±45 min) and the weight of its evening peak;
 *   ±20 % seasonal swing (most in mid-January); lognormal noise per slot.
 * - Kindergarten: base load at night and on weekends, open 07:00–18:00 on weekdays with a kitchen
 *   peak at lunch; the same seasonal swing. Its 60 kWh battery runs for self-consumption: charges
 *   from PV surplus, discharges to cover the load, 20 kW limit, 90 % round trip (√0.9 each way),
 *   starting at 50 % state of charge at `tsStart` (the only state carried from slot to slot).
 * - What a meter records at the grid point, integer Wh per slot: consumption = max(load − pv −
 *   discharge, 0), production = max(pv − load − charge, 0). Houses without PV produce 0.
 *
 * Randomness comes from streams seeded by (seed, purpose, meter, local day), so a date's data do
 * not depend on the window asked for (except the battery's state of charge). No public holidays,
 * no school holidays, no appliance spikes beyond the noise.
 */
import { Rng, seedFrom } from './random.js';
import { clearSkyKwPerKwp, weather } from './sky.js';
import type { CommunityData, CommunityMeter } from './types.js';

const slotSeconds = 900;
const slotHours = slotSeconds / 3_600;
const slotsPerDay = 86_400 / slotSeconds;
/** Longest window, days (the market's longest period). */
const maxDays = 93;

/** Per-meter noise on PV power per slot (orientation, soiling, local shade). */
const pvNoiseSigma = 0.03;

// Loads.
const seasonalAmplitude = 0.2;
/** Day of year of the seasonal peak of consumption (mid-January). */
const seasonalPeakDay = 15;
const houseCount = 18;
const houseAnnualKwh = [2_500, 6_000] as const;
const habitShiftHours = 0.75;
const eveningWeight = [0.8, 1.25] as const;
const houseNoiseSigma = 0.35;
const kindergartenBaseKw = 1.2;
const kindergartenOpenKw = 5;
const kindergartenHours = [7, 18] as const;
const kindergartenLunchKw = 4;
const kindergartenLunchHour = 11.75;
const kindergartenNoiseSigma = 0.15;

// PV and storage.
const pvHouseKwp: ReadonlyMap<string, number> = new Map([
  ['house-03', 8],
  ['house-07', 9],
  ['house-11', 10],
  ['house-15', 10],
]);
const kindergartenPvKwp = 27;
const batteryKwh = 60;
const batteryMaxKw = 20;
const roundTripEfficiency = 0.9;
const batteryInitialSoc = 0.5;

// Random streams (1 is the weather's, in sky.ts).
const habitStream = 2;
const noiseStream = 3;

export interface GenerateCommunityOptions {
  /** Any safe integer; the same seed gives the same data. */
  readonly seed: number;
  /** First slot's start, Unix seconds UTC, a multiple of 900. */
  readonly tsStart: number;
  /** Whole days to generate, 1–93. */
  readonly days: number;
  readonly slotSeconds?: 900;
}

/** The 19 meters of the community. */
function communityMeters(): CommunityMeter[] {
  const meters: CommunityMeter[] = [];
  for (let i = 1; i <= houseCount; i++) {
    const id = `house-${String(i).padStart(2, '0')}`;
    meters.push({ id, kind: 'house', pvKwp: pvHouseKwp.get(id) ?? 0, batteryKwh: 0 });
  }
  meters.push({ id: 'kindergarten', kind: 'kindergarten', pvKwp: kindergartenPvKwp, batteryKwh });
  return meters;
}

/** When each slot falls for people and for the sun (slot midpoints). */
interface SlotClock {
  readonly localDay: Int32Array;
  readonly slotOfDay: Uint8Array;
  readonly localHour: Float64Array;
  readonly weekend: Uint8Array;
  readonly seasonal: Float64Array;
  /** Clear-sky PV power, kW per kWp. */
  readonly clearSky: Float64Array;
}

/** Start of the last Sunday of `month0` (0-based), Unix seconds UTC. */
function lastSunday(year: number, month0: number): number {
  const last = Date.UTC(year, month0 + 1, 0);
  return last / 1_000 - new Date(last).getUTCDay() * 86_400;
}

/** Swiss civil time's offset from UTC at `ts`, seconds (EU summer time rule). */
function civilOffsetSeconds(ts: number): number {
  const year = new Date(ts * 1_000).getUTCFullYear();
  const summer = ts >= lastSunday(year, 2) + 3_600 && ts < lastSunday(year, 9) + 3_600;
  return summer ? 7_200 : 3_600;
}

function slotClock(tsStart: number, slots: number): SlotClock {
  const clock: SlotClock = {
    localDay: new Int32Array(slots),
    slotOfDay: new Uint8Array(slots),
    localHour: new Float64Array(slots),
    weekend: new Uint8Array(slots),
    seasonal: new Float64Array(slots),
    clearSky: new Float64Array(slots),
  };
  for (let s = 0; s < slots; s++) {
    const ts = tsStart + s * slotSeconds;
    const local = ts + civilOffsetSeconds(ts);
    const day = Math.floor(local / 86_400);
    const secondOfDay = local - day * 86_400;
    clock.localDay[s] = day;
    clock.slotOfDay[s] = Math.floor(secondOfDay / slotSeconds);
    clock.localHour[s] = (secondOfDay + slotSeconds / 2) / 3_600;
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    clock.weekend[s] = weekday === 0 || weekday === 6 ? 1 : 0;
    const date = new Date(ts * 1_000);
    const n = (ts - Date.UTC(date.getUTCFullYear(), 0, 1) / 1_000) / 86_400 + 1;
    clock.seasonal[s] = 1 + seasonalAmplitude * Math.cos((2 * Math.PI * (n - seasonalPeakDay)) / 365.25);
    clock.clearSky[s] = clearSkyKwPerKwp(ts + slotSeconds / 2, Math.floor(n));
  }
  return clock;
}

const bump = (x: number, mu: number, sigma: number): number => Math.exp(-0.5 * ((x - mu) / sigma) ** 2);
/** ≈1 between `a` and `b` hours, with one-hour ramps. */
const plateau = (x: number, a: number, b: number): number =>
  1 / (1 + Math.exp(-4 * (x - a))) - 1 / (1 + Math.exp(-4 * (x - b)));

/** A household's relative load at local hour `t` (before normalisation). */
function houseShape(t: number, weekend: boolean, shift: number, evening: number): number {
  const x = t - shift;
  const morning = weekend ? 0.9 * bump(x, 9, 1.1) : 1.1 * bump(x, 7, 0.8);
  const daytime = weekend
    ? 0.55 * plateau(x, 10, 18) + 0.6 * bump(x, 12.5, 0.8)
    : 0.2 * plateau(x, 9, 17) + 0.3 * bump(x, 12.25, 0.6);
  return 0.3 + morning + daytime + evening * 2 * bump(x, 19.5, 1.5);
}

/** Kindergarten load at local hour `t`, kW (before the seasonal swing). */
function kindergartenKw(t: number, weekend: boolean): number {
  if (weekend) return kindergartenBaseKw;
  const open = kindergartenOpenKw * plateau(t, ...kindergartenHours);
  return kindergartenBaseKw + open + kindergartenLunchKw * bump(t, kindergartenLunchHour, 0.6);
}

/** A meter's load at local hour `t`, kW, before the seasonal swing and the noise. */
type LoadProfile = (t: number, weekend: boolean) => number;

/** A house's profile from its habits, scaled so that its mean week makes its annual consumption. */
function houseProfile(habits: Rng): LoadProfile {
  const annualKwh = habits.uniform(...houseAnnualKwh);
  const shift = habits.uniform(-habitShiftHours, habitShiftHours);
  const evening = habits.uniform(...eveningWeight);
  let weekShape = 0;
  for (let k = 0; k < slotsPerDay; k++) {
    const t = (k + 0.5) * slotHours;
    weekShape += (5 * houseShape(t, false, shift, evening) + 2 * houseShape(t, true, shift, evening)) / 7;
  }
  const kwPerShape = annualKwh / 8_760 / (weekShape / slotsPerDay);
  return (t, weekend) => kwPerShape * houseShape(t, weekend, shift, evening);
}

/** Load per slot of one meter, kWh. */
function loads(seed: number, index: number, meter: CommunityMeter, clock: SlotClock): Float64Array {
  const house = meter.kind === 'house';
  const profile = house ? houseProfile(new Rng(seedFrom(seed, habitStream, index))) : kindergartenKw;
  const sigma = house ? houseNoiseSigma : kindergartenNoiseSigma;
  const out = new Float64Array(clock.localDay.length);
  const noise = new Float64Array(slotsPerDay);
  let day = -1;
  for (let s = 0; s < out.length; s++) {
    if (clock.localDay[s] !== day) {
      day = clock.localDay[s]!;
      new Rng(seedFrom(seed, noiseStream, index, day)).fillNormal(noise);
    }
    const kw = profile(clock.localHour[s]!, clock.weekend[s] === 1);
    const lognormal = Math.exp(sigma * noise[clock.slotOfDay[s]!]! - (sigma * sigma) / 2);
    out[s] = kw * clock.seasonal[s]! * lognormal * slotHours;
  }
  return out;
}

/** PV energy per slot of one meter, kWh (its own noise stream, after the load's). */
function pv(seed: number, index: number, kwp: number, clock: SlotClock, sky: Float64Array): Float64Array {
  const out = new Float64Array(sky.length);
  if (kwp === 0) return out;
  const noise = new Float64Array(slotsPerDay);
  let day = -1;
  for (let s = 0; s < out.length; s++) {
    if (clock.localDay[s] !== day) {
      day = clock.localDay[s]!;
      new Rng(seedFrom(seed, noiseStream, index, day, 1)).fillNormal(noise);
    }
    const kw = kwp * clock.clearSky[s]! * sky[s]! * (1 + pvNoiseSigma * noise[clock.slotOfDay[s]!]!);
    out[s] = Math.max(kw, 0) * slotHours;
  }
  return out;
}

/** What the meter records, Wh: the battery (if any) charges from surplus and covers deficits. */
function record(load: Float64Array, solar: Float64Array, capacityKwh: number): [Uint32Array, Uint32Array] {
  const consumption = new Uint32Array(load.length);
  const production = new Uint32Array(load.length);
  const efficiency = Math.sqrt(roundTripEfficiency);
  const maxKwh = batteryMaxKw * slotHours;
  let soc = batteryInitialSoc * capacityKwh;
  for (let s = 0; s < load.length; s++) {
    let net = solar[s]! - load[s]!; // kWh, > 0: surplus
    if (capacityKwh > 0 && net > 0) {
      const charge = Math.min(net, maxKwh, (capacityKwh - soc) / efficiency);
      soc += charge * efficiency;
      net -= charge;
    } else if (capacityKwh > 0 && net < 0) {
      const discharge = Math.min(-net, maxKwh, soc * efficiency);
      soc -= discharge / efficiency;
      net += discharge;
    }
    consumption[s] = net < 0 ? Math.round(-net * 1_000) : 0;
    production[s] = net > 0 ? Math.round(net * 1_000) : 0;
  }
  return [consumption, production];
}

/** The community's meter data for `days` days from `tsStart`; deterministic in `seed`. */
export function generateCommunity(options: GenerateCommunityOptions): CommunityData {
  const { seed, tsStart, days } = options;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed ${seed} is not a safe integer`);
  if (!Number.isSafeInteger(tsStart) || tsStart < 0 || tsStart % slotSeconds !== 0)
    throw new RangeError(`tsStart ${tsStart} is not a non-negative multiple of ${slotSeconds} s`);
  if (!Number.isInteger(days) || days < 1 || days > maxDays)
    throw new RangeError(`days ${days} is not an integer in [1, ${maxDays}]`);
  if (options.slotSeconds !== undefined && options.slotSeconds !== slotSeconds)
    throw new RangeError(`slotSeconds ${options.slotSeconds} is not ${slotSeconds}`);
  const slots = days * slotsPerDay;
  const meters = communityMeters();
  const clock = slotClock(tsStart, slots);
  const sky = weather(seed, clock.localDay, clock.slotOfDay);
  const flows = meters.map((meter, index) =>
    record(loads(seed, index, meter, clock), pv(seed, index, meter.pvKwp, clock, sky), meter.batteryKwh),
  );
  const consumption = flows.map(([c]) => c);
  const production = flows.map(([, p]) => p);
  return { meters, tsStart, slotSeconds, slots, consumption, production, source: `generator seed ${seed}` };
}

/** The last whole calendar month (UTC) before the month containing `nowSeconds`. */
export function previousMonth(nowSeconds: number): { tsStart: number; days: number } {
  if (!Number.isFinite(nowSeconds)) throw new RangeError(`time ${nowSeconds} is not a finite number`);
  const now = new Date(nowSeconds * 1_000);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const start = Date.UTC(year, month - 1, 1);
  return { tsStart: start / 1_000, days: (Date.UTC(year, month, 1) - start) / 86_400_000 };
}
