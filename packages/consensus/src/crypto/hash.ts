import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** SHA-256 of one or more byte strings, concatenated (@noble/hashes). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return nobleSha256(parts[0] as Uint8Array);
  const h = nobleSha256.create();
  for (const part of parts) h.update(part);
  return h.digest();
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
