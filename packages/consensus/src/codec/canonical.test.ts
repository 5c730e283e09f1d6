import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockCodec } from '../block/block.js';
import { commitCodec } from '../block/commit.js';
import { headerCodec } from '../block/header.js';
import { DecodeError, InvalidValueError } from '../errors.js';
import { arbBlock, arbCommit, arbHeader, arbProposal, arbVote } from '../testkit/arbitraries.js';
import { proposalCodec } from '../vote/proposal.js';
import { voteCodec } from '../vote/vote.js';
import { decode, decodeByReencoding, encode } from './canonical.js';
import { bigint, bytes, type Codec, int, list, string, struct, uint } from './schema.js';
import { packWire } from './wire.js';

const cases: [string, Codec<unknown>, fc.Arbitrary<unknown>][] = [
  ['Vote', voteCodec as Codec<unknown>, arbVote],
  ['Proposal', proposalCodec as Codec<unknown>, arbProposal],
  ['Header', headerCodec as Codec<unknown>, arbHeader],
  ['Commit', commitCodec as Codec<unknown>, arbCommit],
  ['Block', blockCodec as Codec<unknown>, arbBlock],
];

/** Decoding must either succeed or throw a DecodeError — nothing else. */
function decodeOrDecodeError(codec: Codec<unknown>, bytes: Uint8Array): 'ok' | 'refused' {
  try {
    decode(codec, bytes);
    return 'ok';
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    return 'refused';
  }
}

describe.each(cases)('%s codec', (_name, codec, arb) => {
  it('decode(encode(x)) equals x', () => {
    fc.assert(
      fc.property(arb, (value) => {
        expect(decode(codec, encode(codec, value))).toEqual(value);
      }),
    );
  });

  it('encode(decode(b)) equals b for canonical b', () => {
    fc.assert(
      fc.property(arb, (value) => {
        const b = encode(codec, value);
        expect(encode(codec, decode(codec, b))).toEqual(b);
      }),
    );
  });

  it('mutated bytes never crash the decoder, and any accepted mutation is canonical', () => {
    fc.assert(
      fc.property(
        arb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        (value, edits) => {
          const b = encode(codec, value).slice();
          for (const [at, byte] of edits) b[at % b.length] = byte;
          if (decodeOrDecodeError(codec, b) === 'ok') expect(encode(codec, decode(codec, b))).toEqual(b);
        },
      ),
    );
  });

  it('truncated and extended bytes are refused with a DecodeError', () => {
    fc.assert(
      fc.property(arb, fc.nat(), (value, cut) => {
        const b = encode(codec, value);
        expect(decodeOrDecodeError(codec, b.subarray(0, cut % b.length))).toBe('refused');
        expect(() => decode(codec, new Uint8Array([...b, 0]))).toThrow(DecodeError);
      }),
    );
  });
});

/** Offsets of the first byte of every msgpack value in canonical `bytes` (arrays, scalars, strings…). */
function valueOffsets(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const walk = (): void => {
    offsets.push(pos);
    const b = bytes[pos++] as number;
    const fixed: Record<number, number> = { 204: 1, 205: 2, 206: 4, 207: 8, 208: 1, 209: 2, 210: 4, 211: 8 };
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) return;
    if (fixed[b] !== undefined) pos += fixed[b];
    else if (b >= 0xa0 && b <= 0xbf) pos += b & 0x1f;
    else if (b === 0xc4 || b === 0xd9) pos += 1 + (bytes[pos] as number);
    else if (b === 0xc5 || b === 0xda) pos += 2 + view.getUint16(pos);
    else if (b === 0xc6 || b === 0xdb) pos += 4 + view.getUint32(pos);
    else {
      let count = 0;
      if (b >= 0x90 && b <= 0x9f) count = b & 0x0f;
      else if (b === 0xdc) {
        count = view.getUint16(pos);
        pos += 2;
      } else if (b === 0xdd) {
        count = view.getUint32(pos);
        pos += 4;
      } else throw new Error(`unexpected msgpack byte 0x${b.toString(16)} in a canonical encoding`);
      for (let i = 0; i < count; i++) walk();
    }
  };
  walk();
  return offsets;
}

