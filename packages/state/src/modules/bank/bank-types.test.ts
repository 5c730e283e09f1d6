import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { moduleTableKey, textKey } from '../../app/layout.js';
import { tables } from './bank-types.js';

describe("a balance's key", () => {
  it('is the address then the denomination in UTF-8, ASCII or not', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.string({ maxLength: 70 }),
        (address, denom) => {
          const expected = moduleTableKey('bank', 'b', new Uint8Array([...address, ...textKey(denom)]));
          expect(Buffer.from(tables.balance.key({ address, denom }))).toEqual(Buffer.from(expected));
        },
      ),
      { numRuns: 300 },
    );
    const address = new Uint8Array(20).fill(7);
    expect(Buffer.from(tables.balance.key({ address, denom: 'ujoule' })).toString('latin1')).toBe(
      `\x04bankb/${'\x07'.repeat(20)}ujoule`,
    );
    expect(tables.balance.key({ address, denom: 'é' }).subarray(-2)).toEqual(new Uint8Array([0xc3, 0xa9]));
  });
});
