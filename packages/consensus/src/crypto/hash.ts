import * as nodeCrypto from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { maxHashScratchBytes } from '../constants.js';

/**
 * SHA-256 through OpenSSL's one-shot `crypto.hash` where the runtime has it (Node ≥ 21.7), else
 * @noble/hashes. Both compute the same function (a property test checks them against each other);
 * the one-shot native call costs about half of noble's at 65 bytes and less still at 200 (one call
 * into OpenSSL, SHA extensions where the CPU has them). Multi-part inputs are copied into one
 * reused buffer first, so RFC 6962's leaf and node hashes allocate nothing but their digest.
 */
const nativeHash: ((algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer) | undefined =
  typeof nodeCrypto.hash === 'function' ? nodeCrypto.hash : undefined;

let scratch = new Uint8Array(1024);

/** SHA-256 of one byte string (@noble/hashes: the reference the native path must equal). */
export function sha256Noble(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

function sha256One(data: Uint8Array): Uint8Array {
  if (nativeHash === undefined) return nobleSha256(data);
  const digest = nativeHash('sha256', data, 'buffer');
  // A plain Uint8Array over the digest's own 32-byte buffer (Buffers compare unequal to Uint8Arrays).
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

/** SHA-256 of one or more byte strings, concatenated. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return sha256One(parts[0] as Uint8Array);
  let total = 0;
  for (const part of parts) total += part.length;
  if (total > maxHashScratchBytes || nativeHash === undefined) {
    const h = nobleSha256.create();
    for (const part of parts) h.update(part);
    return h.digest();
  }
  const buffer = scratchOf(total);
  let offset = 0;
  for (const part of parts) {
    buffer.set(part, offset);
    offset += part.length;
  }
  return sha256One(buffer.subarray(0, total));
}

/**
 * SHA-256 of the byte `tag` followed by `a` and, if given, `b`: RFC 6962's leaf hash
 * (`0x00 ‖ item`) and node hash (`0x01 ‖ left ‖ right`) without an argument list or a copy.
 */
export function taggedSha256(tag: number, a: Uint8Array, b?: Uint8Array): Uint8Array {
  const total = 1 + a.length + (b === undefined ? 0 : b.length);
  if (total > maxHashScratchBytes || nativeHash === undefined) {
    const h = nobleSha256.create();
    h.update(Uint8Array.of(tag));
    h.update(a);
    if (b !== undefined) h.update(b);
    return h.digest();
  }
  const buffer = scratchOf(total);
  buffer[0] = tag;
  buffer.set(a, 1);
  if (b !== undefined) buffer.set(b, 1 + a.length);
  return sha256One(buffer.subarray(0, total));
}

function scratchOf(bytes: number): Uint8Array {
  if (scratch.length < bytes) {
    let size = scratch.length;
    while (size < bytes) size *= 2;
    scratch = new Uint8Array(size);
  }
  return scratch;
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** Bytes of a hex string; throws `TypeError` on odd length or a non-hex character. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new TypeError(`not a hex string: ${String(hex).slice(0, 80)}`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
