import { sha256 } from '@joule/consensus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { onHeapArrayMaxBytes } from '../constants.js';
import { digest } from './hashing.js';

describe('digest', () => {
  it('is SHA-256 of inputs of every length around the on-heap bound, as arrays and as views', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2 * onHeapArrayMaxBytes + 3 }), fc.nat(8), (bytes, offset) => {
        const within = new Uint8Array(offset + bytes.length + 5).fill(0xee);
        within.set(bytes, offset);
        const view = within.subarray(offset, offset + bytes.length);
        expect(digest(bytes)).toEqual(sha256(bytes));
        expect(digest(view)).toEqual(sha256(bytes));
      }),
    );
  });

  it('leaves its input as it was and gives each call a digest of its own', () => {
    const a = new Uint8Array(19).fill(1);
    const b = new Uint8Array(64).fill(2);
    const da = digest(a);
    const db = digest(b);
    expect(a).toEqual(new Uint8Array(19).fill(1));
    expect(b).toEqual(new Uint8Array(64).fill(2));
    expect(da).toEqual(sha256(a));
    expect(db).toEqual(sha256(b));
    expect(da).not.toBe(db);
  });
});
