import { Packr } from 'msgpackr';
import { maxDecodeDepth } from '../constants.js';
import { DecodeError } from '../errors.js';

/**
 * The msgpack layer under the canonical codec. Joule structures only ever use arrays, integers,
 * byte strings, UTF-8 strings, booleans and nil; `checkWellFormed` walks raw bytes first and refuses
 * anything else (maps, floats, extension types, lengths that run past the end, nesting deeper than
 * `maxDecodeDepth`), so msgpackr never sees input that could make it allocate or loop for long.
 */
const packr = new Packr({
  useRecords: false,
  mapsAsObjects: false,
  int64AsType: 'bigint',
  copyBuffers: true,
  moreTypes: false,
  bundleStrings: false,
  structuredClone: false,
});

/** Packs an already-converted wire value (arrays, numbers up to 32 bits, bigints, bytes, strings). */
export function packWire(wire: unknown): Uint8Array {
  // msgpackr hands back a Buffer view into memory it reuses: copy into a plain Uint8Array that callers own.
  return new Uint8Array(packr.pack(wire));
}

/** Unpacks bytes that `checkWellFormed` accepted. */
export function unpackWire(bytes: Uint8Array): unknown {
  try {
    // msgpackr caches a DataView on the object it reads; give it a fresh view, not the caller's array.
    return packr.unpack(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (cause) {
    throw new DecodeError('DECODE_MALFORMED', `msgpack decoder refused the input: ${String(cause)}`);
  }
}

/** Throws a `DecodeError` unless `bytes` is exactly one well-formed value of the subset Joule uses. */
export function checkWellFormed(bytes: Uint8Array): void {
  const end = bytes.length;
  let pos = 0;
  // remaining[i] = values still expected in the container open at depth i; depth 0 = the top value.
  const remaining: number[] = [1];
  while (remaining.length > 0) {
    const top = remaining.length - 1;
    if (remaining[top] === 0) {
      remaining.pop();
      continue;
    }
    remaining[top] = (remaining[top] ?? 0) - 1;
    if (pos >= end) malformed('input ends inside a value', pos);
    const b = bytes[pos] as number;
    pos += 1;
    let skip = 0;
    let children = -1;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) {
      skip = 0;
    } else if (b >= 0x90 && b <= 0x9f) {
      children = b & 0x0f;
    } else if (b >= 0xa0 && b <= 0xbf) {
      skip = b & 0x1f;
    } else {
      switch (b) {
        case 0xcc:
        case 0xd0:
          skip = 1;
          break;
        case 0xcd:
        case 0xd1:
          skip = 2;
          break;
        case 0xce:
        case 0xd2:
          skip = 4;
          break;
        case 0xcf:
        case 0xd3:
          skip = 8;
          break;
        case 0xc4:
        case 0xd9:
          skip = readLength(bytes, pos, 1);
          pos += 1;
          break;
        case 0xc5:
        case 0xda:
          skip = readLength(bytes, pos, 2);
          pos += 2;
          break;
        case 0xc6:
        case 0xdb:
          skip = readLength(bytes, pos, 4);
          pos += 4;
          break;
        case 0xdc:
          children = readLength(bytes, pos, 2);
          pos += 2;
          break;
        case 0xdd:
          children = readLength(bytes, pos, 4);
          pos += 4;
          break;
        default:
          malformed(
            `msgpack type 0x${b.toString(16)} (map, float or extension) is not used by Joule`,
            pos - 1,
          );
      }
    }
    if (skip > end - pos) malformed('a length runs past the end of the input', pos);
    pos += skip;
    if (children >= 0) {
      // Each element takes at least one byte: a count larger than what is left is a lie.
      if (children > end - pos) malformed('an array claims more elements than bytes remain', pos);
      if (remaining.length > maxDecodeDepth) malformed(`nesting deeper than ${maxDecodeDepth}`, pos);
      remaining.push(children);
    }
  }
  if (pos !== end) {
    throw new DecodeError('DECODE_MALFORMED', `${end - pos} trailing bytes after the value`, {
      offset: pos,
    });
  }
}

function readLength(bytes: Uint8Array, pos: number, size: 1 | 2 | 4): number {
  if (pos + size > bytes.length) malformed('input ends inside a length', pos);
  let n = 0;
  for (let i = 0; i < size; i++) n = n * 256 + (bytes[pos + i] as number);
  return n;
}

function malformed(message: string, offset: number): never {
  throw new DecodeError('DECODE_MALFORMED', message, { offset });
}
