import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenCache } from './seen-cache.js';

describe('SeenCache', () => {
  it('evicts the least recently pushed key', () => {
    const cache = new SeenCache(2);
    cache.push('a');
    cache.push('b');
    cache.push('a'); // refresh: b is now the oldest
    cache.push('c');
    expect([cache.has('a'), cache.has('b'), cache.has('c')], 'b evicted').toEqual([true, false, true]);
  });

  it('with capacity 0 remembers nothing', () => {
    const cache = new SeenCache(0);
    cache.push('a');
    expect(cache.has('a')).toBe(false);
  });

  it('never holds more than its capacity and always holds the latest push', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 }))),
        (capacity, ops) => {
          const cache = new SeenCache(capacity);
          for (const [push, n] of ops) {
            const key = String(n);
            if (push) {
              cache.push(key);
              expect(cache.has(key), 'just pushed').toBe(true);
            } else cache.remove(key);
            expect(cache.size, 'bound').toBeLessThanOrEqual(capacity);
          }
        },
      ),
    );
  });
});
