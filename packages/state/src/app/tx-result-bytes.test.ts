import { encode, toHex } from '@joule/consensus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecTxResult } from './abci.js';
import { type StoredTxResult, storedTxResultCodec } from './results.js';
import { storedTxResultBytes } from './tx-result-bytes.js';

/** Integers around every boundary of msgpack's forms, and past the direct path's 32 bits. */
const uint = fc.oneof(
  fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0xffff_ffff, 2 ** 32, 2 ** 40),
  fc.integer({ min: 0, max: 0xffff_ffff }),
);
/** ASCII mostly, sometimes not, at lengths around the string headers' limits. */
const text = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom(0x1f, 0x20, 0xff, 0x100, max, max + 1).map((n) => 'a'.repeat(n)),
  );
const event = fc.record({
  type: text(64),
  attributes: fc.array(fc.record({ key: text(1024), value: text(1024) }), { maxLength: 18 }),
});
const result: fc.Arbitrary<ExecTxResult> = fc.record({
  code: uint,
  codespace: text(64),
  log: text(1024),
  data: fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom(255, 256, 0xffff, 0x1_0000).map((n) => new Uint8Array(n).fill(7)),
  ),
  gasWanted: uint,
  gasUsed: uint,
  events: fc.oneof(fc.array(event, { maxLength: 3 }), fc.array(event, { minLength: 15, maxLength: 17 })),
});

/** What the codec gives: its bytes, or the code of its refusal. */
function viaCodec(stored: StoredTxResult): string {
  try {
    return toHex(encode(storedTxResultCodec, stored));
  } catch (error) {
    return `refused: ${(error as { code?: string }).code}`;
  }
}

function direct(stored: StoredTxResult): string {
  try {
    return toHex(storedTxResultBytes(stored));
  } catch (error) {
    return `refused: ${(error as { code?: string }).code}`;
  }
}

describe('storedTxResultBytes', () => {
  it("gives the codec's bytes for every result, and its refusal for every invalid one", () => {
    fc.assert(
      fc.property(
        fc.oneof(uint, fc.constant(-1)),
        fc.oneof(uint, fc.constant(-1)),
        result,
        (height, index, r) => {
          const stored = { height, index, result: r };
          expect(direct(stored)).toBe(viaCodec(stored));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('writes long lists of valid events directly, as the codec would', () => {
    const ascii = (max: number) => fc.string({ maxLength: max });
    const valid = fc.record({
      type: ascii(64),
      attributes: fc.array(fc.record({ key: ascii(40), value: ascii(300) }), {
        minLength: 14,
        maxLength: 18,
      }),
    });
    fc.assert(
      fc.property(uint, fc.array(valid, { minLength: 14, maxLength: 18 }), (gas, events) => {
        const stored: StoredTxResult = {
          height: 7,
          index: 3,
          result: {
            code: 0,
            codespace: '',
            log: '',
            data: new Uint8Array(0),
            gasWanted: gas,
            gasUsed: gas,
            events,
          },
        };
        expect(direct(stored)).toBe(viaCodec(stored));
      }),
      { numRuns: 300 },
    );
  });

  it('writes the usual result directly, as the codec would', () => {
    const stored: StoredTxResult = {
      height: 1234,
      index: 17,
      result: {
        code: 0,
        codespace: '',
        log: '',
        data: new Uint8Array(0),
        gasWanted: 200_000,
        gasUsed: 23_456,
        events: [
          {
            type: 'market.measure_set',
            attributes: [
              { key: 'meterId', value: 'm17' },
              { key: 'signal', value: 'consumption' },
            ],
          },
        ],
      },
    };
    expect(toHex(storedTxResultBytes(stored))).toBe(toHex(encode(storedTxResultCodec, stored)));
  });
});
