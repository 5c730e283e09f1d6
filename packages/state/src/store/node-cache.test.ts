import { describe, expect, it } from 'vitest';
import { defaultNodeCacheBytes } from '../constants.js';
import { MemoryKvStore } from '../kv/level-kv-store.js';
import { LruCache } from './node-cache.js';
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
