import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { latin1 } from './native.js';

/** The string `String.fromCharCode` makes of each byte: what `latin1` must give. */
const charCodes = (bytes: Uint8Array): string => Array.from(bytes, (b) => String.fromCharCode(b)).join('');

describe('latin1', () => {
  it('is the one-char-per-byte string of an array, of a view and of a range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        expect(latin1(bytes)).toBe(charCodes(bytes));
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        expect(latin1(bytes, start, end)).toBe(charCodes(bytes.subarray(start, end)));
        const view = bytes.subarray(start, end);
        expect(latin1(view)).toBe(charCodes(view));
      }),
      { numRuns: 200 },
    );
  });

  it('reads small arrays held on the heap and large ones in buffers alike, without changing them', () => {
    for (const n of [0, 1, 31, 32, 64, 65, 1024, 5000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 0xff);
      const before = Array.from(bytes);
      expect(latin1(bytes)).toBe(charCodes(bytes));
      expect(Array.from(bytes)).toEqual(before);
    }
  });
});
