import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultNodeCacheBytes, nodeCacheTopShare } from '../constants.js';
import { MemoryKvStore } from '../kv/level-kv-store.js';
import { LruCache, NodeCache, topPlaces } from './node-cache.js';
import { referenceRoot } from './reference-root.js';
import { VersionedStore } from './versioned-store.js';

describe('LruCache', () => {
  it('stays within its entry bound and keeps recently used entries', () => {
    const cache = new LruCache<number>({ maxEntries: 10, maxBytes: 1_000_000 }, () => 1);
    for (let i = 0; i < 100; i++) {
      cache.set(`k${i}`, i);
      expect(cache.get('k0'), `k0 after ${i} inserts`).toBe(0);
      expect(cache.size).toBeLessThanOrEqual(10);
    }
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.get('k99')).toBe(99);
    cache.delete('k99');
    expect(cache.get('k99')).toBeUndefined();
  });

  it('stays within its byte bound when entries are large', () => {
    const maxBytes = 1024 * 1024;
    const cache = new LruCache<Uint8Array>({ maxEntries: 1_000_000, maxBytes }, (v) => v.length);
    for (let i = 0; i < 200; i++) {
      cache.set(`k${i}`, new Uint8Array(64 * 1024));
      expect(cache.bytes, `after ${i + 1} entries of 64 KiB`).toBeLessThanOrEqual(maxBytes);
    }
    expect(cache.get('k199')).toBeDefined();
    cache.set('k199', new Uint8Array(1024));
    expect(cache.get('k199')?.length, 'replaced in place').toBe(1024);
    cache.set('huge', new Uint8Array(maxBytes));
    expect(cache.get('huge'), 'an entry larger than a generation is not cached').toBeUndefined();
    cache.set('k199', new Uint8Array(maxBytes));
    expect(cache.get('k199'), 'nor is the entry it replaces kept').toBeUndefined();
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
  });

  it('counts the bytes of an entry replaced in place or moved between generations', () => {
    const cache = new LruCache<Uint8Array, number>({ maxEntries: 8, maxBytes: 1_000 }, (v) => v.length);
    const sizes = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const key = (i * 7) % 11;
      const size = 1 + ((i * 13) % 120);
      cache.set(key, new Uint8Array(size));
      sizes.set(key, size);
      let held = 0;
      for (const k of sizes.keys()) held += cache.get(k)?.length ?? 0;
      expect(cache.bytes, `after set ${i}`).toBe(held);
      expect(cache.bytes).toBeLessThanOrEqual(1_000);
    }
  });
});

describe('the node cache of the authenticated store', () => {
  it('is bounded in bytes, by default small enough for a 1 GB board', async () => {
    expect(defaultNodeCacheBytes).toBeLessThanOrEqual(32 * 1024 * 1024);
    const kv = new MemoryKvStore();
    await kv.start();
    const nodeCacheBytes = 2 * 1024 * 1024;
    const store = new VersionedStore({ nodeCacheBytes }, { kv });
    await store.start();
    for (let v = 1; v <= 10; v++) {
      const ops = Array.from(
        { length: 20 },
        (_, i) => [new TextEncoder().encode(`big/${v}/${i}`), new Uint8Array(60 * 1024).fill(v)] as const,
      );
      await store.commit(await store.prepare(v, ops));
      expect(store.cacheBytes, `after version ${v}`).toBeLessThanOrEqual(nodeCacheBytes);
    }
    expect(store.cacheBytes).toBeGreaterThan(0);
  });
});

