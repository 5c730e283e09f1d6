import { hashBytes, maxMerkleProofLength } from '../constants.js';
import { latin1Merkle, sha256, taggedSha256 } from '../crypto/hash.js';
import { InvalidValueError } from '../errors.js';

/**
 * Merkle trees of lists as RFC 6962 §2.1 (the Certificate Transparency tree; CometBFT uses the
 * same): leaves are SHA-256(0x00 ‖ item), inner nodes SHA-256(0x01 ‖ left ‖ right), the split is
 * at the largest power of two below the size, and the empty tree's root is SHA-256 of nothing.
 */
const LEAF = 0;
const NODE = 1;

export function leafHash(item: Uint8Array): Uint8Array {
  return taggedSha256(LEAF, item);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return taggedSha256(NODE, left, right);
}

/** Root of the tree over `items` (hashed as leaves first). */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256(new Uint8Array(0));
  if (latin1Merkle !== undefined) return latin1Root(items, latin1Merkle);
  const level = new Array<Uint8Array>(items.length);
  for (let i = 0; i < items.length; i++) level[i] = leafHash(items[i] as Uint8Array);
  return reduceLevels(level);
}

/**
 * Root over already-hashed leaves. Bottom-up, pairing left to right and carrying an odd last node
 * up unchanged — which builds exactly RFC 6962's tree, in O(n) hashes and no recursion.
 */
export function merkleRootOfLeaves(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  return reduceLevels(leaves.slice());
}

/** `merkleRoot` with every digest a latin1 string until the root (see `latin1Merkle`). */
function latin1Root(items: readonly Uint8Array[], hash: NonNullable<typeof latin1Merkle>): Uint8Array {
  const level = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) level[i] = hash.leaf(items[i] as Uint8Array);
  let length = level.length;
  while (length > 1) {
    let next = 0;
    for (let i = 0; i + 1 < length; i += 2)
      level[next++] = hash.node(level[i] as string, level[i + 1] as string);
    if (length % 2 === 1) level[next++] = level[length - 1] as string;
    length = next;
  }
  return hash.bytes(level[0] as string);
}

/** Hashes `level` up to its root in place: one array for the whole tree, one digest per node. */
function reduceLevels(level: Uint8Array[]): Uint8Array {
  let length = level.length;
  while (length > 1) {
    let next = 0;
    for (let i = 0; i + 1 < length; i += 2) {
      level[next++] = nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array);
    }
    if (length % 2 === 1) level[next++] = level[length - 1] as Uint8Array;
    length = next;
  }
  return level[0] as Uint8Array;
}

/** An inclusion proof (RFC 6962 §2.1.1 audit path) of leaf `index` in a tree of `size` leaves. */
export interface InclusionProof {
  readonly index: number;
  readonly size: number;
  readonly path: readonly Uint8Array[];
}

/** The audit path of `items[index]`, from the leaf's sibling up to the root's child. */
export function inclusionProof(items: readonly Uint8Array[], index: number): InclusionProof {
  if (!Number.isSafeInteger(index) || index < 0 || index >= items.length) {
    throw new InvalidValueError(`leaf index ${index} is outside a tree of ${items.length}`, { index });
  }
  const path: Uint8Array[] = [];
  let level = items.map(leafHash);
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    if (sibling < level.length) path.push(level[sibling] as Uint8Array);
    const next: Uint8Array[] = [];
    for (let k = 0; k + 1 < level.length; k += 2)
      next.push(nodeHash(level[k] as Uint8Array, level[k + 1] as Uint8Array));
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    level = next;
    i >>= 1;
  }
  return { index, size: items.length, path };
}

/**
 * Checks an audit path against `root` (the iterative algorithm of RFC 9162 §2.1.3.2). Anything
 * malformed — wrong hash lengths, an index outside the tree, a path too short or too long — gives
 * `false`.
 */
export function verifyInclusion(leaf: Uint8Array, proof: InclusionProof, root: Uint8Array): boolean {
  const { index, size, path } = proof;
  if (!isHash(leaf) || !isHash(root) || !Array.isArray(path) || path.length > maxMerkleProofLength)
    return false;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (!isHash(p) || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === hashBytes;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
