import type { KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { BoundedCache, type BoundedCacheStats } from '../cache/bounded-cache.js';
import {
  nativeKeyCacheEntries,
  nativeSecretKeyCacheEntries,
  publicKeyBytes,
  secretKeyBytes,
  signatureBytes,
  verifiedSignatureCacheBytes,
  verifiedSignatureCacheEntries,
} from '../constants.js';
import { InvalidValueError } from '../errors.js';
import { hasBuffer, nodeCrypto } from './native.js';

/**
 * Ed25519 with the ZIP-215 verification rules pinned explicitly, so every node agrees on which
 * signatures are valid (CometBFT verifies with ZIP-215 too). @noble/curves is the reference;
 * `verifyFast` may let OpenSSL accept first, and sends every native rejection back to noble, so its
 * verdict always equals `verify`'s.
 */
const ZIP215 = { zip215: true } as const;

export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A key pair from a 32-byte seed, or from fresh OS randomness when no seed is given. */
export function generateKeyPair(seed?: Uint8Array): KeyPair {
  if (seed !== undefined) assertLength(seed, secretKeyBytes, 'seed');
  const { secretKey, publicKey } = ed25519.keygen(seed);
  return { secretKey, publicKey };
}

/**
 * The public key of a 32-byte secret key. Natively (OpenSSL) where Node's crypto is there: the same
 * 32 bytes as noble's (RFC 8032 fixes them), without the table of base-point multiples noble builds
 * on its first base-point multiplication and keeps for the life of the process (~0.6 MB of heap).
 */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  assertLength(secretKey, secretKeyBytes, 'secret key');
  const key = nodeCrypto === undefined ? null : nativeSecretKey(secretKey);
  if (key !== null && nodeCrypto !== undefined) {
    const spki = nodeCrypto.createPublicKey(key).export({ format: 'der', type: 'spki' });
    return new Uint8Array(spki.subarray(spki.length - publicKeyBytes));
  }
  return ed25519.getPublicKey(secretKey);
}

/**
 * A deterministic (RFC 8032) signature of `message`. Ed25519 signing is deterministic, so the
 * native path (OpenSSL, about 20× faster) gives exactly noble's bytes; the tests check that.
 */
export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  assertLength(secretKey, secretKeyBytes, 'secret key');
  const key = nodeCrypto === undefined ? null : nativeSecretKey(secretKey);
  if (key !== null && nodeCrypto !== undefined) return new Uint8Array(nodeCrypto.sign(null, message, key));
  return ed25519.sign(message, secretKey);
}

/**
 * `sign`, with the signature remembered as valid for `verifyCached`: a validator's own vote comes
 * back to it (relayed by a peer, and in the next block's last commit), and its check would cost a
 * native verification (~110 µs) for a signature this process has just made. The public key is
 * derived here from the secret key, never taken from the caller, so the remembered triple is one
 * `verify` accepts: an RFC 8032 signature of `message` under that key (canonical `R` and `S < L`,
 * the cofactorless equation, which implies ZIP-215's cofactored one).
 */
export function signRemembered(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  const signature = sign(secretKey, message);
  validCache.set(validId(ownPublicKey(secretKey), signature, message), true);
  return signature;
}

/** The reference signer (@noble/curves), for tests and benchmarks against the native one. */
export function signNoble(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  assertLength(secretKey, secretKeyBytes, 'secret key');
  return ed25519.sign(message, secretKey);
}

/** ZIP-215 verification with @noble/curves. Malformed keys or signatures give `false`, never a throw. */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (
    !isBytes(publicKey, publicKeyBytes) ||
    !isBytes(signature, signatureBytes) ||
    !(message instanceof Uint8Array)
  ) {
    return false;
  }
  try {
    return ed25519.verify(signature, message, publicKey, ZIP215);
  } catch {
    return false;
  }
}

/**
 * Native fast path: OpenSSL's verification is stricter than ZIP-215 (it is cofactorless and
 * wants canonical encodings), so whatever it accepts ZIP-215 accepts too. A native rejection, or
 * a key OpenSSL will not load, falls back to `verify`.
 */
