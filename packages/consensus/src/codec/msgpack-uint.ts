/**
 * msgpack's shortest unsigned integers, written by hand where a hot path builds a canonical
 * encoding directly (a block's results hash, the stored tx results) instead of through the codec.
 * The codec writes the same bytes; the callers' property tests check it.
 */

/** Whether `n` is a whole number in [0, 2^32). */
export function isUint32(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff;
}

/** Bytes of msgpack's shortest unsigned integer for `n` (0 ≤ n < 2^32). */
export function uintBytes(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x1_0000 ? 3 : 5;
}

/** Writes `n` (0 ≤ n < 2^32) as msgpack's shortest unsigned integer at `at`; returns the next offset. */
export function writeUint(out: Uint8Array, at: number, n: number): number {
  if (n < 0x80) {
    out[at] = n;
    return at + 1;
  }
  if (n < 0x100) {
    out[at] = 0xcc;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x1_0000) {
    out[at] = 0xcd;
    out[at + 1] = n >>> 8;
    out[at + 2] = n & 0xff;
    return at + 3;
  }
  out[at] = 0xce;
  out[at + 1] = n >>> 24;
  out[at + 2] = (n >>> 16) & 0xff;
  out[at + 3] = (n >>> 8) & 0xff;
  out[at + 4] = n & 0xff;
  return at + 5;
}