/**
 * The value at `offset` rewritten in a longer form that msgpack readers decode to the same thing
 * (a wider integer or length, a signed form of a non-negative integer, uint64 for an int64), or
 * `undefined` when there is none. The result is never the canonical encoding.
 */
function widened(bytes: Uint8Array, offset: number, choice: number): Uint8Array | undefined {
  const b = bytes[offset] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = (...h: number[]) => {
    const be = (n: number, size: number) =>
      Array.from({ length: size }, (_, i) => Math.floor(n / 256 ** (size - 1 - i)) % 256);
    return { h, be };
  };
  const { be } = head();
  const splice = (skip: number, header: number[]) =>
    new Uint8Array([...bytes.subarray(0, offset), ...header, ...bytes.subarray(offset + skip)]);
  const int64 = (n: bigint, type: number) => {
    const out = new Uint8Array(9);
    out[0] = type;
    new DataView(out.buffer).setBigUint64(1, BigInt.asUintN(64, n));
    return [...out];
  };
  if (b <= 0x7f)
    return [splice(1, [0xcc, b]), splice(1, [0xd0, b]), splice(1, int64(BigInt(b), 0xd3))][choice % 3];
  if (b >= 0xe0) return [splice(1, [0xd0, b]), splice(1, int64(BigInt(b - 0x100), 0xd3))][choice % 2];
  if (b === 0xcc) return splice(2, [0xcd, 0, bytes[offset + 1] as number]);
  if (b === 0xcd) return splice(3, [0xce, 0, 0, ...bytes.subarray(offset + 1, offset + 3)]);
  if (b === 0xce) return splice(5, int64(BigInt(view.getUint32(offset + 1)), 0xd3));
  if (b === 0xd0) return splice(2, [0xd1, ...be(view.getInt8(offset + 1) & 0xffff, 2)]);
  if (b === 0xd3 && view.getBigInt64(offset + 1) >= 0n)
    return splice(9, [0xcf, ...bytes.subarray(offset + 1, offset + 9)]);
  if (b >= 0xa0 && b <= 0xbf) return splice(1, [0xd9, b & 0x1f]);
  if (b === 0xd9) return splice(2, [0xda, 0, bytes[offset + 1] as number]);
  if (b === 0xc4) return splice(2, [0xc5, 0, bytes[offset + 1] as number]);
  if (b === 0xc5) return splice(3, [0xc6, 0, 0, ...bytes.subarray(offset + 1, offset + 3)]);
  if (b >= 0x90 && b <= 0x9f) return splice(1, [0xdc, 0, b & 0x0f]);
  if (b === 0xdc) return splice(3, [0xdd, 0, 0, ...bytes.subarray(offset + 1, offset + 3)]);
  return undefined;
}

