import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256, sha256Noble, taggedSha256 } from './hash.js';

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

describe('sha256', () => {
  it('matches the FIPS 180-2 vectors', () => {
    expect(Buffer.from(sha256(new Uint8Array(0))).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('equals @noble/hashes on any input, in one part or several', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 4 }), (parts) => {
        const whole = concat(...parts);
        const expected = sha256Noble(whole);
        expect(sha256(whole), 'one part').toEqual(expected);
        expect(sha256(...parts), `${parts.length} parts`).toEqual(expected);
      }),
    );
  });

  it('hashes inputs longer than its reused buffer by parts, to the same digest', () => {
    const big = new Uint8Array(300 * 1024).map((_, i) => i * 31);
    expect(sha256(big.subarray(0, 1), big.subarray(1))).toEqual(sha256Noble(big));
    expect(taggedSha256(1, big)).toEqual(sha256Noble(concat(Uint8Array.of(1), big)));
  });

  it('taggedSha256 is SHA-256 of the tag byte then its parts, and returns plain Uint8Arrays', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array(),
        fc.option(fc.uint8Array(), { nil: undefined }),
        (tag, a, b) => {
          const expected = sha256Noble(concat(Uint8Array.of(tag), a, b ?? new Uint8Array(0)));
          const got = taggedSha256(tag, a, b);
          expect(got).toEqual(expected);
          expect(got.constructor, 'a plain Uint8Array').toBe(Uint8Array);
        },
      ),
    );
  });

  it('never hands out a view of its reused buffer', () => {
    const first = sha256(Uint8Array.of(1), Uint8Array.of(2));
    const copy = first.slice();
    sha256(new Uint8Array(64).fill(9), new Uint8Array(64).fill(7));
    expect(first, 'a later hash does not change an earlier digest').toEqual(copy);
  });
});
