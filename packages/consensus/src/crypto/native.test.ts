import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkedLatin1Slice, latin1, shortLatin1Bytes } from './native.js';

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

describe('latin1 at the short-run boundary', () => {
  it('gives the same string on both sides of shortLatin1Bytes, for views at an offset, every byte value', () => {
    const all = Uint8Array.from({ length: 512 }, (_, i) => (i * 97 + 0x80) & 0xff);
    for (let n = 0; n <= shortLatin1Bytes + 9; n++)
      for (const offset of [0, 3, 255]) {
        const view = all.subarray(offset, offset + n);
        expect(latin1(view)).toBe(charCodes(view));
        expect(latin1(all, offset, offset + n)).toBe(charCodes(view));
      }
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let i = 0; i + shortLatin1Bytes <= 256; i += shortLatin1Bytes)
      expect(latin1(every, i, i + shortLatin1Bytes)).toBe(charCodes(every.subarray(i, i + shortLatin1Bytes)));
  });
});

describe('checkedLatin1Slice', () => {
  it("takes Node's latin1Slice", () => {
    expect(checkedLatin1Slice(Buffer.prototype.latin1Slice)).toBe(Buffer.prototype.latin1Slice);
  });

  it('refuses anything else, so latin1 keeps the portable path', () => {
    // A polyfill's (string, offset, length), a slice that ignores the view's offset, a throw.
    const polyfill = function (this: Uint8Array, _s: string, o: number, l: number) {
      return String.fromCharCode(...this.subarray(o, o + l));
    };
    const ignoresOffset = function (this: Uint8Array, start: number, end: number) {
      return String.fromCharCode(...new Uint8Array(this.buffer).subarray(start, end));
    };
    for (const slice of [
      undefined,
      'latin1',
      polyfill,
      ignoresOffset,
      () => {
        throw new TypeError('not a Buffer');
      },
    ])
      expect(checkedLatin1Slice(slice)).toBeUndefined();
  });
});