describe.each(cases)('%s codec, strictness of the one-walk decoder', (_name, codec, arb) => {
  it('refuses every value rewritten in a longer form, as the re-encoding decoder does', () => {
    fc.assert(
      fc.property(arb, fc.nat(), fc.nat(), (value, pick, choice) => {
        const b = encode(codec, value);
        const offsets = valueOffsets(b);
        const offset = offsets[pick % offsets.length] as number;
        const w = widened(b, offset, choice);
        if (w === undefined) return;
        const at = `value at ${offset} (0x${(b[offset] as number).toString(16)}) widened`;
        expect(() => decode(codec, w), at).toThrow(DecodeError);
        expect(() => decodeByReencoding(codec, w), `${at}, reference decoder`).toThrow(DecodeError);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts exactly what the re-encoding decoder accepts, with the same value', () => {
    fc.assert(
      fc.property(
        arb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        (value, edits) => {
          const b = encode(codec, value).slice();
          for (const [at, byte] of edits) b[at % b.length] = byte;
          const reference = decodeOrDecodeError(codec, b) === 'ok' ? 'ok' : 'refused';
          let byReencoding: 'ok' | 'refused' = 'refused';
          try {
            decodeByReencoding(codec, b);
            byReencoding = 'ok';
          } catch (error) {
            if (!(error instanceof DecodeError)) throw error;
          }
          expect(reference, 'one-walk decoder vs re-encoding decoder').toBe(byReencoding);
          if (reference === 'ok') expect(decode(codec, b)).toEqual(decodeByReencoding(codec, b));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('strings through the one-walk decoder', () => {
  const text = struct<{ s: string }>('Text', { s: string(300) });
  it('round-trips any Unicode string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        // Lone surrogates cannot be UTF-8: the encoder writes U+FFFD for them, so compare well-formed strings.
        fc.pre(Buffer.from(s, 'utf8').toString('utf8') === s);
        expect(decode(text, encode(text, { s }))).toEqual({ s });
      }),
    );
  });
  it('accepts string bytes exactly when the re-encoding decoder does', () => {
    const utf8 = fc
      .tuple(fc.boolean(), fc.string({ unit: 'binary', maxLength: 12 }))
      .map(([bom, s]) => new Uint8Array([...(bom ? [0xef, 0xbb, 0xbf] : []), ...Buffer.from(s, 'utf8')]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), utf8), (raw) => {
        const header = raw.length < 32 ? [0xa0 | raw.length] : [0xd9, raw.length];
        const bytes = new Uint8Array([0x91, ...header, ...raw]);
        let reference = 'refused';
        try {
          decodeByReencoding(text, bytes);
          reference = 'ok';
        } catch (error) {
          if (!(error instanceof DecodeError)) throw error;
        }
        const at = `string bytes ${Buffer.from(raw).toString('hex')}`;
        expect(decodeOrDecodeError(text as Codec<unknown>, bytes), at).toBe(reference);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the decoder's cache of short ASCII strings", () => {
  const names = list(string(64), 64);
  it('gives back equal strings however many share a slot, in any order, repeated', () => {
    // Far more distinct strings than slots: slots are taken over and hits are checked char by char.
    const ascii = fc.string({
      unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
      maxLength: 64,
    });
    fc.assert(
      fc.property(fc.array(ascii, { maxLength: 64 }), (strings) => {
        const bytes = encode(names, strings);
        expect(decode(names, bytes)).toEqual(strings);
        expect(decode(names, bytes)).toEqual(strings);
      }),
      { numRuns: 500 },
    );
    const similar = Array.from({ length: 64 }, (_, i) => `meter-${String(i).padStart(3, '0')}`);
    const again = Array.from({ length: 64 }, (_, i) => `meter-${String(63 - i).padStart(3, '0')}`);
    expect(decode(names, encode(names, similar))).toEqual(similar);
    expect(decode(names, encode(names, again))).toEqual(again);
    expect(decode(names, encode(names, ['a', 'b', 'é', 'a', '\u00e9t\u00e9']))).toEqual([
      'a',
      'b',
      'é',
      'a',
      'été',
    ]);
  });
});

describe('decoder on arbitrary bytes', () => {
  it('random bytes give a value or a DecodeError, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const [, codec] of cases) decodeOrDecodeError(codec, bytes);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('strict decoding, case by case', () => {
  const pair = struct<{ a: number; b: bigint }>('Pair', { a: int(0, 1000), b: bigint() });
  const good = encode(pair, { a: 7, b: 9n });
  const refusal = (bytes: Uint8Array, codec: Codec<unknown> = pair as Codec<unknown>) => {
    try {
      decode(codec, bytes);
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
      return (error as DecodeError).code;
    }
    throw new Error('expected a DecodeError');
  };

  it('encodes a struct as a fixed-order array with integers as msgpack integers', () => {
    expect(Buffer.from(good).toString('hex')).toBe('9207d30000000000000009');
  });
  it('refuses a missing field', () => expect(refusal(packWire([7]))).toBe('DECODE_LENGTH'));
  it('refuses an extra field', () => expect(refusal(packWire([7, 9n, 1]))).toBe('DECODE_LENGTH'));
  it('refuses a wrong type', () => expect(refusal(packWire(['7', 9n]))).toBe('DECODE_TYPE'));
  it('refuses an out-of-range integer', () => expect(refusal(packWire([1001, 9n]))).toBe('DECODE_RANGE'));
  it('refuses a negative where unsigned is required', () =>
    expect(refusal(packWire([7, -1n]))).toBe('DECODE_RANGE'));
  it('refuses a small integer written in a wide format', () => {
    expect(refusal(Buffer.from('92cd0007d30000000000000009', 'hex'))).toBe('DECODE_NON_CANONICAL');
  });
  it('refuses floats, maps and extension types', () => {
    expect(refusal(Buffer.from('92cb401c000000000000d30000000000000009', 'hex'))).toBe('DECODE_MALFORMED');
    expect(refusal(Buffer.from('81a16107', 'hex'))).toBe('DECODE_MALFORMED');
    expect(refusal(Buffer.from('d40100', 'hex'))).toBe('DECODE_MALFORMED');
  });
  it('refuses trailing bytes', () =>
    expect(refusal(new Uint8Array([...good, 0xc0]))).toBe('DECODE_MALFORMED'));
  it('refuses input over the size bound before parsing it', () => {
    expect(() => decode(pair, new Uint8Array(100), { maxBytes: 50 })).toThrow(
      expect.objectContaining({ code: 'DECODE_TOO_LARGE' }),
    );
  });
  it('refuses an array that claims more elements than there are bytes, without allocating', () => {
    expect(refusal(Buffer.from('ddffffffff01', 'hex'))).toBe('DECODE_MALFORMED');
    expect(refusal(Buffer.from('c6ffffffff01', 'hex'))).toBe('DECODE_MALFORMED');
  });
  it('refuses nesting deeper than the bound', () => {
    const deep = new Uint8Array(200).fill(0x91);
    expect(refusal(deep, list(uint(), 1) as Codec<unknown>)).toBe('DECODE_MALFORMED');
  });
  it('refuses a list longer than its bound', () => {
    expect(refusal(packWire([1, 2, 3]), list(uint(), 2) as Codec<unknown>)).toBe('DECODE_LENGTH');
  });
  it('refuses bytes that are not UTF-8 where a string is expected', () => {
    // 0xc0 0x80 is an overlong encoding of NUL: it does not re-encode to the same bytes.
    expect(
      refusal(
        Buffer.from('91a2c080', 'hex'),
        struct<{ s: string }>('S', { s: string(10) }) as Codec<unknown>,
      ),
    ).toMatch(/DECODE_NON_CANONICAL|DECODE_MALFORMED/);
  });
  it('encoders refuse invalid values with InvalidValueError naming the field', () => {
    expect(() => encode(pair, { a: 1.5, b: 1n })).toThrow(InvalidValueError);
    expect(() => encode(pair, { a: 1, b: -1n })).toThrow(/Pair\.b/);
  });
  it('errors name the field and element that failed, decoding and encoding', () => {
    const outer = struct<{ pairs: { a: number; b: bigint }[] }>('Outer', { pairs: list(pair, 5) });
    const bad = packWire([
      [
        [1, 2n],
        [2, 3n],
        [2000, 4n],
      ],
    ]);
    expect(() => decode(outer, bad)).toThrow(
      expect.objectContaining({
        code: 'DECODE_RANGE',
        context: expect.objectContaining({ path: 'Outer.pairs[2].a' }),
      }),
    );
    expect(() =>
      encode(outer, {
        pairs: [
          { a: 1, b: 1n },
          { a: 1, b: -1n },
        ],
      }),
    ).toThrow(/Outer\.pairs\[1\]\.b/);
  });
  it('decoded byte strings, short or long, never share memory with the input', () => {
    const blobs = struct<{ short: Uint8Array; long: Uint8Array }>('Blobs', {
      short: bytes({ max: 64 }),
      long: bytes({ max: 1000 }),
    });
    const input = encode(blobs, { short: new Uint8Array(20).fill(1), long: new Uint8Array(500).fill(2) });
    const value = decode(blobs, input);
    input.fill(0xff);
    expect(value.short, 'short copy').toEqual(new Uint8Array(20).fill(1));
    expect(value.long, 'long copy').toEqual(new Uint8Array(500).fill(2));
  });
  it('int() is signed, uint() is not; both write the same bytes for a non-negative value', () => {
    expect(decode(int(), encode(int(), -5))).toBe(-5);
    expect(refusal(encode(int(), -5), uint() as Codec<unknown>)).toBe('DECODE_RANGE');
    expect(() => encode(uint(), -1)).toThrow(/\[0, /);
    // msgpack's size classes: fixint, u8, u16, 64 bits (a bigint beyond 32 bits).
    const values = [0, 127, 128, 65_535, 2 ** 32, 2 ** 40];
    const expected = '96007fcc80cdffffd30000000100000000d30000010000000000';
    expect(Buffer.from(encode(list(uint(), 6), values)).toString('hex')).toBe(expected);
    expect(Buffer.from(encode(list(int(), 6), values)).toString('hex')).toBe(expected);
    expect(Buffer.from(encode(uint(10), 10)).toString('hex')).toBe('0a');
    expect(refusal(encode(uint(), 11), uint(10) as Codec<unknown>)).toBe('DECODE_RANGE');
  });
  it('reads every integer form at its edges as the re-encoding decoder does', () => {
    const edges = [
      0,
      1,
      127,
      128,
      255,
      256,
      65_535,
      65_536,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      -1,
      -32,
      -33,
      -128,
      -129,
      -32_768,
      -32_769,
      -(2 ** 31),
      2 ** 32,
      -(2 ** 31) - 1,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ];
    const codec = list(int(), edges.length);
    const bytes = encode(codec, edges);
    expect(decode(codec, bytes)).toEqual(edges);
    expect(decode(codec, bytes)).toEqual(decodeByReencoding(codec, bytes));
    for (const n of edges) expect(decode(int(), encode(int(), n)), String(n)).toBe(n);
  });
  it('reads 64-bit integers of both signs at their edges, inside a list, as the re-encoding decoder does', () => {
    const edges = [
      -(2n ** 63n),
      -(2n ** 63n) + 1n,
      -(2n ** 32n) - 1n,
      -(2n ** 31n) - 1n,
      -1n,
      0n,
      2n ** 32n,
      2n ** 53n + 1n,
      2n ** 63n - 1n,
      2n ** 63n,
      2n ** 64n - 2n,
      2n ** 64n - 1n,
      0x0123456789abcdefn,
      0xfedcba9876543210n,
    ];
    const codec = list(bigint(-(2n ** 63n)), edges.length);
    const bytes = encode(codec, edges);
    expect(decode(codec, bytes)).toEqual(edges);
    expect(decode(codec, bytes)).toEqual(decodeByReencoding(codec, bytes));
    for (const n of edges)
      expect(decode(bigint(-(2n ** 63n)), encode(bigint(-(2n ** 63n)), n)), String(n)).toBe(n);
  });
  it('keeps heights beyond 32 bits as msgpack integers', () => {
    const h = uint();
    expect(Buffer.from(encode(h, 2 ** 40)).toString('hex')).toBe('d30000010000000000');
    expect(decode(h, encode(h, Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });
});
