import { encode, toHex } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { configCodec, periodCodec, receiptCodec, slotTotalsCodec } from './records.js';

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
