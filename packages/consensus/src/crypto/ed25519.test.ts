import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readVectors } from '../testkit/vectors.js';
import {
  generateKeyPair,
  publicKeyOf,
  sign,
  signatureCacheStats,
  signNoble,
  signRemembered,
  verify,
  verifyCached,
  verifyFast,
} from './ed25519.js';
import { fromHex, toHex } from './hash.js';

interface Zip215Vector {
  vk_bytes: string;
  sig_bytes: string;
  valid_legacy: boolean;
  valid_zip215: boolean;
}
interface Rfc8032Vector {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
}

const zip215 = readVectors<Zip215Vector[]>('zip215.json');
const rfc8032 = readVectors<{ vectors: Rfc8032Vector[] }>('rfc8032.json').vectors;
// ZIP-215's vectors all sign this message.
const ZCASH = new TextEncoder().encode('Zcash');

describe('ed25519 with ZIP-215 rules', () => {
  it('has all 196 published ZIP-215 vectors', () => {
    expect(zip215).toHaveLength(196);
  });

  it.each(zip215.map((v, i) => [i, v] as const))('vector %i: verify gives the ZIP-215 verdict', (_i, v) => {
    expect(verify(fromHex(v.vk_bytes), ZCASH, fromHex(v.sig_bytes))).toBe(v.valid_zip215);
  });

  it("the native fast path gives exactly noble's verdict on every ZIP-215 vector", () => {
    for (const [i, v] of zip215.entries()) {
      const pub = fromHex(v.vk_bytes);
      const sig = fromHex(v.sig_bytes);
      expect(verifyFast(pub, ZCASH, sig), `vector ${i}`).toBe(verify(pub, ZCASH, sig));
    }
  });

  it.each(rfc8032.map((v) => [v.name, v] as const))(
    'RFC 8032 %s: key, signature and verification',
    (_n, v) => {
      const secret = fromHex(v.secretKey);
      const message = fromHex(v.message);
      expect(toHex(publicKeyOf(secret))).toBe(v.publicKey);
      expect(toHex(sign(secret, message))).toBe(v.signature);
      expect(verify(fromHex(v.publicKey), message, fromHex(v.signature))).toBe(true);
      expect(verifyFast(fromHex(v.publicKey), message, fromHex(v.signature))).toBe(true);
    },
  );

  it("publicKeyOf (native) gives noble's public key for any seed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        expect(toHex(publicKeyOf(seed))).toBe(toHex(generateKeyPair(seed).publicKey));
      }),
    );
  });

  it('signatures verify, and any change to key, message or signature gives the same verdict on both paths', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 100 }),
        fc.constantFrom('signature', 'message', 'key', 'none'),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (seed, message, target, at, flip) => {
          const { secretKey, publicKey } = generateKeyPair(seed);
          const signature = sign(secretKey, message);
          const [pub, msg, sig] = [publicKey.slice(), message.slice(), signature.slice()];
          if (target === 'signature') sig[at % 64] = (sig[at % 64] as number) ^ flip;
          if (target === 'key') pub[at % 32] = (pub[at % 32] as number) ^ flip;
          if (target === 'message') {
            if (msg.length === 0) return;
            msg[at % msg.length] = (msg[at % msg.length] as number) ^ flip;
          }
          const verdict = verify(pub, msg, sig);
          expect(verdict).toBe(target === 'none');
          expect(verifyFast(pub, msg, sig)).toBe(verdict);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the native signer gives exactly noble's signature", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        (seed, message) => {
          expect(toHex(sign(seed, message))).toBe(toHex(signNoble(seed, message)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('verifyCached agrees with verify, and a remembered valid signature does not validate a changed one', () => {
    const { secretKey, publicKey } = generateKeyPair(new Uint8Array(32).fill(3));
    const message = new Uint8Array([1, 2, 3]);
    const signature = sign(secretKey, message);
    expect(verifyCached(publicKey, message, signature)).toBe(true);
    expect(verifyCached(publicKey, message, signature)).toBe(true);
    const other = signature.slice();
    other[5] = (other[5] as number) ^ 1;
    expect(verifyCached(publicKey, message, other)).toBe(false);
    expect(verifyCached(publicKey, new Uint8Array([1, 2, 4]), signature)).toBe(false);
    for (const [i, v] of zip215.entries()) {
      const pub = fromHex(v.vk_bytes);
      const sig = fromHex(v.sig_bytes);
      expect(verifyCached(pub, ZCASH, sig), `vector ${i}`).toBe(verify(pub, ZCASH, sig));
    }
  });

  it('signRemembered signs as sign and remembers only its own key, message and signature as valid', () => {
    const { secretKey, publicKey } = generateKeyPair(new Uint8Array(32).fill(9));
    const other = generateKeyPair(new Uint8Array(32).fill(10)).publicKey;
    const message = new Uint8Array([9, 8, 7, 6]);
    const signature = signRemembered(secretKey, message);
    expect(toHex(signature)).toBe(toHex(sign(secretKey, message)));
    const before = signatureCacheStats().verified.hits;
    expect(verifyCached(publicKey, message, signature)).toBe(true);
    // Answered by the cache: no verification ran for the signature this process made.
    expect(signatureCacheStats().verified.hits).toBe(before + 1);
    expect(verifyCached(other, message, signature)).toBe(false);
    expect(verifyCached(publicKey, new Uint8Array([9, 8, 7, 5]), signature)).toBe(false);
    const changed = signature.slice();
    changed[40] = (changed[40] as number) ^ 1;
    expect(verifyCached(publicKey, message, changed)).toBe(false);
    expect(verifyCached(publicKey, message, signature)).toBe(true);
  });

  it('malformed inputs are rejected, not thrown', () => {
    const { publicKey, secretKey } = generateKeyPair(new Uint8Array(32).fill(7));
    const sig = sign(secretKey, new Uint8Array([1]));
    for (const f of [verify, verifyFast, verifyCached]) {
      expect(f(publicKey.subarray(0, 31), new Uint8Array([1]), sig)).toBe(false);
      expect(f(publicKey, new Uint8Array([1]), sig.subarray(0, 63))).toBe(false);
      expect(f(null as never, new Uint8Array([1]), sig)).toBe(false);
      expect(f(publicKey, 'x' as never, sig)).toBe(false);
    }
    expect(() => sign(new Uint8Array(31), new Uint8Array(0))).toThrow(/32 bytes/);
  });
});
