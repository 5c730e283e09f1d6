import { sha256 } from '@joule/consensus';
import { bitAt, emptyHash, internalHash, keyHashOf, leafHash } from './hashing.js';

/**
 * The app hash of a whole key-value map, computed from scratch: the specification the incremental
 * tree must match. Used by tests and the crash test's model; O(n log n), never on a node's hot path.
 */
export function referenceRoot(entries: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const leaves = [...entries].map(([key, value]) => ({ keyHash: keyHashOf(key), valueHash: sha256(value) }));
  return subtree(leaves, 0);
}

function subtree(
  leaves: readonly { keyHash: Uint8Array; valueHash: Uint8Array }[],
  depth: number,
): Uint8Array {
  if (leaves.length === 0) return emptyHash;
  if (leaves.length === 1) {
    const leaf = leaves[0] as { keyHash: Uint8Array; valueHash: Uint8Array };
    return leafHash(leaf.keyHash, leaf.valueHash);
  }
  const left = leaves.filter((l) => bitAt(l.keyHash, depth) === 0);
  const right = leaves.filter((l) => bitAt(l.keyHash, depth) === 1);
  return internalHash(subtree(left, depth + 1), subtree(right, depth + 1));
}
