import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxProofBytes } from '../constants.js';
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
    expect(proof.levels.length, 'acct/3 sits below the root node').toBeGreaterThan(0);
    const flipped = (p: StoreProof, at: number, sibling: number): StoreProof => ({
      ...p,
      levels: p.levels.map((l, i) =>
        i === at
          ? {
              ...l,
              siblings: l.siblings.map((s, j) =>
                j === sibling ? s.map((b, k) => (k === 0 ? b ^ 1 : b)) : s,
              ),
            }
          : l,
      ),
    });
    for (const [i, level] of proof.levels.entries()) {
      for (let j = 0; j < level.siblings.length; j++)
        expect(
          verifyProof(appHash, enc('acct/3'), value, flipped(proof, i, j)),
          `level ${i} sibling ${j}`,
        ).toBe(false);
      for (let bit = 0; bit < 16; bit++) {
        const moved = proof.levels.map((l, k) =>
          k === i ? { ...l, bitmap: l.bitmap ^ (0x8000 >>> bit) } : l,
        );
        expect(
          verifyProof(appHash, enc('acct/3'), value, { ...proof, levels: moved }),
          `level ${i} bit ${bit}`,
        ).toBe(false);
      }
      const dropped = proof.levels.map((l, k) => (k === i ? { ...l, siblings: l.siblings.slice(1) } : l));
      expect(
        verifyProof(appHash, enc('acct/3'), value, { ...proof, levels: dropped }),
        `level ${i} short`,
      ).toBe(false);
    }
    expect(verifyProof(appHash, enc('acct/3'), value, { ...proof, levels: proof.levels.slice(1) })).toBe(
      false,
    );
    expect(
      verifyProof(appHash, enc('acct/3'), value, {
        ...proof,
        levels: [...proof.levels, { bitmap: 0x8000, siblings: [] }],
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

  it('reject a forged absence proof for a present key whose leaf splits keyHash‖valueHash differently', async () => {
    const store = await storeWith(entries);
    const appHash = store.rootHash();
    const key = enc('acct/3');
    const { proof } = await store.prove(key, 1);
    const leaf = proof.leaf as NonNullable<StoreProof['leaf']>;
    const joined = new Uint8Array([...leaf.keyHash, ...leaf.valueHash]);
    for (const cut of [31, 33, 40, 63]) {
      const forged = {
        leaf: { keyHash: joined.slice(0, cut), valueHash: joined.slice(cut) },
        levels: proof.levels,
      };
      expect(verifyProof(appHash, key, null, forged), `absence with a leaf cut at ${cut}`).toBe(false);
    }
    expect(verifyProof(appHash, key, enc('balance 21'), proof)).toBe(true);
  });

  it('are total over malformed proof objects: false, never a throw', async () => {
    const store = await storeWith(entries);
    const appHash = store.rootHash();
    const key = enc('acct/3');
    const { proof } = await store.prove(key, 1);
    const level = (siblings: unknown, bitmap: unknown = 0x8000) => ({ bitmap, siblings });
    const bad: unknown[] = [
      { levels: [] },
      { leaf: null },
      {},
      null,
      undefined,
      42,
      'proof',
      { leaf: null, levels: [level([new Uint8Array(31)])] },
      { leaf: null, levels: [level(['x'.repeat(32)])] },
      {
        leaf: null,
        levels: [
          level(
            Array.from({ length: 16 }, () => new Uint8Array(32)),
            0xffff,
          ),
        ],
      },
      { leaf: null, levels: [level([], -1)] },
      { leaf: null, levels: [level([], 0x10000)] },
      { leaf: null, levels: [level([], 1.5)] },
      { leaf: null, levels: [{ bitmap: 0 }] },
      { leaf: null, levels: Array.from({ length: 65 }, () => level([new Uint8Array(32)], 0xc000)) },
      { leaf: { keyHash: new Uint8Array(32) }, levels: [] },
      { leaf: { keyHash: new Uint8Array(32), valueHash: [1, 2] }, levels: [] },
      { ...proof, extra: 1 },
      { ...proof, levels: { length: 1, 0: level([]) } },
      { ...proof, leaf: { ...proof.leaf, extra: 1 } },
      { ...proof, levels: proof.levels.map((l) => ({ ...l, extra: 1 })) },
    ];
    for (const [i, p] of bad.entries()) {
      for (const value of [null, enc('balance 21')]) {
        let verdict: unknown;
        expect(() => {
          verdict = verifyProof(appHash, key, value, p as StoreProof);
        }, `proof ${i} must not throw`).not.toThrow();
        expect(verdict, `proof ${i}`).toBe(false);
      }
    }
  });

  it('decode the largest proof (64 full levels and a leaf) within maxProofBytes', () => {
    const largest: StoreProof = {
      leaf: { keyHash: new Uint8Array(32).fill(1), valueHash: new Uint8Array(32).fill(2) },
      levels: Array.from({ length: 64 }, () => ({
        bitmap: 0xffff,
        siblings: Array.from({ length: 15 }, () => new Uint8Array(32).fill(3)),
      })),
    };
    const bytes = encodeProof(largest);
    expect(bytes.length, `${bytes.length} encoded bytes`).toBeLessThanOrEqual(maxProofBytes);
    expect(decodeProof(bytes)).toEqual(largest);
  });
});
