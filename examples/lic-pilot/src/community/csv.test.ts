import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommunityDataError, formatCommunityCsv, maxCsvChars, parseCommunityCsv } from './csv.js';
import { generateCommunity } from './generator.js';
import type { CommunityData } from './types.js';

const header = 'meter_id,ts_start,consumption_wh,production_wh';
const oct1 = Date.parse('2026-10-01T00:00:00Z') / 1_000;

/** The error `text` raises, checked to be a CommunityDataError. */
function refusal(text: string): CommunityDataError {
  try {
    parseCommunityCsv(text, 'data.csv');
  } catch (e) {
    expect(e).toBeInstanceOf(CommunityDataError);
    return e as CommunityDataError;
  }
  throw new Error(`accepted: ${text.slice(0, 200)}`);
}

function expectSame(parsed: CommunityData, data: CommunityData): void {
  expect(
    parsed.meters.map((m) => m.id),
    'ids',
  ).toEqual(data.meters.map((m) => m.id));
  expect(
    parsed.meters.map((m) => m.kind),
    'kinds',
  ).toEqual(data.meters.map((m) => (m.id === 'kindergarten' ? 'kindergarten' : 'house')));
  expect([parsed.tsStart, parsed.slotSeconds, parsed.slots], 'times').toEqual([
    data.tsStart,
    900,
    data.slots,
  ]);
  expect(parsed.consumption, 'consumption').toEqual(data.consumption);
  expect(parsed.production, 'production').toEqual(data.production);
}

const communityArb = fc
  .record({
    ids: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,65}$/), {
      minLength: 1,
      maxLength: 5,
    }),
    slot: fc.integer({ min: 0, max: 4_000_000 }),
    slots: fc.integer({ min: 1, max: 12 }),
  })
  .chain(({ ids, slot, slots }) => {
    const values = fc.array(
      fc
        .array(fc.integer({ min: 0, max: 100_000 }), { minLength: slots, maxLength: slots })
        .map((a) => Uint32Array.from(a)),
      { minLength: ids.length, maxLength: ids.length },
    );
    return fc.record({ consumption: values, production: values }).map(
      ({ consumption, production }): CommunityData => ({
        meters: ids.map((id) => ({ id, kind: 'house', pvKwp: 0, batteryKwh: 0 })),
        tsStart: slot * 900,
        slotSeconds: 900,
        slots,
        consumption,
        production,
        source: 'arbitrary',
      }),
    );
  });

describe('formatCommunityCsv and parseCommunityCsv', () => {
  it('round-trip any data', () => {
    fc.assert(
      fc.property(communityArb, (data) => {
        expectSame(parseCommunityCsv(formatCommunityCsv(data), 'x.csv'), data);
      }),
    );
  });

  it('round-trip a generated day, and rows in any order', () => {
    const data = generateCommunity({ seed: 7, tsStart: oct1, days: 1 });
    const text = formatCommunityCsv(data);
    expect(text.split('\n').slice(0, 2)).toEqual([
      header,
      `house-01,2026-10-01T00:00:00Z,${data.consumption[0]![0]},0`,
    ]);
    const parsed = parseCommunityCsv(text, 'day.csv');
    expectSame(parsed, data);
    expect(parsed.source).toBe('day.csv');
    expect(parsed.meters.at(-1)).toEqual({
      id: 'kindergarten',
      kind: 'kindergarten',
      pvKwp: 0,
      batteryKwh: 0,
    });
    // Meter by meter, latest slot first: the same data.
    const rows = text.trimEnd().split('\n').slice(1);
    const byMeter = data.meters.flatMap((m) => rows.filter((r) => r.startsWith(`${m.id},`)).reverse());
    expectSame(parseCommunityCsv([header, ...byMeter].join('\n'), 'by-meter.csv'), data);
  });

  it('refuses to write slots other than 15 minutes', () => {
    const data = generateCommunity({ seed: 1, tsStart: oct1, days: 1 });
    expect(() => formatCommunityCsv({ ...data, slotSeconds: 300 })).toThrow(CommunityDataError);
  });
});