describe('NodeCache', () => {
  interface Entry {
    readonly id: number;
    readonly bytes: number;
  }
  // Places: numbers of the top levels, deeper numbers, and the strings of the deepest levels.
  const arbPlace = fc.oneof(
    fc.nat(40),
    fc.integer({ min: topPlaces - 5, max: topPlaces - 1 }),
    fc.integer({ min: topPlaces, max: topPlaces + 40 }),
    fc.nat(20).map((n) => `14:${n.toString(16)}`),
  );
  const arbOp = fc.oneof(
    fc.tuple(fc.constant('set' as const), arbPlace, fc.integer({ min: 1, max: 300 })),
    fc.tuple(fc.constant('delete' as const), arbPlace, fc.constant(0)),
  );

  it('answers each place with its last entry or nothing, and stays within its entry and byte bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 100, max: 4000 }),
        fc.array(arbOp, { maxLength: 300 }),
        (maxEntries, maxBytes, ops) => {
          const cache = new NodeCache<Entry>({ maxEntries, maxBytes });
          const last = new Map<string | number, Entry>();
          let id = 0;
          for (const [kind, place, bytes] of ops) {
            if (kind === 'set') {
              const entry = { id: id++, bytes };
              cache.set(place, entry);
              last.set(place, entry);
            } else {
              cache.delete(place);
              last.delete(place);
            }
            expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
            expect(cache.size).toBeLessThanOrEqual(maxEntries);
          }
          // A read moves an entry between the LRU's generations, so the count is checked by taking
          // each place out: it holds its last entry or nothing, and gives back what it counted.
          for (const [p, entry] of last) {
            const hit = cache.get(p);
            if (hit !== undefined) expect(hit, `place ${p}: its last entry or nothing`).toBe(entry);
            const bytes = cache.bytes;
            const size = cache.size;
            cache.delete(p);
            expect(bytes - cache.bytes, `bytes given back by place ${p}`).toBe(hit?.bytes ?? 0);
            expect(size - cache.size, `entries given back by place ${p}`).toBe(hit === undefined ? 0 : 1);
          }
          expect(cache.bytes).toBe(0);
          expect(cache.size).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the top levels while deeper nodes churn through the rest', () => {
    const cache = new NodeCache<Entry>({ maxEntries: 600, maxBytes: 1_000_000 });
    for (let place = 0; place < 273; place++) cache.set(place, { id: place, bytes: 1_000 });
    for (let i = 0; i < 10_000; i++) cache.set(topPlaces + i, { id: -i, bytes: 100 });
    for (let place = 0; place < 273; place++) expect(cache.get(place)?.id, `place ${place}`).toBe(place);
    expect(cache.get(topPlaces), 'an early deep node is gone').toBeUndefined();
    expect(cache.size).toBeLessThanOrEqual(600);
  });

  it('holds one entry a place when a top place moves from the deeper cache to the top', () => {
    const maxEntries = 12;
    const topEntries = Math.floor(maxEntries * nodeCacheTopShare); // 6
    const cache = new NodeCache<Entry>({ maxEntries, maxBytes: 1_000_000 });
    for (let place = 0; place < topEntries; place++) cache.set(place, { id: place, bytes: 10 });
    cache.set(topEntries, { id: 6, bytes: 7 }); // the top is full: to the deeper cache
    expect(cache.size).toBe(topEntries + 1);
    cache.delete(0);
    cache.set(topEntries, { id: 60, bytes: 5 }); // room at the top now: the deeper copy goes
    expect(cache.get(topEntries)?.id).toBe(60);
    expect(cache.size).toBe(topEntries);
    expect(cache.bytes).toBe(10 * (topEntries - 1) + 5);
    cache.delete(topEntries);
    expect(cache.get(topEntries)).toBeUndefined();
    expect(cache.bytes).toBe(10 * (topEntries - 1));
  });

  it("gives the top levels at most their share; the rest of them go to the deeper nodes' cache", () => {
    const cache = new NodeCache<Entry>({ maxEntries: 100, maxBytes: 1_000_000 });
    const topEntries = Math.floor(100 * nodeCacheTopShare);
    for (let place = 0; place < 100; place++) cache.set(place, { id: place, bytes: 10 });
    for (let place = 0; place < topEntries; place++)
      expect(cache.get(place)?.id, `top place ${place}`).toBe(place);
    expect(cache.get(99)?.id, 'the last one, in the deeper cache').toBe(99);
    expect(cache.size).toBeLessThanOrEqual(100);
    for (let i = 0; i < 1_000; i++) cache.set(topPlaces + i, { id: -i, bytes: 10 });
    for (let place = 0; place < topEntries; place++)
      expect(cache.get(place)?.id, `top place ${place}`).toBe(place);
    expect(cache.size).toBeLessThanOrEqual(100);
  });
});

describe('the authenticated store with node caches of any bound', () => {
  it('computes the reference root whichever nodes its cache keeps', async () => {
    const key = (i: number) => new TextEncoder().encode(`k/${i}`);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          { nodeCacheEntries: 1 },
          { nodeCacheEntries: 3 },
          { nodeCacheEntries: 5_000, nodeCacheBytes: 8 * 1024 },
          { nodeCacheEntries: 5_000, nodeCacheBytes: 64 * 1024 },
        ),
        fc.array(fc.array(fc.tuple(fc.nat(3000), fc.boolean()), { maxLength: 200 }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (options, blocks) => {
          const kv = new MemoryKvStore();
          await kv.start();
          const store = new VersionedStore(options, { kv });
          await store.start();
          // Every version starts from 2 000 keys, so paths reach depth 3 and below.
          const model = new Map<number, Uint8Array>();
          const base = Array.from({ length: 2_000 }, (_, i) => [key(i), new Uint8Array([i & 0xff])] as const);
          for (let i = 0; i < 2_000; i++) model.set(i, new Uint8Array([i & 0xff]));
          await store.commit(await store.prepare(1, base));
          for (let v = 2; v <= blocks.length + 1; v++) {
            const ops = (blocks[v - 2] ?? []).map(
              ([k, put]) => [key(k), put ? new Uint8Array([v, k & 0xff]) : null] as const,
            );
            for (const [k, put] of blocks[v - 2] ?? []) {
              if (put) model.set(k, new Uint8Array([v, k & 0xff]));
              else model.delete(k);
            }
            await store.commit(await store.prepare(v, ops));
            const expected = referenceRoot([...model].map(([k, value]) => [key(k), value] as const));
            expect(Buffer.from(store.rootHash()).toString('hex'), `root at ${v}`).toBe(
              Buffer.from(expected).toString('hex'),
            );
            expect(store.cacheBytes).toBeLessThanOrEqual(options.nodeCacheBytes ?? defaultNodeCacheBytes);
          }
          await kv.stop();
        },
      ),
      { numRuns: 12 },
    );
  });
});