export function verifyFast(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (
    !isBytes(publicKey, publicKeyBytes) ||
    !isBytes(signature, signatureBytes) ||
    !(message instanceof Uint8Array)
  ) {
    return false;
  }
  const key = nodeCrypto === undefined ? undefined : nativeKey(publicKey);
  if (key !== undefined && nodeCrypto !== undefined) {
    try {
      if (nodeCrypto.verify(null, message, key, signature)) return true;
    } catch {
      // fall through to the reference verifier
    }
  }
  return verify(publicKey, message, signature);
}

/**
 * `verifyFast` with a memory of signatures already found valid: the same vote reaches a node
 * from several peers (and, in the simulator, many nodes in one process). Only valid verdicts are
 * kept — a fact about (key, message, signature) that never changes — so the answer is always
 * `verify`'s. Keyed by the bytes of key ‖ signature ‖ message themselves (no hashing on the hot path).
 */
export function verifyCached(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (
    !isBytes(publicKey, publicKeyBytes) ||
    !isBytes(signature, signatureBytes) ||
    !(message instanceof Uint8Array)
  ) {
    return false;
  }
  const id = validId(publicKey, signature, message);
  if (validCache.has(id)) return true;
  const ok = verifyFast(publicKey, message, signature);
  if (ok) validCache.set(id, true);
  return ok;
}

/** Valid (key, signature, message) triples, keyed by their bytes (one character per byte). */
const validCache = new BoundedCache<string, true>({
  maxEntries: verifiedSignatureCacheEntries,
  maxBytes: verifiedSignatureCacheBytes,
  sizeOf: (id) => id.length,
});

/** The key of `validCache`: key ‖ signature ‖ message, one character per byte. */
function validId(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): string {
  return hasBuffer
    ? Buffer.concat([publicKey, signature, message]).toString('latin1')
    : latin1(publicKey) + latin1(signature) + latin1(message);
}

/** Public keys of the secret keys `signRemembered` signed with, by secret key (one character a byte). */
const ownPublicKeys = new BoundedCache<string, Uint8Array>({ maxEntries: nativeSecretKeyCacheEntries });

function ownPublicKey(secretKey: Uint8Array): Uint8Array {
  const id = latin1(secretKey);
  let publicKey = ownPublicKeys.get(id);
  if (publicKey === undefined) {
    publicKey = publicKeyOf(secretKey);
    ownPublicKeys.set(id, publicKey);
  }
  return publicKey;
}

const SPKI_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);
/** Native key objects by public key (null: OpenSSL refused the key, so noble decides). */
const keyCache = new BoundedCache<string, KeyObject | null>({ maxEntries: nativeKeyCacheEntries });

/** What the signature caches hold and how they served (for metrics). */
export function signatureCacheStats(): { verified: BoundedCacheStats; keys: BoundedCacheStats } {
  return { verified: validCache.stats(), keys: keyCache.stats() };
}

function nativeKey(publicKey: Uint8Array): KeyObject | undefined {
  const id = Buffer.from(publicKey).toString('latin1');
  const cached = keyCache.get(id);
  if (cached !== undefined) return cached ?? undefined;
  let key: KeyObject | null;
  try {
    key = (nodeCrypto as typeof import('node:crypto')).createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
      format: 'der',
      type: 'spki',
    });
  } catch {
    key = null;
  }
  keyCache.set(id, key);
  return key ?? undefined;
}

const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const secretCache = new BoundedCache<string, KeyObject | null>({ maxEntries: nativeSecretKeyCacheEntries });

function nativeSecretKey(secretKey: Uint8Array): KeyObject | null {
  const id = Buffer.from(secretKey).toString('latin1');
  let key = secretCache.get(id);
  if (key === undefined) {
    try {
      key = (nodeCrypto as typeof import('node:crypto')).createPrivateKey({
        key: Buffer.concat([PKCS8_ED25519_PREFIX, secretKey]),
        format: 'der',
        type: 'pkcs8',
      });
    } catch {
      key = null;
    }
    secretCache.set(id, key);
  }
  return key;
}

/** One character per byte (the cache key of a browser, which has no `Buffer`). */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length === length;
}

function assertLength(value: unknown, length: number, what: string): void {
  if (!isBytes(value, length)) {
    throw new InvalidValueError(`${what} must be ${length} bytes`, {
      got: value instanceof Uint8Array ? value.length : typeof value,
    });
  }
}
