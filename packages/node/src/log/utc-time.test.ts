import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { httpDate, isoTime } from './utc-time.js';

const maxDateMs = 8.64e15;

describe('isoTime and httpDate', () => {
  it('write the epoch, leap days, the turn of centuries and the last four-digit year as Date does', () => {
    for (const text of [
      '1970-01-01T00:00:00.000Z',
      '1999-12-31T23:59:59.999Z',
      '2000-02-29T12:34:56.789Z',
      '2024-02-29T00:00:00.001Z',
      '2100-03-01T00:00:00.000Z',
      '2026-12-07T11:26:14.383Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      const ms = Date.parse(text);
      expect(isoTime(ms)).toBe(text);
      expect(httpDate(ms)).toBe(new Date(ms).toUTCString());
    }
    expect(httpDate(0)).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
  });

  it("match Date's toISOString and toUTCString at any millisecond Date can hold", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 253_402_300_799_999 }),
          fc.integer({ min: -maxDateMs, max: maxDateMs }),
          fc.double({ min: -1e14, max: 1e14, noNaN: true }),
        ),
        (ms) => {
          expect(isoTime(ms)).toBe(new Date(ms).toISOString());
          expect(httpDate(ms)).toBe(new Date(ms).toUTCString());
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('throw for a time Date cannot hold, as toISOString does', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(maxDateMs + 1)).toThrow(RangeError);
    expect(httpDate(Number.NaN)).toBe('Invalid Date');
  });
});
