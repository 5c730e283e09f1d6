/**
 * Display formatting for the report page: escaping and numbers for people. Money stays a bigint
 * until it is a string, so a month's totals never pass through a float; thousands are grouped with
 * commas and negatives carry a real minus sign (−).
 */

const minus = '\u2212';

/** Text safe inside HTML/SVG elements and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** uECT (a decimal string or bigint) as ECT with `decimals` (≤ 6) decimals, halves away from zero. */
export function formatEct(uect: string | bigint, decimals = 2): string {
  const n = typeof uect === 'bigint' ? uect : BigInt(uect);
  const unit = 10n ** BigInt(6 - decimals);
  const abs = n < 0n ? -n : n;
  const q = (abs + unit / 2n) / unit;
  const scale = 10n ** BigInt(decimals);
  const whole = group((q / scale).toString());
  const frac = decimals === 0 ? '' : `.${(q % scale).toString().padStart(decimals, '0')}`;
  return `${n < 0n && q !== 0n ? minus : ''}${whole}${frac}`;
}

/** uECT as an ECT number, for plotting only. */
export function ectValue(uect: string | bigint): number {
  return Number(typeof uect === 'bigint' ? uect : BigInt(uect)) / 1e6;
}

/** A number with `decimals` decimals, grouped thousands and a real minus sign. */
export function formatNumber(x: number, decimals = 0): string {
  if (!Number.isFinite(x)) return '—';
  const fixed = Math.abs(x).toFixed(decimals);
  const [whole = '0', frac] = fixed.split('.');
  const negative = x < 0 && Number(fixed) !== 0;
  return `${negative ? minus : ''}${group(whole)}${frac === undefined ? '' : `.${frac}`}`;
}

/** Wh as kWh with one decimal (by default). */
export function formatKwh(wh: number, decimals = 1): string {
  return formatNumber(wh / 1000, decimals);
}

/** A ratio (0.42) as a percentage ("42.0 %"). */
export function formatPercent(ratio: number, decimals = 1): string {
  return `${formatNumber(ratio * 100, decimals)}\u00a0%`;
}

/** A uECT/kWh price (or uECT/kWh² beta) as an exact ECT amount: at least 2 decimals, more when needed. */
export function formatPrice(uect: string | bigint): string {
  const exact = formatEct(uect, 6);
  return exact.replace(/(\.\d\d\d*?)0+$/, '$1');
}

/** Unix seconds as `2026-05-01 00:00 UTC`. */
export function formatUtc(ts: number): string {
  return `${new Date(ts * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Seconds as `7 min 12 s`, `1 h 03 min` or `42.0 s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${formatNumber(seconds, 1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
