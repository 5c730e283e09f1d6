import { hashBytes, sha256 } from '@joule/consensus';
import { onHeapArrayMaxBytes, treeRadix } from '../constants.js';

/**
 * Hashing of the 16-ary sparse Merkle tree. A leaf commits to SHA-256(key) and SHA-256(value) and
 * does not depend on where it sits, so moving a leaf up or down never rehashes it; an internal node
 * commits to which of its 16 slots are occupied (a 16-bit map) and to their hashes in slot order; an
 * empty tree is 32 zero bytes. The one-byte tags keep a leaf from ever passing for a node.
 *
 * SHA-256 is Node's one-shot `crypto.hash` (OpenSSL): the same digest as `@noble/hashes`, ~30 % less
 * time for the tree's 65-byte leaves and ~6× less for its nodes of up to 515 bytes. Where the runtime
 * has no Node (a light client in a browser checking proofs) it is @noble/hashes, through
 * `@joule/consensus`'s `sha256`.
 */
const LEAF_TAG = 0x00;
/** The first byte of a node's hash input. */
export const NODE_TAG = 0x01;

/** Hash of an empty tree (the app hash of an empty state). */
export const emptyHash: Uint8Array = new Uint8Array(hashBytes);

const nodeHashOf = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined;

/**
 * Where an input of `onHeapArrayMaxBytes` or less is copied before it is hashed: longer than that,
 * so V8 holds it off its heap.
 */
const smallInput = new Uint8Array(2 * onHeapArrayMaxBytes);

/**
 * SHA-256 of `bytes`. The digest comes back as a Latin-1 string (one character per byte) and is
 * copied into an array on V8's heap: asked for a `Buffer`, `crypto.hash` allocates an ArrayBuffer of
 * its own for each 32-byte digest, which made a call ~3× slower (1.3–1.5 µs against 0.43 µs for 65
 * bytes), and the tree makes ~5 calls a write. An input of 64 bytes or less (a key, a value, made
 * by the caller and still on V8's heap) is copied into `smallInput` first: handed to native code
 * itself, it would first be moved into an ArrayBuffer of its own (a malloc, and one more object
 * for the collector), which costs more than the copy.
 */
export function digest(bytes: Uint8Array): Uint8Array {
  if (nodeHashOf === undefined) return sha256(bytes);
  let input = bytes;
  if (bytes.length <= onHeapArrayMaxBytes) {
    smallInput.set(bytes);
    input = smallInput.subarray(0, bytes.length);
  }
  const chars = nodeHashOf.hash('sha256', input, 'latin1');
  const out = new Uint8Array(hashBytes);
  for (let i = 0; i < hashBytes; i++) out[i] = chars.charCodeAt(i);
  return out;
}

/**
 * The buffer in which leaf and node hash inputs are laid out before hashing (at most a node's:
 * 3 + 16 × 32 bytes). Hashing is synchronous, so one buffer serves every call and the tree's
 * thousands of hashes a block allocate no input.
 */
export const hashScratch: Uint8Array = new Uint8Array(3 + treeRadix * hashBytes);

/** SHA-256(0x00 ‖ keyHash ‖ valueHash). */
export function leafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  hashScratch[0] = LEAF_TAG;
  hashScratch.set(keyHash, 1);
  hashScratch.set(valueHash, 1 + hashBytes);
  return digest(hashScratch.subarray(0, 1 + 2 * hashBytes));
}

/**
 * SHA-256(0x01 ‖ bitmap (u16, bit `n` set when slot `n` is occupied, slot 0 the most significant) ‖
 * the occupied slots' hashes in slot order). `slots[n]` is slot `n` (its `hash`) or `undefined`.
 */
export function nodeHash(slots: readonly ({ readonly hash: Uint8Array } | undefined)[]): Uint8Array {
  let bitmap = 0;
  let count = 0;
  for (let n = 0; n < treeRadix; n++) {
    if (slots[n] !== undefined) {
      bitmap |= 0x8000 >>> n;
      count++;
    }
  }
  const input = new Uint8Array(3 + count * hashBytes);
  input[0] = NODE_TAG;
  input[1] = bitmap >>> 8;
  input[2] = bitmap & 0xff;
  let at = 3;
  for (let n = 0; n < treeRadix; n++) {
    const h = slots[n];
    if (h !== undefined) {
      input.set(h.hash, at);
      at += hashBytes;
    }
  }
  return digest(input);
}

/** Nibble `depth` of `keyHash` (high nibble of byte 0 first): the slot the key takes at that depth. */
export function nibbleAt(keyHash: Uint8Array, depth: number): number {
  const byte = keyHash[depth >> 1] as number;
  return (depth & 1) === 0 ? byte >>> 4 : byte & 0x0f;
}

/** Where `key` sits in the tree. */
export function keyHashOf(key: Uint8Array): Uint8Array {
  return digest(key);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
