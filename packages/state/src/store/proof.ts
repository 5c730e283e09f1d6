import {
  type Codec,
  decode,
  encode,
  hash,
  hashBytes,
  list,
  nullable,
  sha256,
  struct,
} from '@joule/consensus';
import { maxProofBytes, treeDepthBits } from '../constants.js';
import { bitAt, bytesEqual, emptyHash, internalHash, keyHashOf, leafHash } from './hashing.js';

/** The leaf a proof ends at: SHA-256 of its key and of its value. */
export interface ProofLeaf {
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
}

/**
 * A proof that a key has a value, or has none, in the tree whose root is an app hash. `siblings`
 * are the hashes beside the path of SHA-256(key), from the root's children down; the path ends at
 * `leaf` or, when `leaf` is `null`, at an empty subtree. Absence is proven either by that empty
 * subtree or by another key's leaf sitting where the key would be (leaves sit at the shallowest depth
 * where they are alone).
 */
export interface StoreProof {
  readonly leaf: ProofLeaf | null;
  readonly siblings: readonly Uint8Array[];
}

export const storeProofCodec: Codec<StoreProof> = struct<StoreProof>('StoreProof', {
  leaf: nullable(struct<ProofLeaf>('ProofLeaf', { keyHash: hash, valueHash: hash })),
  siblings: list(hash, treeDepthBits) as Codec<readonly Uint8Array[]>,
});

export function encodeProof(proof: StoreProof): Uint8Array {
  return encode(storeProofCodec, proof);
}

/** Decodes a proof strictly; throws `DecodeError` on anything malformed. */
export function decodeProof(bytes: Uint8Array): StoreProof {
  return decode(storeProofCodec, bytes, { maxBytes: maxProofBytes });
}

/**
 * Checks, with nothing but the app hash, that `key` maps to `value` (or, with `value === null`, that
 * `key` is absent). Pure and total: a malformed, tampered or mismatched proof gives `false`, never
 * a throw. A proof given as an object is held to the codec's shape (a leaf of two 32-byte hashes or
 * `null`, at most 256 siblings of 32 bytes, no other fields): otherwise a leaf whose 64 bytes of
 * `keyHash ‖ valueHash` were split elsewhere would hash the same and pass for another key's leaf.
 */
export function verifyProof(
  appHash: Uint8Array,
  key: Uint8Array,
  value: Uint8Array | null,
  proof: StoreProof | Uint8Array,
): boolean {
  try {
    if (!(appHash instanceof Uint8Array) || !(key instanceof Uint8Array)) return false;
    if (value !== null && !(value instanceof Uint8Array)) return false;
    const p = proof instanceof Uint8Array ? decodeProof(proof) : proof;
    if (!isProof(p)) return false;
    const root = rootOf(key, value, p);
    return root !== null && bytesEqual(root, appHash);
  } catch {
    return false;
  }
}

/** The root that `proof` gives for `key` ↦ `value` (or absence), or `null` when the proof cannot hold. */
function rootOf(key: Uint8Array, value: Uint8Array | null, p: StoreProof): Uint8Array | null {
  const keyHash = keyHashOf(key);
  const depth = p.siblings.length;
  let node: Uint8Array;
  if (value !== null) {
    if (p.leaf === null || !bytesEqual(p.leaf.keyHash, keyHash)) return null;
    if (!bytesEqual(p.leaf.valueHash, sha256(value))) return null;
    node = leafHash(p.leaf.keyHash, p.leaf.valueHash);
  } else if (p.leaf === null) {
    node = emptyHash;
  } else {
    // Another key's leaf where this key would be: it must share the path so far, and differ.
    if (bytesEqual(p.leaf.keyHash, keyHash) || !samePrefix(p.leaf.keyHash, keyHash, depth)) return null;
    node = leafHash(p.leaf.keyHash, p.leaf.valueHash);
  }
  for (let d = depth - 1; d >= 0; d--) {
    const sibling = p.siblings[d] as Uint8Array;
    node = bitAt(keyHash, d) === 0 ? internalHash(node, sibling) : internalHash(sibling, node);
  }
  return node;
}

/** The shape `storeProofCodec` decodes to, and nothing else. */
function isProof(p: unknown): p is StoreProof {
  if (!hasExactly(p, ['leaf', 'siblings'])) return false;
  const { leaf, siblings } = p as { leaf: unknown; siblings: unknown };
  if (leaf !== null) {
    if (!hasExactly(leaf, ['keyHash', 'valueHash'])) return false;
    const { keyHash, valueHash } = leaf as ProofLeaf;
    if (!isHash(keyHash) || !isHash(valueHash)) return false;
  }
  return Array.isArray(siblings) && siblings.length <= treeDepthBits && siblings.every(isHash);
}

function hasExactly(o: unknown, keys: readonly string[]): boolean {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  const own = Object.keys(o);
  return own.length === keys.length && keys.every((k) => Object.hasOwn(o, k));
}

function isHash(h: unknown): boolean {
  return h instanceof Uint8Array && h.length === hashBytes;
}

function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let d = 0; d < bits; d++) if (bitAt(a, d) !== bitAt(b, d)) return false;
  return true;
}
