// UTC times as text without a `Date`. V8 answers `new Date(ms)`, `toISOString()` and `toUTCString()`
// through ICU's time-zone code even for UTC: the first `Date` a process makes maps ~0.45 MB of ICU's
// zone data and code from the Node binary, the first of those two strings another ~0.45 MB (its
// zone display names), and the pages stay resident. A node writes a time in every log line, in
// every HTTP answer's `Date` header and in `/status`: computed here from the epoch milliseconds,
// same text, those pages are never touched (packages/node/README.md, "Time zones are never
// loaded").

/** The last millisecond of year 9999: above it, and below 1970, `Date` formats the text. */
const lastFourDigitYearMs = 253_402_300_799_999;
const msPerDay = 86_400_000;
const weekdays = ['Thu', 'Fri', 'Sat', 'Sun', 'Mon', 'Tue', 'Wed'] as const;
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Civil {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  readonly day: number;
  /** Days since 1970-01-01. */
  readonly days: number;
  /** Milliseconds into the day. */
  readonly msOfDay: number;
}

/** The proleptic Gregorian date of `ms` (an integer ≥ 0), by the days-to-civil algorithm. */
function civil(ms: number): Civil {
  const days = Math.floor(ms / msPerDay);
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day, days, msOfDay: ms - days * msPerDay };
}

function inRange(ms: number): boolean {
  return Number.isInteger(ms) && ms >= 0 && ms <= lastFourDigitYearMs;
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
const three = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));
const four = (n: number): string => String(n).padStart(4, '0');

function clock(msOfDay: number): string {
  const s = Math.floor(msOfDay / 1000);
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

/** `new Date(ms).toISOString()`: `2026-03-01T12:00:00.000Z` (throws the same RangeError for NaN). */
export function isoTime(ms: number): string {
  if (!inRange(ms)) return new Date(ms).toISOString();
  const c = civil(ms);
  return `${four(c.year)}-${two(c.month)}-${two(c.day)}T${clock(c.msOfDay)}.${three(c.msOfDay % 1000)}Z`;
}

/** `new Date(ms).toUTCString()`, HTTP's date format: `Sun, 01 Mar 2026 12:00:00 GMT`. */
export function httpDate(ms: number): string {
  if (!inRange(ms)) return new Date(ms).toUTCString();
  const c = civil(ms);
  return `${weekdays[c.days % 7]}, ${two(c.day)} ${months[c.month - 1]} ${four(c.year)} ${clock(c.msOfDay)} GMT`;
}
