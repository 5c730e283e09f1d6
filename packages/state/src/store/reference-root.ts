import { sha256 } from '@joule/consensus';
import { treeRadix } from '../constants.js';
import { emptyHash, leafHash, nibbleAt, nodeHash } from './hashing.js';

/**
 * The app hash of a whole key-value map, computed from scratch: the specification the incremental
 * tree must match (its key and value hashes by `@noble/hashes`, the store's by Node's OpenSSL). Used by tests and the crash test's model; O(n log n), never on a node's hot path.
 */
export function referenceRoot(entries: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const leaves = [...entries].map(([key, value]) => ({ keyHash: sha256(key), valueHash: sha256(value) }));
  return subtree(leaves, 0) ?? emptyHash;
}

/** An empty subtree is no slot at all; one leaf is that leaf; more are a node over their 16 groups. */
function subtree(
  leaves: readonly { keyHash: Uint8Array; valueHash: Uint8Array }[],
  depth: number,
): Uint8Array | undefined {
  if (leaves.length === 0) return undefined;
  if (leaves.length === 1) {
    const leaf = leaves[0] as { keyHash: Uint8Array; valueHash: Uint8Array };
    return leafHash(leaf.keyHash, leaf.valueHash);
  }
  const groups = Array.from({ length: treeRadix }, (_, n) =>
    subtree(
      leaves.filter((l) => nibbleAt(l.keyHash, depth) === n),
      depth + 1,
    ),
  );
  return nodeHash(groups.map((h) => (h === undefined ? undefined : { hash: h })));
}
