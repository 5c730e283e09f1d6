/**
 * The sky over Lugaggia: clear-sky PV power from the sun's position, and the community's weather.
 *
 * - Sun: Cooper's declination and the equation of time at 46.0° N, 8.95° E (solar noon ≈ 11:24
 *   UTC); a south-facing panel tilted 30° (seen as a horizontal panel at latitude φ − β); direct
 *   beam by Meinel's air-mass model, plus a diffuse share; times a performance ratio. The result is
 *   a bell from sunrise to sunset whose height and width follow the day of year; 0 at night.
 * - Weather: one draw per local day for the whole community (neighbours share the sky): clear
 *   (0.92–1 of clear sky), overcast (0.08–0.25) or partly cloudy (an AR(1) factor per slot around
 *   0.55, within 0.1–1). Not a climate record: Lugano's seasons come from the sun alone.
 */
import { Rng, seedFrom } from './random.js';

const slotsPerDay = 96;
/** The weather's random stream (the generator's are 2 and 3). */
const weatherStream = 1;

// The sun at Lugano and the panels.
const latitudeDeg = 46.0;
const longitudeDeg = 8.95;
const panelTiltDeg = 30;
const performanceRatio = 0.8;
/** Meinel's model: DNI = 1 353 W/m² × 0.7^(AM^0.678). */
const extraterrestrialWm2 = 1_353;
/** Diffuse irradiance as a share of the direct beam (clear sky). */
const diffuseShare = 0.1;
const stcIrradianceWm2 = 1_000;

// The weather, one draw per local day for the whole community.
const clearProbability = 0.4;
const overcastProbability = 0.25;
const clearFactor = [0.92, 1] as const;
const overcastFactor = [0.08, 0.25] as const;
const cloudyMean = 0.55;
/** AR(1) coefficient per slot of the partly cloudy factor, and its stationary deviation. */
const cloudyPersistence = 0.85;
const cloudySigma = 0.2;
const cloudyRange = [0.1, 1] as const;

const rad = Math.PI / 180;

/** Clear-sky PV power at `ts` on day of year `n` (1-based), kW per kWp. */
export function clearSkyKwPerKwp(ts: number, n: number): number {
  const declination = 23.44 * rad * Math.sin((2 * Math.PI * (284 + n)) / 365);
  const b = (2 * Math.PI * (n - 81)) / 364;
  const equationOfTimeMin = 9.87 * Math.sin(2 * b) - 7.53 * Math.cos(b) - 1.5 * Math.sin(b);
  const solarHours = (ts % 86_400) / 3_600 + longitudeDeg / 15 + equationOfTimeMin / 60;
  const hourAngle = 15 * rad * (solarHours - 12);
  const cosH = Math.cos(hourAngle);
  const sinD = Math.sin(declination);
  const cosD = Math.cos(declination);
  const lat = latitudeDeg * rad;
  const sinAltitude = Math.sin(lat) * sinD + Math.cos(lat) * cosD * cosH;
  if (sinAltitude <= 0) return 0;
  const airMass = 1 / Math.max(sinAltitude, 0.02);
  const directWm2 = extraterrestrialWm2 * 0.7 ** (airMass ** 0.678);
  // A south-facing panel tilted by β sees the sun as a horizontal one at latitude φ − β.
  const tilted = (latitudeDeg - panelTiltDeg) * rad;
  const cosIncidence = Math.sin(tilted) * sinD + Math.cos(tilted) * cosD * cosH;
  const diffuseWm2 = (diffuseShare * directWm2 * (1 + Math.cos(panelTiltDeg * rad))) / 2;
  const planeWm2 = directWm2 * Math.max(cosIncidence, 0) + diffuseWm2;
  return (performanceRatio * planeWm2) / stcIrradianceWm2;
}

/**
 * The community's weather factor per slot (0–1, multiplies clear-sky PV), from the slots' local
 * days and their index in the day: one draw per day, so a day's sky does not depend on the window.
 */
export function weather(seed: number, localDay: Int32Array, slotOfDay: Uint8Array): Float64Array {
  const factor = new Float64Array(localDay.length);
  const day = new Float64Array(slotsPerDay);
  let current = -1;
  for (let s = 0; s < factor.length; s++) {
    if (localDay[s] !== current) {
      current = localDay[s]!;
      const rng = new Rng(seedFrom(seed, weatherStream, current));
      const kind = rng.next();
      if (kind < clearProbability) day.fill(rng.uniform(...clearFactor));
      else if (kind >= 1 - overcastProbability) day.fill(rng.uniform(...overcastFactor));
      else {
        const step = cloudySigma * Math.sqrt(1 - cloudyPersistence ** 2);
        let x = cloudyMean + cloudySigma * rng.normal();
        for (let k = 0; k < slotsPerDay; k++) {
          x = cloudyMean + cloudyPersistence * (x - cloudyMean) + step * rng.normal();
          day[k] = Math.min(Math.max(x, cloudyRange[0]), cloudyRange[1]);
        }
      }
    }
    factor[s] = day[slotOfDay[s]!]!;
  }
  return factor;
}
