import { describe, expect, it } from 'vitest';
import { LruCache } from './node-cache.js';

describe('LruCache', () => {
  it('stays within its bound and keeps recently used entries', () => {
    const cache = new LruCache<number>(10);
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
});
