import { maxCachedWireStringBytes, maxDecodeDepth, wireStringCacheEntries } from '../constants.js';
import { latin1 } from '../crypto/native.js';
import { DecodeError } from '../errors.js';

/**
 * Reads bytes into the wire tree `unpackWire` would give — arrays, numbers, bigints (64-bit
 * integers), byte strings (copies), strings, booleans, nil — in one walk that also proves the bytes
 * are the one encoding `packWire` writes of that tree: every integer, length and count in its
 * smallest form (as msgpackr packs them: unsigned forms for non-negative numbers, int64 for any
 * bigint that fits it), strings valid UTF-8. Anything else is a `DecodeError`; nothing is
 * re-encoded or compared. Bounded as `checkWellFormed`: lengths checked before use, counts against
 * the bytes left, nesting by `maxDecodeDepth`.
 */
export function readCanonicalWire(bytes: Uint8Array): unknown {
  const reader = new WireReader(bytes);
  const value = reader.value(0);
  if (reader.pos !== bytes.length) {
    throw new DecodeError('DECODE_MALFORMED', `${bytes.length - reader.pos} trailing bytes after the value`, {
      offset: reader.pos,
    });
  }
  return value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Short ASCII strings decoded lately, in the slot a hash of their bytes names (the newest wins a
 * slot). A hit is checked char by char against the bytes, so it returns a string equal to the one
 * a fresh decode would make, without allocating one (and the view and argument list making it
 * takes).
 */
const stringCache: (string | undefined)[] = new Array(wireStringCacheEntries).fill(undefined);
const stringSlotMask = wireStringCacheEntries - 1;

/** Longest byte string decoded into an array of its own (see `WireReader.binary`). */
const maxOwnCopyBytes = 64;

/**
 * The big-endian unsigned 64-bit integer at `at`, from its bytes: a `DataView` would read
 * `bytes.buffer`, which moves a small array V8 holds on its heap into a buffer of its own (a malloc
 * and a copy, ~0.5–0.7 µs a decode of a fresh 30-byte array against ~0.15 µs this way).
 */
function uint64At(bytes: Uint8Array, at: number): bigint {
  const hi =
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0;
  const lo =
    (((bytes[at + 4] as number) << 24) |
      ((bytes[at + 5] as number) << 16) |
      ((bytes[at + 6] as number) << 8) |
      (bytes[at + 7] as number)) >>>
    0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

class WireReader {
  pos = 0;
  #copy: Uint8Array | undefined;
  readonly #bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  value(depth: number): unknown {
    const bytes = this.#bytes;
    const at = this.pos;
    if (at >= bytes.length) malformed('input ends inside a value', at);
    const b = bytes[at] as number;
    this.pos = at + 1;
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b >= 0x90 && b <= 0x9f) return this.array(b & 0x0f, depth);
    if (b >= 0xa0 && b <= 0xbf) return this.string(b & 0x1f);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xcc:
        return this.minimal(this.uint(1), 0x80, at);
      case 0xcd:
        return this.minimal(this.uint(2), 0x100, at);
      case 0xce:
        return this.minimal(this.uint(4), 0x10000, at);
      case 0xd0:
        return this.negative(this.int(1), -0x20, at);
      case 0xd1:
        return this.negative(this.int(2), -0x80, at);
      case 0xd2:
        return this.negative(this.int(4), -0x8000, at);
      case 0xd3:
        this.need(8);
        this.pos += 8;
        return BigInt.asIntN(64, uint64At(this.#bytes, at + 1));
      case 0xcf: {
        this.need(8);
        this.pos += 8;
        const n = uint64At(this.#bytes, at + 1);
        // msgpackr writes every bigint that fits int64 as int64.
        if (n < 0x8000000000000000n) nonCanonical('uint64 for a value that fits int64', at);
        return n;
      }
      case 0xc4:
        return this.binary(this.length(1, 0, at));
      case 0xc5:
        return this.binary(this.length(2, 0x100, at));
      case 0xc6:
        return this.binary(this.length(4, 0x10000, at));
      case 0xd9:
        return this.string(this.length(1, 0x20, at));
      case 0xda:
        return this.string(this.length(2, 0x100, at));
      case 0xdb:
        return this.string(this.length(4, 0x10000, at));
      case 0xdc:
        return this.array(this.length(2, 0x10, at), depth);
      case 0xdd:
        return this.array(this.length(4, 0x10000, at), depth);
      default:
        return malformed(
          `msgpack type 0x${b.toString(16)} (map, float or extension) is not used by Joule`,
          at,
        );
    }
  }

  private array(count: number, depth: number): unknown[] {
    // Each element takes at least one byte: a count larger than what is left is a lie.
    if (count > this.#bytes.length - this.pos)
      malformed('an array claims more elements than bytes remain', this.pos);
    if (depth >= maxDecodeDepth) malformed(`nesting deeper than ${maxDecodeDepth}`, this.pos);
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) out[i] = this.value(depth + 1);
    return out;
  }

  /**
   * A copy of the byte string: up to `maxOwnCopyBytes` its own (V8 keeps arrays that small on its
   * heap), longer ones a view into one copy of the whole input made for this decode — one off-heap
   * allocation per decode instead of one per transaction of a block. A view keeps that copy alive:
   * a transaction kept alone keeps its block's bytes (the mempool copies what it admits).
   */
  private binary(length: number): Uint8Array {
    this.need(length);
    const start = this.pos;
    this.pos += length;
    if (length <= maxOwnCopyBytes) return this.#bytes.slice(start, start + length);
    this.#copy ??= this.#bytes.slice();
    return this.#copy.subarray(start, start + length);
  }

  private string(length: number): string {
    this.need(length);
    const start = this.pos;
    this.pos += length;
    if (length <= maxCachedWireStringBytes) {
      const cached = this.#cachedAscii(start, length);
      if (cached !== undefined) return cached;
    }
    const bytes = this.#bytes;
    const end = start + length;
    let ascii = true;
    for (let i = start; i < end; i++) {
      if ((bytes[i] as number) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return latin1(bytes, start, end);
    try {
      return utf8.decode(bytes.subarray(start, end));
    } catch {
      return nonCanonical('a string that is not valid UTF-8', start);
    }
  }

  /**
   * The ASCII string of `length` bytes at `start`, from the cache or made and cached; `undefined`
   * if a byte is not ASCII (the caller decodes it as UTF-8).
   */
  #cachedAscii(start: number, length: number): string | undefined {
    const b = this.#bytes;
    const end = start + length;
    let h = length;
    for (let i = start; i < end; i++) {
      const c = b[i] as number;
      if (c >= 0x80) return undefined;
      h = (Math.imul(h, 31) + c) | 0;
    }
    const slot = (h ^ (h >>> 16)) & stringSlotMask;
    const cached = stringCache[slot];
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (cached.charCodeAt(i) !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const made = latin1(b, start, end);
    stringCache[slot] = made;
    return made;
  }

  /** A length or count of `size` bytes, which must be at least `min` (else a shorter form fits). */
  private length(size: 1 | 2 | 4, min: number, at: number): number {
    const n = this.uint(size);
    if (n < min) nonCanonical('a length in a longer form than it needs', at);
    return n;
  }

  private uint(size: 1 | 2 | 4): number {
    this.need(size);
    const at = this.pos;
    this.pos += size;
    return this.#unsigned(at, size);
  }

  private int(size: 1 | 2 | 4): number {
    this.need(size);
    const at = this.pos;
    this.pos += size;
    const n = this.#unsigned(at, size);
    // Two's complement: subtract 2^bits when the top bit is set.
    const top = size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x8000_0000;
    return n >= top ? n - 2 * top : n;
  }

  /** The big-endian unsigned integer of `size` bytes at `at` (already checked to be there). */
  #unsigned(at: number, size: 1 | 2 | 4): number {
    const b = this.#bytes;
    if (size === 1) return b[at] as number;
    if (size === 2) return ((b[at] as number) << 8) | (b[at + 1] as number);
    return (
      (b[at] as number) * 0x100_0000 +
      (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))
    );
  }

  /** A non-negative integer read in a form whose smaller neighbour holds values below `min`. */
  private minimal(n: number, min: number, at: number): number {
    if (n < min) nonCanonical('an integer in a longer form than it needs', at);
    return n;
  }

  /** A signed form: msgpackr uses it only for negative values below `max`. */
  private negative(n: number, max: number, at: number): number {
    if (n >= max) nonCanonical('an integer in a longer or signed form than it needs', at);
    return n;
  }

  private need(length: number): void {
    if (length > this.#bytes.length - this.pos)
      malformed('a length runs past the end of the input', this.pos);
  }
}

function malformed(message: string, offset: number): never {
  throw new DecodeError('DECODE_MALFORMED', message, { offset });
}

function nonCanonical(message: string, offset: number): never {
  throw new DecodeError('DECODE_NON_CANONICAL', `input is not canonical: ${message}`, { offset });
}
