import { type Codec, decode, encode, hash, hashBytes, list, nullable, struct, uint } from '@joule/consensus';
import { maxProofBytes, treeDepthNibbles, treeRadix } from '../constants.js';
import { bytesEqual, digest, emptyHash, keyHashOf, leafHash, nibbleAt, nodeHash } from './hashing.js';

/** The leaf a proof ends at: SHA-256 of its key and of its value. */
export interface ProofLeaf {
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
}

/**
 * One node on the key's path: which of its 16 slots are occupied (`bitmap`, slot 0 the most
 * significant bit) and the hashes of the occupied slots other than the path's, in slot order.
 */
export interface ProofLevel {
  readonly bitmap: number;
  readonly siblings: readonly Uint8Array[];
}

/**
 * A proof that a key has a value, or has none, in the tree whose root is an app hash. `levels` are
 * the nodes on the path of SHA-256(key), root first, one per nibble; the path ends at `leaf` or,
 * when `leaf` is `null`, at an empty slot (or an empty tree). Absence is proven either by that
 * empty slot or by another key's leaf sitting where the key would be (a leaf sits in the shallowest
 * slot where it is alone).
 */
export interface StoreProof {
  readonly leaf: ProofLeaf | null;
  readonly levels: readonly ProofLevel[];
}

const levelCodec: Codec<ProofLevel> = struct<ProofLevel>('ProofLevel', {
  bitmap: uint(),
  siblings: list(hash, treeRadix - 1) as Codec<readonly Uint8Array[]>,
});

export const storeProofCodec: Codec<StoreProof> = struct<StoreProof>('StoreProof', {
  leaf: nullable(struct<ProofLeaf>('ProofLeaf', { keyHash: hash, valueHash: hash })),
  levels: list(levelCodec, treeDepthNibbles) as Codec<readonly ProofLevel[]>,
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
 * `null`, at most 64 levels of a 16-bit map and 32-byte hashes, no other fields).
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
  const depth = p.levels.length;
  let node: Uint8Array | undefined;
  if (value !== null) {
    if (p.leaf === null || !bytesEqual(p.leaf.keyHash, keyHash)) return null;
    if (!bytesEqual(p.leaf.valueHash, digest(value))) return null;
    node = leafHash(p.leaf.keyHash, p.leaf.valueHash);
  } else if (p.leaf === null) {
    // An empty slot; with no level at all, an empty tree.
    if (depth === 0) return emptyHash;
    node = undefined;
  } else {
    // Another key's leaf where this key would be: it must share the path so far, and differ.
    if (bytesEqual(p.leaf.keyHash, keyHash) || !samePrefix(p.leaf.keyHash, keyHash, depth)) return null;
    node = leafHash(p.leaf.keyHash, p.leaf.valueHash);
  }
  for (let d = depth - 1; d >= 0; d--) {
    const level = p.levels[d] as ProofLevel;
    const own = nibbleAt(keyHash, d);
    const ownBit = (level.bitmap & (0x8000 >>> own)) !== 0;
    if (ownBit !== (node !== undefined)) return null;
    const hashes: (Uint8Array | undefined)[] = new Array(treeRadix).fill(undefined);
    let next = 0;
    for (let n = 0; n < treeRadix; n++) {
      if ((level.bitmap & (0x8000 >>> n)) === 0) continue;
      if (n === own) hashes[n] = node;
      else hashes[n] = level.siblings[next++];
      if (hashes[n] === undefined) return null;
    }
    if (next !== level.siblings.length) return null;
    node = nodeHash(hashes.map((h) => (h === undefined ? undefined : { hash: h })));
  }
  return node ?? null;
}

/** The shape `storeProofCodec` decodes to, and nothing else. */
function isProof(p: unknown): p is StoreProof {
  if (!hasExactly(p, ['leaf', 'levels'])) return false;
  const { leaf, levels } = p as { leaf: unknown; levels: unknown };
  if (leaf !== null) {
    if (!hasExactly(leaf, ['keyHash', 'valueHash'])) return false;
    const { keyHash, valueHash } = leaf as ProofLeaf;
    if (!isHash(keyHash) || !isHash(valueHash)) return false;
  }
  return Array.isArray(levels) && levels.length <= treeDepthNibbles && levels.every(isLevel);
}

function isLevel(l: unknown): boolean {
  if (!hasExactly(l, ['bitmap', 'siblings'])) return false;
  const { bitmap, siblings } = l as { bitmap: unknown; siblings: unknown };
  return (
    Number.isInteger(bitmap) &&
    (bitmap as number) >= 0 &&
    (bitmap as number) <= 0xffff &&
    Array.isArray(siblings) &&
    siblings.length < treeRadix &&
    siblings.every(isHash)
  );
}

function hasExactly(o: unknown, keys: readonly string[]): boolean {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  const own = Object.keys(o);
  return own.length === keys.length && keys.every((k) => Object.hasOwn(o, k));
}

function isHash(h: unknown): boolean {
  return h instanceof Uint8Array && h.length === hashBytes;
}

function samePrefix(a: Uint8Array, b: Uint8Array, nibbles: number): boolean {
  for (let d = 0; d < nibbles; d++) if (nibbleAt(a, d) !== nibbleAt(b, d)) return false;
  return true;
}
