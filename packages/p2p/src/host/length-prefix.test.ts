import { InvalidDataLengthLengthError, LengthPrefixedDecoder, lpStream, streamPair } from '@libp2p/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lengthPrefixWithoutNewErrors, varintLength } from './length-prefix.js';

/** An unsigned LEB128 varint, as libp2p's `uint8-varint` writes it. */
function varint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** The same bytes as a list of chunks, read by `get` as `Uint8ArrayList` is. */
function list(bytes: Uint8Array) {
  return { byteLength: bytes.length, get: (i: number) => bytes[i] as number };
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('varintLength', () => {
  it('reads every length a varint of up to 8 bytes holds, from bytes or a list', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 53 - 1 }), (value) => {
        const bytes = varint(value);
        if (bytes.length > 8) return;
        expect(varintLength(bytes)).toBe(value);
        expect(varintLength(list(bytes))).toBe(value);
      }),
      { numRuns: 500 },
    );
    for (const value of [0, 127, 128, 16_383, 16_384, 4 * 1024 * 1024])
      expect(varintLength(varint(value))).toBe(value);
  });

  it('throws one RangeError, the same each time, for a prefix not ended yet', () => {
    const first = caught(() => varintLength(Uint8Array.of(0x96)));
    expect(first).toBeInstanceOf(RangeError);
    expect(caught(() => varintLength(list(Uint8Array.of(0x96, 0x81))))).toBe(first);
    expect(caught(() => varintLength(new Uint8Array(0)))).toBe(first);
    expect(caught(() => varintLength(new Uint8Array(7).fill(0x80)))).toBe(first);
  });

  it('rejects a prefix of 8 bytes that has not ended (no length is that long): not a RangeError', () => {
    for (const bytes of [new Uint8Array(8).fill(0x80), new Uint8Array(9).fill(0xff)]) {
      expect(caught(() => varintLength(bytes))).toBeInstanceOf(InvalidDataLengthLengthError);
      expect(caught(() => varintLength(list(bytes)))).toBeInstanceOf(InvalidDataLengthLengthError);
    }
  });

  it("a gossip reader gives up on a peer's endless prefix after a few bytes, not at the stream's end", async () => {
    // lpStream reads a prefix a byte at a time and keeps every byte while its decoder throws a
    // RangeError: a peer sending 0x80 for ever grew the reader's heap ~110 bytes a byte, unpunished.
    const [outbound, inbound] = await streamPair();
    const lp = lpStream(inbound, { maxDataLength: 1 << 20, lengthDecoder: varintLength });
    const read = lp.read().then(
      () => undefined,
      (error: unknown) => error,
    );
    outbound.send(new Uint8Array(4096).fill(0x80));
    await outbound.close();
    expect(await read).toBeInstanceOf(InvalidDataLengthLengthError);
  });
});

describe('lengthPrefixWithoutNewErrors', () => {
  it('a decoder yields the same frames, split anywhere, and throws no new error on an empty rest', () => {
    lengthPrefixWithoutNewErrors();
    lengthPrefixWithoutNewErrors();
    let calls = 0;
    const uint16 = (data: { byteLength: number; get(i: number): number } | Uint8Array): number => {
      calls++;
      if (data.byteLength < 2) throw new RangeError('Could not decode int16BE');
      return data instanceof Uint8Array
        ? (data[0] as number) * 256 + (data[1] as number)
        : data.get(0) * 256 + data.get(1);
    };
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 8 }),
        (frames, cuts) => {
          const wire = Buffer.concat(
            frames.map((f) => Buffer.concat([Buffer.from([f.length >> 8, f.length & 0xff]), f])),
          );
          const decoder = new LengthPrefixedDecoder({ lengthDecoder: uint16, encodingLength: () => 2 });
          const got: string[] = [];
          let at = 0;
          for (let i = 0; at < wire.length; i++) {
            const end = Math.min(wire.length, at + (cuts[i % cuts.length] as number));
            for (const frame of decoder.decode(wire.subarray(at, end)))
              got.push(Buffer.from((frame as { subarray(): Uint8Array }).subarray()).toString('hex'));
            at = end;
          }
          expect(got).toEqual(frames.map((f) => Buffer.from(f).toString('hex')));
        },
      ),
      { numRuns: 200 },
    );
    // A chunk of whole frames: the decoder's own decoder runs once a frame, not once more on the empty rest.
    const decoder = new LengthPrefixedDecoder({ lengthDecoder: uint16, encodingLength: () => 2 });
    calls = 0;
    expect([...decoder.decode(Uint8Array.of(0, 1, 7, 0, 2, 8, 9))].length).toBe(2);
    expect(calls).toBe(2);
  });
});
