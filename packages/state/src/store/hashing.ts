import { hashBytes, sha256 } from '@joule/consensus';

/**
 * Hashing of the sparse Merkle tree. A leaf commits to SHA-256(key) and SHA-256(value) and does not
 * depend on where it sits, so moving a leaf up or down the tree never changes its hash; an internal
 * node commits to its two children; an empty subtree is 32 zero bytes. The one-byte tags keep a leaf
 * from ever passing for an internal node.
 */
const LEAF_TAG = new Uint8Array([0x00]);
const INTERNAL_TAG = new Uint8Array([0x01]);

/** Hash of an empty subtree (and the root of an empty tree). */
export const emptyHash: Uint8Array = new Uint8Array(hashBytes);

export function leafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return tagged(LEAF_TAG, keyHash, valueHash);
}

export function internalHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return tagged(INTERNAL_TAG, left, right);
}

/** SHA-256(tag ‖ a ‖ b) over one buffer: a single-shot hash allocates far less than a streamed one. */
function tagged(tag: Uint8Array, a: Uint8Array, b: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + a.length + b.length);
  input[0] = tag[0] as number;
  input.set(a, 1);
  input.set(b, 1 + a.length);
  return sha256(input);
}

/** Bit `depth` of `keyHash`, most significant bit of byte 0 first: 0 goes left, 1 goes right. */
export function bitAt(keyHash: Uint8Array, depth: number): 0 | 1 {
  return (((keyHash[depth >> 3] as number) >> (7 - (depth & 7))) & 1) as 0 | 1;
}

/** Where `key` sits in the tree. */
export function keyHashOf(key: Uint8Array): Uint8Array {
  return sha256(key);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
