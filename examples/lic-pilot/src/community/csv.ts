/**
 * Real 15-minute meter data as CSV, in place of the generator. The format:
 *
 *     meter_id,ts_start,consumption_wh,production_wh
 *     house-01,2026-10-01T00:00:00Z,112,0
 *     house-01,1790813700,98,
 *
 * - The first line that is neither blank nor a `#` comment is the header, exactly these four
 *   columns in this order; then one row per meter and slot, in any order. No quoting (no field
 *   needs it); spaces around fields are ignored; lines may end in CRLF; a UTF-8 BOM is skipped.
 * - `meter_id`: 1–66 characters, a letter or digit then letters, digits, `.`, `_`, `:`, `-` (the
 *   market's rule). `kindergarten` is the kindergarten; every other id is a house. Meters keep the
 *   order of their first row; PV and battery sizes are unknown (0).
 * - `ts_start`: the slot's start, Unix seconds or ISO 8601 UTC (`2026-10-01T00:15:00Z`), on a
 *   15-minute boundary. The data start at the earliest slot and end with the latest, at most 93
 *   days (8 928 slots) in all.
 * - `consumption_wh`, `production_wh`: Wh imported from / exported to the grid in the slot,
 *   integers 0–100 000 (the market's default bound per measure); an empty production is 0.
 * - A (meter, slot) given twice is an error. A missing row is read as 0 Wh, and the pilot posts
 *   it as a 0 Wh measure (the chain keeps one measure per meter, slot and signal).
 * - At most 1 000 meters and 64 Mi characters (bytes, for ASCII).
 */
import { JouleError } from '@joule/consensus';
import { defaultMaxMeasureWh, maxMeterIdLength, maxPeriodSlots, meterIdPattern } from '@joule/market';
import type { CommunityData, CommunityMeter } from './types.js';

export const communityCsvHeader = 'meter_id,ts_start,consumption_wh,production_wh';
/** Slot length of the CSV format, seconds. */
export const csvSlotSeconds = 900;
/** Most meters in one CSV. */
export const maxCsvMeters = 1_000;
/** Most slots from the first to the last (93 days of 15 minutes). */
export const maxCsvSlots = maxPeriodSlots;
/** Longest CSV text, characters (64 MiB for ASCII). */
export const maxCsvChars = 64 * 1_024 * 1_024;
/** Largest energy of one row, Wh. */
export const maxCsvWh = defaultMaxMeasureWh;

/** Stable codes of refused community data; callers match on these, never on the message. */
export type CommunityDataErrorCode =
  | 'CSV_HEADER'
  | 'CSV_FIELD'
  | 'CSV_TIME'
  | 'CSV_DUPLICATE'
  | 'CSV_EMPTY'
  | 'CSV_TOO_LARGE';

/** Community data refused: names the source, the line (0: the whole file), the problem and the fix. */
export class CommunityDataError extends JouleError {
  declare readonly code: CommunityDataErrorCode;
  constructor(
    code: CommunityDataErrorCode,
    readonly source: string,
    readonly line: number,
    problem: string,
  ) {
    super(code, line > 0 ? `${source} line ${line}: ${problem}` : `${source}: ${problem}`, { source, line });
  }
}

function refuse(code: CommunityDataErrorCode, source: string, line: number, problem: string): never {
  throw new CommunityDataError(code, source, line, problem);
}

const isoTime = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(0+))?)?(?:Z|[+]00:?00)$/;
const unixTime = /^\d{1,12}$/;
const wholeNumber = /^\d{1,15}$/;

/** Unix seconds of a `ts_start` field, or `undefined` if it is neither form (or not a real date). */
function parseTime(field: string): number | undefined {
  if (unixTime.test(field)) return Number(field);
  const m = isoTime.exec(field);
  if (m === null) return undefined;
  const part = (i: number): number => Number(m[i] ?? 0);
  const ms = Date.UTC(part(1), part(2) - 1, part(3), part(4), part(5), part(6));
  const date = new Date(ms);
  const real =
    date.getUTCFullYear() === part(1) &&
    date.getUTCMonth() === part(2) - 1 &&
    date.getUTCDate() === part(3) &&
    date.getUTCHours() === part(4) &&
    date.getUTCMinutes() === part(5) &&
    date.getUTCSeconds() === part(6);
  return real && ms >= 0 ? ms / 1_000 : undefined;
}

/** `2026-10-01T00:15:00Z`. */
function formatTime(ts: number): string {
  return `${new Date(ts * 1_000).toISOString().slice(0, 19)}Z`;
}

/** Rows as read, in file order (plain arrays: a 64 MiB file has about two million). */
interface Rows {
  readonly meter: number[];
  readonly ts: number[];
  readonly consumption: number[];
  readonly production: number[];
  readonly line: number[];
}

/** One row's fields, checked. */
interface Row {
  readonly id: string;
  readonly ts: number;
  readonly consumption: number;
  readonly production: number;
}

function energy(field: string, name: string, source: string, line: number): number {
  const value = wholeNumber.test(field) ? Number(field) : Number.NaN;
  if (!(value <= maxCsvWh))
    refuse('CSV_FIELD', source, line, `${name} "${field}" is not a whole number of Wh from 0 to ${maxCsvWh}`);
  return value;
}

