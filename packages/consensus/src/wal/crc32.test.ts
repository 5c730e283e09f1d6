import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

describe('crc32', () => {
  it('gives the check value of CRC-32/ISO-HDLC and 0 for no bytes', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new Uint8Array(0), 0x12345678)).toBe(0x12345678);
  });

  it("matches zlib's crc32 on any bytes, from any previous CRC, at any offset of a view", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(7),
        fc.integer({ min: 0, max: 0xffffffff }),
        (bytes, offset, previous) => {
          const view = bytes.subarray(Math.min(offset, bytes.length));
          expect(crc32(view)).toBe(zlibCrc32(view));
          expect(crc32(view, previous)).toBe(zlibCrc32(view, previous));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('continues a CRC over split input as over the whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const whole = new Uint8Array(a.length + b.length);
        whole.set(a);
        whole.set(b, a.length);
        expect(crc32(b, crc32(a))).toBe(crc32(whole));
      }),
    );
  });
});
