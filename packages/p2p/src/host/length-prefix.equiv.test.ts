import { InvalidDataLengthLengthError, LengthPrefixedDecoder } from '@libp2p/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { varintLength } from './length-prefix.js';

/** A list of chunks as libp2p's readers hand it to a length decoder. */
interface Chunks {
  readonly byteLength: number;
  get(index: number): number;
}
// libp2p's own decoder (`uint8-varint`'s `decode`) and chunk list (`Uint8ArrayList`), as a
// `LengthPrefixedDecoder` holds them by default: neither package is a dependency of this one.
const plain = new LengthPrefixedDecoder() as unknown as {
  lengthDecoder: (data: Uint8Array | Chunks) => number;
  buffer: { constructor: new (...chunks: Uint8Array[]) => Chunks };
};
const varintDecode = plain.lengthDecoder;
const ChunkList = plain.buffer.constructor;

/** What a decoder made of the bytes: a length, "more" (a RangeError), or "reject" (any other error). */
function outcome(decode: (data: Uint8Array | Chunks) => number, data: Uint8Array | Chunks) {
  try {
    return decode(data);
  } catch (error) {
    if (error instanceof RangeError) return 'more';
    if (error instanceof InvalidDataLengthLengthError) return 'reject';
    throw error;
  }
}

describe('varintLength against uint8-varint', () => {
  it('reads any bytes as uint8-varint does, but rejects 8 bytes that have not ended a prefix', () => {
    const arbByte = fc.oneof(fc.integer({ min: 0x80, max: 0xff }), fc.integer({ min: 0, max: 0xff }));
    fc.assert(
      fc.property(fc.array(arbByte, { maxLength: 11 }), fc.nat(11), (bytes, cut) => {
        const data = Uint8Array.from(bytes);
        const split = Math.min(cut, data.length);
        const list = new ChunkList(data.subarray(0, split), data.subarray(split));
        const theirs = outcome(varintDecode, data);
        const first8 = data.subarray(0, 8);
        const endless = first8.length === 8 && first8.every((b) => b >= 0x80);
        const expected = endless ? 'reject' : theirs;
        expect(outcome(varintLength, data)).toBe(expected);
        expect(outcome(varintLength, list)).toBe(expected);
        expect(outcome(varintDecode, list)).toBe(theirs);
      }),
      { numRuns: 5000 },
    );
  });
});
