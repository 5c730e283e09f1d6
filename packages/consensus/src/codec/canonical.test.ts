import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockCodec } from '../block/block.js';
import { commitCodec } from '../block/commit.js';
import { headerCodec } from '../block/header.js';
import { DecodeError, InvalidValueError } from '../errors.js';
import { arbBlock, arbCommit, arbHeader, arbProposal, arbVote } from '../testing/arbitraries.js';
import { proposalCodec } from '../vote/proposal.js';
import { voteCodec } from '../vote/vote.js';
import { decode, encode } from './canonical.js';
import { bigint, type Codec, int, list, string, struct } from './schema.js';
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
    expect(refusal(deep, list(int(), 1) as Codec<unknown>)).toBe('DECODE_MALFORMED');
  });
  it('refuses a list longer than its bound', () => {
    expect(refusal(packWire([1, 2, 3]), list(int(), 2) as Codec<unknown>)).toBe('DECODE_LENGTH');
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
  it('keeps heights beyond 32 bits as msgpack integers', () => {
    const h = int();
    expect(Buffer.from(encode(h, 2 ** 40)).toString('hex')).toBe('d30000010000000000');
    expect(decode(h, encode(h, Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });
});