describe('parseCommunityCsv', () => {
  it('reads Unix seconds and ISO times, CRLF, comments, blank lines, a BOM and empty production', () => {
    const text = [
      '\uFEFF# exported from the DSO portal',
      '',
      ` ${header} `,
      `house-02,${oct1 + 900},10,5`,
      '# a comment between rows',
      'house-01 , 2026-10-01T00:00:00Z , 7 ,',
      '',
      'house-02,2026-10-01T00:00:00.000+00:00,3,4',
      `kindergarten,2026-10-01 00:45:00Z,100000,0`,
      '',
    ].join('\r\n');
    const data = parseCommunityCsv(text, 'data.csv');
    expect(data.meters.map((m) => [m.id, m.kind])).toEqual([
      ['house-02', 'house'],
      ['house-01', 'house'],
      ['kindergarten', 'kindergarten'],
    ]);
    expect([data.tsStart, data.slots]).toEqual([oct1, 4]);
    // Missing rows are 0 Wh readings.
    expect(data.consumption.map((c) => [...c])).toEqual([
      [3, 10, 0, 0],
      [7, 0, 0, 0],
      [0, 0, 0, 100_000],
    ]);
    expect(data.production.map((p) => [...p])).toEqual([
      [4, 5, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  const at = (line: string): string => `# comment\n${header}\nhouse-01,${oct1},1,2\n${line}\n`;
  const cases: [string, string, string, number, string][] = [
    ['wrong header', 'meter,ts,c,p\nhouse-01,0,1,2\n', 'CSV_HEADER', 1, 'expected the header'],
    [
      'header after comments',
      '# x\n\nmeter_id,ts_start,consumption_wh\n',
      'CSV_HEADER',
      3,
      'found "meter_id',
    ],
    ['3 fields', at('house-02,0,1'), 'CSV_FIELD', 4, '3 fields, expected 4'],
    ['5 fields', at('house-02,0,1,2,3'), 'CSV_FIELD', 4, '5 fields'],
    ['bad id', at(`house 02,${oct1},1,2`), 'CSV_FIELD', 4, 'meter_id "house 02"'],
    ['long id', at(`${'a'.repeat(67)},${oct1},1,2`), 'CSV_FIELD', 4, 'meter_id'],
    ['empty id', at(`,${oct1},1,2`), 'CSV_FIELD', 4, 'meter_id ""'],
    ['negative', at(`house-02,${oct1},-5,0`), 'CSV_FIELD', 4, 'consumption_wh "-5" is not a whole number'],
    ['decimal', at(`house-02,${oct1},0,1.5`), 'CSV_FIELD', 4, 'production_wh "1.5"'],
    ['too much', at(`house-02,${oct1},100001,0`), 'CSV_FIELD', 4, 'from 0 to 100000'],
    ['empty consumption', at(`house-02,${oct1},,0`), 'CSV_FIELD', 4, 'consumption_wh ""'],
    ['no time', at('house-02,yesterday,1,2'), 'CSV_TIME', 4, 'neither Unix seconds nor ISO 8601 UTC'],
    ['local time', at('house-02,2026-10-01T00:15:00,1,2'), 'CSV_TIME', 4, 'neither'],
    ['not a date', at('house-02,2026-02-30T00:15:00Z,1,2'), 'CSV_TIME', 4, 'neither'],
    [
      'off boundary',
      at('house-02,2026-10-01T00:10:00Z,1,2'),
      'CSV_TIME',
      4,
      'data.csv line 4: ts_start "2026-10-01T00:10:00Z" is not on a 15-minute boundary',
    ],
    ['off boundary, Unix', at(`house-02,${oct1 + 1},1,2`), 'CSV_TIME', 4, 'not on a 15-minute boundary'],
    ['duplicate', at('house-01,2026-10-01T00:00:00Z,1,2'), 'CSV_DUPLICATE', 4, 'already given on line 3'],
    ['empty', '', 'CSV_EMPTY', 0, 'data.csv: no header'],
    ['comments only', '# nothing\r\n\r\n', 'CSV_EMPTY', 0, 'no header'],
    ['header only', `${header}\n# no rows\n`, 'CSV_EMPTY', 0, 'a header but no rows'],
    ['over 93 days', at(`house-01,${oct1 + 8_928 * 900},1,2`), 'CSV_TOO_LARGE', 4, 'more than 8928 slots'],
  ];
  for (const [name, text, code, line, message] of cases) {
    it(`refuses ${name}: ${code} on line ${line}`, () => {
      const error = refusal(text);
      expect(error.code, error.message).toBe(code);
      expect(error.line, error.message).toBe(line);
      expect(error.message).toContain(message);
      expect(error.toJSON()).toMatchObject({
        name: 'CommunityDataError',
        code,
        context: { source: 'data.csv', line },
      });
    });
  }

  it('accepts exactly 93 days and 1 000 meters, not more', () => {
    expect(parseCommunityCsv(at(`house-01,${oct1 + 8_927 * 900},1,2`), 'data.csv').slots).toBe(8_928);
    const rows = Array.from({ length: 1_001 }, (_, i) => `m${i},${oct1},1,0`);
    const thousand = `${header}\n${rows.slice(0, 1_000).join('\n')}\n`;
    expect(parseCommunityCsv(thousand, 'data.csv').meters.length).toBe(1_000);
    const error = refusal(`${header}\n${rows.join('\n')}\n`);
    expect([error.code, error.line]).toEqual(['CSV_TOO_LARGE', 1_002]);
    expect(error.message).toContain('one more than the 1000 allowed');
  });

  it('refuses a text over 64 MiB before reading it', () => {
    const error = refusal(header + ' '.repeat(maxCsvChars));
    expect([error.code, error.line]).toEqual(['CSV_TOO_LARGE', 0]);
  });
});
