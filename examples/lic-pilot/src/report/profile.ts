import type { DailyProfile } from './types.js';

const quarterSeconds = 900;
const quartersPerDay = 96;
const daySeconds = 86_400;

/**
 * The community's mean day from per-slot totals (Wh, slots starting at `tsStart[i]`): the mean energy
 * of each quarter hour of the UTC day over weekdays and over weekend days, and each UTC day's total.
 * A slot's energy is spread evenly over the quarter hours it covers, so any slot length works; a
 * quarter hour's mean is over the days it was observed (a period starting at noon counts its first
 * morning zero times, not as an empty morning).
 */
export function dailyProfile(
  tsStart: readonly number[],
  slotSeconds: number,
  ecWh: readonly number[],
  epWh: readonly number[],
): DailyProfile {
  const sums = {
    weekday: { ec: new Float64Array(quartersPerDay), ep: new Float64Array(quartersPerDay) },
    weekend: { ec: new Float64Array(quartersPerDay), ep: new Float64Array(quartersPerDay) },
  };
  const observed = { weekday: new Float64Array(quartersPerDay), weekend: new Float64Array(quartersPerDay) };
  const days = new Map<string, { ecWh: number; epWh: number }>();

  tsStart.forEach((start, i) => {
    const ec = ecWh[i] ?? 0;
    const ep = epWh[i] ?? 0;
    const end = start + slotSeconds;
    for (let t = start; t < end; ) {
      const quarterEnd = (Math.floor(t / quarterSeconds) + 1) * quarterSeconds;
      const until = Math.min(quarterEnd, end);
      const share = (until - t) / slotSeconds;
      const date = new Date(t * 1000);
      const kind = date.getUTCDay() === 0 || date.getUTCDay() === 6 ? 'weekend' : 'weekday';
      const q = Math.floor((((t % daySeconds) + daySeconds) % daySeconds) / quarterSeconds);
      sums[kind].ec[q]! += ec * share;
      sums[kind].ep[q]! += ep * share;
      observed[kind][q]! += (until - t) / quarterSeconds;
      const key = date.toISOString().slice(0, 10);
      const day = days.get(key) ?? { ecWh: 0, epWh: 0 };
      day.ecWh += ec * share;
      day.epWh += ep * share;
      days.set(key, day);
      t = until;
    }
  });

  const mean = (sum: Float64Array, n: Float64Array): number[] =>
    Array.from(sum, (v, q) => (n[q]! > 0 ? round1(v / n[q]!) : 0));
  return {
    weekdayConsumptionWh: mean(sums.weekday.ec, observed.weekday),
    weekdayProductionWh: mean(sums.weekday.ep, observed.weekday),
    weekendConsumptionWh: mean(sums.weekend.ec, observed.weekend),
    weekendProductionWh: mean(sums.weekend.ep, observed.weekend),
    days: [...days].map(([date, d]) => ({ date, ecWh: round1(d.ecWh), epWh: round1(d.epWh) })),
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
