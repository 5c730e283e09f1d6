import { DecodeError, decode, encode, list, nullable, toHex, uint } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { maxMeasureWhLimit } from '../constants.js';
import {
  configCodec,
  keyPrefix,
  measureGroupCodec,
  periodCodec,
  receiptCodec,
  slotTotalsCodec,
} from './records.js';

const a = new Uint8Array(20).fill(7);

/**
 * The stored records' bytes, written down when their unsigned fields were `int()` (then unsigned by
 * default) and kept since they are `uint()`: the state of a running chain decodes the same and
 * hashes the same. Values cross msgpack's size classes (fixint, u8, u16, u32, 64 bits).
 */
describe('market records keep their encoding', () => {
  it('config, period, receipt and slot totals encode byte for byte as before', () => {
    const config = {
      admin: a,
      pendingAdmin: null,
      denom: 'uect',
      maxMeasureWh: 100_000,
      graceSlots: 4,
      pseudonymous: false,
      meterCount: 70_000,
      activeMeters: 2 ** 33,
    };
    expect(toHex(encode(configCodec, config))).toBe(
      '98c4140707070707070707070707070707070707070707c0a475656374ce000186a004c2ce00011170d30000000200000000',
    );
    const period = {
      tsStart: 1_767_225_600,
      tsEnd: 1_769_904_000,
      slotSeconds: 900,
      pBuyBAU: 250n,
      pSellBAU: 80n,
      pBuyLEM: 200n,
      pSellLEM: 120n,
      beta: 5n,
      state: 2 as const,
    };
    expect(toHex(encode(periodCodec, period))).toBe(
      '99ce6955b900ce697e9780cd0384d300000000000000fad30000000000000050d300000000000000c8d30000000000000078d3000000000000000502',
    );
    const receipt = {
      admin: a,
      adminDelta: -12n,
      gridFlow: 30n,
      missing: 0,
      accounts: 127,
      meters: 128,
      solvedHeight: 2 ** 40,
    };
    expect(toHex(encode(receiptCodec, receipt))).toBe(
      '97c4140707070707070707070707070707070707070707a32d3132a23330007fcc80d30000010000000000',
    );
    expect(toHex(encode(slotTotalsCodec, { ec: 65_535, ep: 65_536, reporters: 19 }))).toBe(
      '93cdffffce0001000013',
    );
  });

  it('refuses a negative count, as the unsigned fields always did', () => {
    expect(() => encode(slotTotalsCodec, { ec: -1, ep: 0, reporters: 0 })).toThrow(/\[0, /);
  });
});

/**
 * The measure group decodes in the wire reader's one walk (it is `exact`): it must accept exactly
 * what the re-encoding check accepted, the canonical bytes and nothing else.
 */
describe('measure groups decode only their canonical bytes', () => {
  const group = [0, 5, 127, 128, 255, 256, 65_535, 65_536, maxMeasureWhLimit, ...new Array(23).fill(null)];
  const bytes = encode(measureGroupCodec, group);
  /** The same codec decoded the reference way: unpacked, re-encoded and compared. */
  const byReencoding = { ...measureGroupCodec, exact: false };
  // A 32-value array has a 3-byte header (array16), then 0 (0x00) and 5 (0x05).
  const header = [...bytes.slice(0, 3)];

  it('decodes its own encoding to the same values, with or without the re-encoding check', () => {
    expect(measureGroupCodec.exact).toBe(true);
    expect(decode(measureGroupCodec, bytes)).toEqual(group);
    expect(decode(byReencoding, bytes)).toEqual(group);
  });

  it('refuses an integer in a longer form than its smallest', () => {
    // 5 as msgpack uint8 (0xcc 0x05) instead of a positive fixint (0x05): one byte longer.
    expect(toHex(bytes.slice(0, 5))).toBe('dc00200005');
    const long = new Uint8Array([...header, 0x00, 0xcc, 0x05, ...bytes.slice(5)]);
    expect(() => decode(byReencoding, long)).toThrow(DecodeError);
    expect(() => decode(measureGroupCodec, long)).toThrow(DecodeError);
  });

  it('refuses a measure above the limit, a float, and a short group', () => {
    const over = encode(list(nullable(uint()), 32), [maxMeasureWhLimit + 1, ...new Array(31).fill(null)]);
    expect(() => decode(byReencoding, over)).toThrow(/a measure is/);
    expect(() => decode(measureGroupCodec, over)).toThrow(/a measure is/);
    // 0 as a float64 (0xcb and eight zero bytes).
    const float = new Uint8Array([...header, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0, ...bytes.slice(4)]);
    expect(() => decode(byReencoding, float)).toThrow(DecodeError);
    expect(() => decode(measureGroupCodec, float)).toThrow(DecodeError);
    const short = encode(list(nullable(uint()), 32), [1, 2]);
    expect(() => decode(measureGroupCodec, short)).toThrow(/expected an array of 32/);
  });
});

describe('market table keys keep their bytes', () => {
  /** The writer the keys were first made with: `bytes` big-endian bytes of `n` by BigInt arithmetic. */
  const reference = (n: number, bytes: number): string => {
    let v = BigInt(n);
    const out: string[] = [];
    for (let i = 0; i < bytes; i++) {
      out.unshift(
        Number(v & 0xffn)
          .toString(16)
          .padStart(2, '0'),
      );
      v >>= 8n;
    }
    return out.join('');
  };
  it('measure and slot-totals keys are the big-endian fields, as the BigInt writer gave them', () => {
    const keys = [
      { period: 1_762_128_000, pass: 2, meter: 70_000, group: 300 },
      { period: Number.MAX_SAFE_INTEGER, pass: 255, meter: 2 ** 32 - 1, group: 65_535 },
      // Fields beyond their width keep their low bytes; a negative one its two's complement.
      { period: -1, pass: 256, meter: 2 ** 32 + 5, group: 65_537 },
      { period: -(2 ** 40) - 3, pass: 0, meter: 0, group: 0 },
    ];
    for (const k of keys) {
      const expected =
        reference(k.period, 8) + reference(k.pass, 1) + reference(k.meter, 4) + reference(k.group, 2);
      expect(toHex(keyPrefix.measuresAt(k)), JSON.stringify(k)).toBe(expected);
      expect(toHex(keyPrefix.totalsAt(k.period, k.group))).toBe(
        reference(k.period, 8) + reference(k.group, 2),
      );
    }
    expect(toHex(keyPrefix.measuresAt(keys[0] as (typeof keys)[number]))).toBe(
      '000000006907f0800200011170012c',
    );
    expect(() => keyPrefix.totalsAt(1.5, 0)).toThrow(RangeError);
  });
});
