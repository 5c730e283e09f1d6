import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, sha256, sha256Noble, toHex } from '../crypto/hash.js';
import { readVectors } from '../testkit/vectors.js';
import {
  inclusionProof,
  leafHash,
  merkleRoot,
  merkleRootOfLeaves,
  nodeHash,
  verifyInclusion,
} from './rfc6962.js';

const vectors = readVectors<{
  leaves: string[];
  roots: string[];
  inclusion: { index: number; size: number; path: string[] }[];
}>('rfc6962.json');
const leaves = vectors.leaves.map(fromHex);

/** RFC 6962 §2.1 as written: recursive split at the largest power of two below n. */
function referenceRoot(items: Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256(new Uint8Array(0));
  if (items.length === 1) return leafHash(items[0] as Uint8Array);
  let k = 1;
  while (k * 2 < items.length) k *= 2;
  return nodeHash(referenceRoot(items.slice(0, k)), referenceRoot(items.slice(k)));
}

/** The same tree hashed by @noble/hashes alone, on concatenated bytes: independent of the native path. */
function nobleRoot(items: Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256Noble(new Uint8Array(0));
  if (items.length === 1) return sha256Noble(new Uint8Array([0, ...(items[0] as Uint8Array)]));
  let k = 1;
  while (k * 2 < items.length) k *= 2;
  return sha256Noble(new Uint8Array([1, ...nobleRoot(items.slice(0, k)), ...nobleRoot(items.slice(k))]));
}

describe('RFC 6962 Merkle trees', () => {
  it('equal the tree hashed by noble alone, for any list of items', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), (items) => {
        const root = merkleRoot(items);
        expect(root, `${items.length} items`).toEqual(nobleRoot(items));
        expect(root.constructor, 'a plain Uint8Array').toBe(Uint8Array);
      }),
    );
  });

  it('match the published tree head for every size 0..8', () => {
    for (let n = 0; n <= 8; n++)
      expect(toHex(merkleRoot(leaves.slice(0, n))), `size ${n}`).toBe(vectors.roots[n]);
  });

  it('produce the published audit paths, which verify', () => {
    for (const v of vectors.inclusion) {
      const proof = inclusionProof(leaves.slice(0, v.size), v.index);
      expect(proof.path.map(toHex), `leaf ${v.index} of ${v.size}`).toEqual(v.path);
      const root = fromHex(vectors.roots[v.size] as string);
      expect(verifyInclusion(leafHash(leaves[v.index] as Uint8Array), proof, root)).toBe(true);
    }
  });

  it('agree with the recursive definition, and every proof verifies, for sizes 1..70', () => {
    for (let n = 1; n <= 70; n++) {
      const items = Array.from({ length: n }, (_, i) => new Uint8Array([i, n]));
      const root = merkleRoot(items);
      expect(toHex(root), `size ${n}`).toBe(toHex(referenceRoot(items)));
      expect(merkleRootOfLeaves(items.map(leafHash))).toEqual(root);
      for (let i = 0; i < n; i++) {
        expect(
          verifyInclusion(leafHash(items[i] as Uint8Array), inclusionProof(items, i), root),
          `leaf ${i}/${n}`,
        ).toBe(true);
      }
    }
  });

  it('reject tampered, truncated, extended or misplaced proofs', () => {
    for (let n = 2; n <= 33; n++) {
      const items = Array.from({ length: n }, (_, i) => new Uint8Array([i]));
      const root = merkleRoot(items);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(items, i);
        const leaf = leafHash(items[i] as Uint8Array);
        const flipped = proof.path.map((p) => p.slice());
        const first = flipped[0] as Uint8Array;
        first[0] = (first[0] as number) ^ 1;
        expect(verifyInclusion(leaf, { ...proof, path: flipped }, root), `flipped ${i}/${n}`).toBe(false);
        expect(
          verifyInclusion(leaf, { ...proof, path: proof.path.slice(1) }, root),
          `truncated ${i}/${n}`,
        ).toBe(false);
        expect(
          verifyInclusion(leaf, { ...proof, path: [...proof.path, root] }, root),
          `extended ${i}/${n}`,
        ).toBe(false);
        expect(verifyInclusion(leaf, { ...proof, index: (i + 1) % n }, root), `moved ${i}/${n}`).toBe(false);
        expect(verifyInclusion(leaf, { ...proof, index: n }, root)).toBe(false);
        expect(verifyInclusion(leaf.subarray(1), proof, root)).toBe(false);
      }
    }
  });

  it('refuse to prove a leaf outside the tree', () => {
    expect(() => inclusionProof(leaves, 8)).toThrow(/outside/);
    expect(() => inclusionProof([], 0)).toThrow(/outside/);
  });
});
