import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryKvStore } from '../kv/level-kv-store.js';
import { decodeProof, encodeProof, type StoreProof, verifyProof } from './proof.js';
import { referenceRoot } from './reference-root.js';
import { VersionedStore } from './versioned-store.js';

const enc = (s: string) => new TextEncoder().encode(s);

async function storeWith(entries: [string, string][]): Promise<VersionedStore> {
  const kv = new MemoryKvStore();
  await kv.start();
  const store = new VersionedStore({}, { kv });
  await store.start();
  await store.commit(
    await store.prepare(
      1,
      entries.map(([k, v]) => [enc(k), enc(v)] as const),
    ),
  );
  return store;
}

const entries: [string, string][] = Array.from({ length: 50 }, (_, i) => [`acct/${i}`, `balance ${i * 7}`]);

describe('store proofs', () => {
  it('prove membership of every key, and absence of others, against the app hash alone', async () => {
    const store = await storeWith(entries);
    const appHash = store.rootHash();
    expect(appHash).toEqual(referenceRoot(entries.map(([k, v]) => [enc(k), enc(v)])));
    for (const [k, v] of entries) {
      const { value, proof } = await store.prove(enc(k), 1);
      expect(value, k).toEqual(enc(v));
      expect(verifyProof(appHash, enc(k), enc(v), encodeProof(proof)), k).toBe(true);
      expect(verifyProof(appHash, enc(k), null, proof), `${k} claimed absent`).toBe(false);
      expect(verifyProof(appHash, enc(k), enc(`${v}!`), proof), `${k} with another value`).toBe(false);
    }
    const kinds = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const key = enc(`missing/${i}`);
      const { value, proof } = await store.prove(key, 1);
      expect(value).toBeNull();
      kinds.add(proof.leaf === null ? 'empty subtree' : 'other leaf');
      expect(verifyProof(appHash, key, null, proof), `missing/${i}`).toBe(true);
      expect(verifyProof(appHash, key, enc('x'), proof)).toBe(false);
    }
    expect([...kinds].sort()).toEqual(['empty subtree', 'other leaf']);
  });

  it('reject every tampered proof', async () => {
    const store = await storeWith(entries);
    const appHash = store.rootHash();
    const { proof } = await store.prove(enc('acct/3'), 1);
    const good = encodeProof(proof);
    expect(decodeProof(good)).toEqual(proof);
    const value = enc('balance 21');
    const flipped = (p: StoreProof, at: number): StoreProof => ({
      ...p,
      siblings: p.siblings.map((s, i) => (i === at ? s.map((b, j) => (j === 0 ? b ^ 1 : b)) : s)),
    });
    for (let i = 0; i < proof.siblings.length; i++) {
      expect(verifyProof(appHash, enc('acct/3'), value, flipped(proof, i)), `sibling ${i}`).toBe(false);
    }
    expect(verifyProof(appHash, enc('acct/3'), value, { ...proof, siblings: proof.siblings.slice(1) })).toBe(
      false,
    );
    expect(
      verifyProof(appHash, enc('acct/3'), value, {
        ...proof,
        siblings: [...proof.siblings, new Uint8Array(32)],
      }),
    ).toBe(false);
    expect(verifyProof(appHash, enc('acct/3'), value, { ...proof, leaf: null })).toBe(false);
    expect(
      verifyProof(
        appHash.map((b) => b ^ 0xff),
        enc('acct/3'),
        value,
        proof,
      ),
    ).toBe(false);
    expect(verifyProof(appHash, enc('acct/4'), value, proof)).toBe(false);
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const bytes = good.slice();
        bytes[at] = (bytes[at] as number) ^ x;
        expect(verifyProof(appHash, enc('acct/3'), value, bytes)).toBe(false);
      }),
    );
    expect(verifyProof(appHash, enc('acct/3'), value, new Uint8Array([1, 2, 3]))).toBe(false);
  });

  it('prove anything about an empty tree only as absence', async () => {
    const store = await storeWith([]);
    const { value, proof } = await store.prove(enc('a'), 1);
    expect(value).toBeNull();
    expect(verifyProof(store.rootHash(), enc('a'), null, proof)).toBe(true);
    expect(verifyProof(store.rootHash(), enc('a'), enc('b'), proof)).toBe(false);
  });
});