function parseRow(fields: readonly string[], source: string, line: number): Row {
  if (fields.length !== 4)
    refuse('CSV_FIELD', source, line, `${fields.length} fields, expected 4 (${communityCsvHeader})`);
  const [id, time, consumption, production] = fields as [string, string, string, string];
  if (!meterIdPattern.test(id) || id.length > maxMeterIdLength) {
    const rule = `1–${maxMeterIdLength} letters, digits, ".", "_", ":", "-" starting with a letter or digit`;
    refuse('CSV_FIELD', source, line, `meter_id "${id.slice(0, 80)}" is not ${rule}`);
  }
  const ts = parseTime(time);
  if (ts === undefined) {
    const expected = 'Unix seconds nor ISO 8601 UTC like 2026-10-01T00:15:00Z';
    refuse('CSV_TIME', source, line, `ts_start "${time}" is neither ${expected}`);
  }
  if (ts % csvSlotSeconds !== 0)
    refuse(
      'CSV_TIME',
      source,
      line,
      `ts_start "${time}" is not on a 15-minute boundary (:00, :15, :30, :45)`,
    );
  return {
    id,
    ts,
    consumption: energy(consumption, 'consumption_wh', source, line),
    production: production === '' ? 0 : energy(production, 'production_wh', source, line),
  };
}

/** Reads CSV meter data (format above); `source` names it in errors and in the result. */
export function parseCommunityCsv(text: string, source: string): CommunityData {
  if (text.length > maxCsvChars)
    refuse('CSV_TOO_LARGE', source, 0, `${text.length} characters, more than ${maxCsvChars}; split the file`);
  const ids: string[] = [];
  const index = new Map<string, number>();
  const rows: Rows = { meter: [], ts: [], consumption: [], production: [], line: [] };
  let header = false;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const trimmed = (i === 0 ? lines[i]!.replace(/^\uFEFF/, '') : lines[i]!).trim(); // trim() drops a CR
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fields = trimmed.split(',').map((f) => f.trim());
    if (!header) {
      if (fields.join(',').toLowerCase() !== communityCsvHeader) {
        const found = trimmed.slice(0, 80);
        refuse('CSV_HEADER', source, line, `expected the header "${communityCsvHeader}", found "${found}"`);
      }
      header = true;
      continue;
    }
    const row = parseRow(fields, source, line);
    let meter = index.get(row.id);
    if (meter === undefined) {
      if (ids.length === maxCsvMeters)
        refuse(
          'CSV_TOO_LARGE',
          source,
          line,
          `meter "${row.id}" is one more than the ${maxCsvMeters} allowed`,
        );
      meter = ids.length;
      ids.push(row.id);
      index.set(row.id, meter);
    }
    first = Math.min(first, row.ts);
    last = Math.max(last, row.ts);
    if ((last - first) / csvSlotSeconds + 1 > maxCsvSlots) {
      const span = `${formatTime(first)} to ${formatTime(last)}`;
      const problem = `slot ${formatTime(row.ts)} makes the data span ${span}, more than ${maxCsvSlots} slots (93 days)`;
      refuse('CSV_TOO_LARGE', source, line, `${problem}; split the file by month`);
    }
    rows.meter.push(meter);
    rows.ts.push(row.ts);
    rows.consumption.push(row.consumption);
    rows.production.push(row.production);
    rows.line.push(line);
  }
  if (!header) refuse('CSV_EMPTY', source, 0, `no header "${communityCsvHeader}" and no rows`);
  if (rows.meter.length === 0)
    refuse('CSV_EMPTY', source, 0, 'a header but no rows; add one row per meter and slot');
  return assemble(rows, ids, first, last, source);
}

/** The arrays from the rows; a (meter, slot) given twice is refused. */
function assemble(
  rows: Rows,
  ids: readonly string[],
  first: number,
  last: number,
  source: string,
): CommunityData {
  const slots = (last - first) / csvSlotSeconds + 1;
  const consumption = ids.map(() => new Uint32Array(slots));
  const production = ids.map(() => new Uint32Array(slots));
  const seen = new Uint8Array(ids.length * slots);
  for (let r = 0; r < rows.meter.length; r++) {
    const m = rows.meter[r]!;
    const s = (rows.ts[r]! - first) / csvSlotSeconds;
    if (seen[m * slots + s] === 1) {
      const earlier = rows.meter.findIndex((mm, rr) => mm === m && rows.ts[rr] === rows.ts[r]);
      throw new CommunityDataError(
        'CSV_DUPLICATE',
        source,
        rows.line[r]!,
        `meter "${ids[m]}" slot ${formatTime(rows.ts[r]!)} was already given on line ${rows.line[earlier]}; keep one row per meter and slot`,
      );
    }
    seen[m * slots + s] = 1;
    consumption[m]![s] = rows.consumption[r]!;
    production[m]![s] = rows.production[r]!;
  }
  const meters: CommunityMeter[] = ids.map((id) => ({
    id,
    kind: id === 'kindergarten' ? 'kindergarten' : 'house',
    pvKwp: 0,
    batteryKwh: 0,
  }));
  return { meters, tsStart: first, slotSeconds: csvSlotSeconds, slots, consumption, production, source };
}

/**
 * `data` in the CSV format, slot by slot, meters in order, ISO times; `parseCommunityCsv` reads
 * it back to the same ids, times and energies (PV and battery sizes are not written). Data with
 * no slots gives a header alone, which the parser refuses as CSV_EMPTY.
 */
export function formatCommunityCsv(data: CommunityData): string {
  if (data.slotSeconds !== csvSlotSeconds)
    throw new CommunityDataError(
      'CSV_TIME',
      data.source,
      0,
      `slots of ${data.slotSeconds} s; the CSV format has 900 s`,
    );
  const lines: string[] = [communityCsvHeader];
  for (let s = 0; s < data.slots; s++) {
    const time = formatTime(data.tsStart + s * csvSlotSeconds);
    data.meters.forEach((meter, m) => {
      lines.push(`${meter.id},${time},${data.consumption[m]![s]},${data.production[m]![s]}`);
    });
  }
  lines.push('');
  return lines.join('\n');
}
