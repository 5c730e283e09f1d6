import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { maxHashScratchBytes } from '../constants.js';
import { InvalidValueError } from '../errors.js';
import { hasBuffer, latin1, nodeCrypto } from './native.js';

/**
 * SHA-256 through OpenSSL's one-shot `crypto.hash` where the runtime has it (Node ≥ 21.7), else
 * @noble/hashes. Both compute the same function (a property test checks them against each other);
 * the native call costs less than half of noble's at 65 bytes and less still at 200.
 *
 * The digest is asked for as a `latin1` string (32 one-byte characters, on V8's heap) and copied
 * into a 32-byte `Uint8Array`, which V8 also keeps on its heap: a `Buffer` digest would instead
 * get its own off-heap backing store, whose bookkeeping made the garbage collector the largest
 * cost of a Merkle root. Multi-part inputs are copied into one reused buffer first, so RFC 6962's
 * leaf and node hashes allocate nothing but their digest.
 */
const nativeHash: ((algorithm: string, data: Uint8Array, encoding: 'latin1') => string) | undefined =
  typeof nodeCrypto?.hash === 'function' ? nodeCrypto.hash : undefined;

// Only the native paths use the scratch buffer; without Node it is a plain array never written.
let scratch = hasBuffer ? Buffer.alloc(1024) : (new Uint8Array(1024) as Buffer);
/** `scratch` as a plain `Uint8Array` (its `subarray` is cheaper than a `Buffer`'s). */
let scratchBytes = new Uint8Array(scratch.buffer, scratch.byteOffset, scratch.length);
/** The first 65 bytes of `scratch`: the input of an RFC 6962 node hash. */
let nodeInput = scratchBytes.subarray(0, 65);

/** The 32 bytes of a digest held as a latin1 string. */
function digestBytes(digest: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = digest.charCodeAt(i);
  return out;
}

/** SHA-256 of one byte string (@noble/hashes: the reference the native path must equal). */
export function sha256Noble(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

function sha256One(data: Uint8Array): Uint8Array {
  if (nativeHash === undefined) return nobleSha256(data);
  return digestBytes(nativeHash('sha256', data, 'latin1'));
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
    scratch = Buffer.alloc(size);
    scratchBytes = new Uint8Array(scratch.buffer, scratch.byteOffset, scratch.length);
    nodeInput = scratchBytes.subarray(0, 65);
  }
  return scratchBytes;
}

/**
 * RFC 6962 hashing with digests kept as latin1 strings from leaf to root (no byte array per inner
 * node): what `merkleRoot` uses when the native hash is there; `undefined` otherwise.
 */
export const latin1Merkle:
  | {
      /** SHA-256(0x00 ‖ item), as a latin1 string. */
      leaf(item: Uint8Array): string;
      /** SHA-256(0x01 ‖ left ‖ right) of two latin1 digests, as a latin1 string. */
      node(left: string, right: string): string;
      /** The bytes of a latin1 digest. */
      bytes(digest: string): Uint8Array;
    }
  | undefined =
  nativeHash === undefined
    ? undefined
    : {
        leaf(item) {
          if (item.length + 1 > maxHashScratchBytes) return latin1Of(taggedSha256(0, item));
          const buffer = scratchOf(item.length + 1);
          buffer[0] = 0;
          buffer.set(item, 1);
          return nativeHash('sha256', buffer.subarray(0, item.length + 1), 'latin1');
        },
        node(left, right) {
          scratch[0] = 1;
          scratch.write(left, 1, 32, 'latin1');
          scratch.write(right, 33, 32, 'latin1');
          return nativeHash('sha256', nodeInput, 'latin1');
        },
        bytes: digestBytes,
      };

function latin1Of(bytes: Uint8Array): string {
  return latin1(bytes);
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  if (!hasBuffer) return bytesToHex(bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** Bytes of a hex string; throws `InvalidValueError` on odd length or a non-hex character. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new InvalidValueError(`not a hex string: ${String(hex).slice(0, 80)}`);
  }
  return hasBuffer ? new Uint8Array(Buffer.from(hex, 'hex')) : hexToBytes(hex);
}
