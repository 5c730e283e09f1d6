import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../errors.js';
import { BoundedCache, bytesKey } from './bounded-cache.js';

/** The same cache written the obvious way: an array from the least to the most recently used. */
class ModelCache {
  entries: { key: number; value: number; size: number }[] = [];
  hits = 0;
  misses = 0;
  evictions = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  bytes(): number {
    return this.entries.reduce((sum, e) => sum + e.size, 0);
  }

  index(key: number): number {
    return this.entries.findIndex((e) => e.key === key);
  }

  get(key: number): number | undefined {
    const i = this.index(key);
    if (i < 0) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    const [entry] = this.entries.splice(i, 1);
    this.entries.push(entry as { key: number; value: number; size: number });
    return entry?.value;
  }

  has(key: number): boolean {
    const found = this.index(key) >= 0;
    if (found) this.hits += 1;
    else this.misses += 1;
    return found;
  }

  peek(key: number): number | undefined {
    return this.entries[this.index(key)]?.value;
  }

  set(key: number, value: number, size: number): boolean {
    const i = this.index(key);
    if (i >= 0) this.entries.splice(i, 1);
    if (this.maxEntries === 0 || size > this.maxBytes) return false;
    this.entries.push({ key, value, size });
    while (this.entries.length > this.maxEntries || this.bytes() > this.maxBytes) {
      this.entries.shift();
      this.evictions += 1;
    }
    return true;
  }

  delete(key: number): boolean {
    const i = this.index(key);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }
}

type Op =
  | { kind: 'get' | 'has' | 'peek' | 'delete'; key: number }
  | { kind: 'set'; key: number; value: number; size: number }
  | { kind: 'clear' };

const key = fc.integer({ min: 0, max: 24 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.nat(), size: fc.nat(40) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constantFrom('get' as const, 'has' as const, 'peek' as const), key }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('BoundedCache', () => {
  it('behaves as the naive model: same answers, entries in the same order, same statistics', () => {
    fc.assert(
      fc.property(
        fc.nat(10),
        fc.option(fc.nat(120), { nil: undefined }),
        fc.array(op, { maxLength: 300 }),
        (maxEntries, maxBytes, ops) => {
          /** The size of each value, as the last `set` of it said. */
          const sizes = new Map<number, number>();
          const cache = new BoundedCache<number, number>({
            maxEntries,
            ...(maxBytes === undefined ? {} : { maxBytes }),
            sizeOf: (_k, v) => sizes.get(v) ?? 0,
          });
          const model = new ModelCache(maxEntries, maxBytes ?? Number.POSITIVE_INFINITY);
          for (const [step, o] of ops.entries()) {
            const at = `step ${step} (${JSON.stringify(o)})`;
            switch (o.kind) {
              case 'set':
                sizes.set(o.value, o.size);
                expect(cache.set(o.key, o.value), at).toBe(
                  model.set(o.key, o.value, sizes.get(o.value) ?? 0),
                );
                break;
              case 'get':
                expect(cache.get(o.key), at).toBe(model.get(o.key));
                break;
              case 'has':
                expect(cache.has(o.key), at).toBe(model.has(o.key));
                break;
              case 'peek':
                expect(cache.peek(o.key), at).toBe(model.peek(o.key));
                break;
              case 'delete':
                expect(cache.delete(o.key), at).toBe(model.delete(o.key));
                break;
              case 'clear':
                cache.clear();
                model.entries = [];
                break;
            }
            expect([...cache.keys()], at).toEqual(model.entries.map((e) => e.key));
            expect(cache.stats(), at).toEqual({
              entries: model.entries.length,
              bytes: model.bytes(),
              hits: model.hits,
              misses: model.misses,
              evictions: model.evictions,
            });
            expect(cache.size, at).toBeLessThanOrEqual(maxEntries);
            if (maxBytes !== undefined) expect(cache.bytes, at).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });

  it('evicts the least recently used entry; get refreshes recency, has and peek do not', () => {
    const cache = new BoundedCache<string, number>({ maxEntries: 3 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a'), 'a held').toBe(1);
    expect(cache.has('b'), 'b held').toBe(true);
    expect(cache.peek('b'), 'b peeked').toBe(2);
    cache.set('d', 4);
    expect([...cache.keys()], 'b was the least recently used').toEqual(['c', 'a', 'd']);
    expect(cache.stats()).toEqual({ entries: 3, bytes: 0, hits: 2, misses: 0, evictions: 1 });
  });

  it('bounds bytes: evicts until the new entry fits, and refuses an entry larger than the bound', () => {
    const cache = new BoundedCache<string, string>({
      maxEntries: 100,
      maxBytes: 10,
      sizeOf: (k, v) => k.length + v.length,
    });
    cache.set('a', 'xxxx');
    cache.set('b', 'xxxx');
    cache.set('c', 'xxxx');
    expect([...cache.keys()], 'a evicted for c').toEqual(['b', 'c']);
    expect(cache.bytes, 'two entries of 5 bytes').toBe(10);
    expect(cache.set('d', 'x'.repeat(10)), 'an entry of 11 bytes').toBe(false);
    expect([...cache.keys()], 'nothing evicted for a refused entry').toEqual(['b', 'c']);
    expect(cache.set('b', 'x'.repeat(10)), 'replacing b with 11 bytes').toBe(false);
    expect([...cache.keys()], 'b dropped, as the model says').toEqual(['c']);
  });

  it('with maxEntries 0 keeps nothing', () => {
    const cache = new BoundedCache<string, true>({ maxEntries: 0 });
    expect(cache.set('a', true)).toBe(false);
    expect(cache.has('a')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('stays within its bound through many evictions, reusing slots', () => {
    const cache = new BoundedCache<number, number>({ maxEntries: 1000 });
    for (let i = 0; i < 50_000; i++) cache.set(i, i);
    expect(cache.size).toBe(1000);
    expect(cache.stats().evictions).toBe(49_000);
    expect(cache.peek(49_000), 'the oldest of the newest thousand held').toBe(49_000);
    expect(cache.peek(48_999), 'older ones gone').toBeUndefined();
  });

  it('refuses bad options and a bad size with a typed error', () => {
    expect(() => new BoundedCache({ maxEntries: -1 })).toThrow(InvalidValueError);
    expect(() => new BoundedCache({ maxEntries: 1.5 })).toThrow(InvalidValueError);
    expect(() => new BoundedCache({ maxEntries: 1, maxBytes: Number.NaN })).toThrow(InvalidValueError);
    const cache = new BoundedCache<string, number>({ maxEntries: 2, sizeOf: (_k, v) => v });
    expect(() => cache.set('a', -1)).toThrow(InvalidValueError);
    expect(() => cache.set('a', Number.NaN)).toThrow(InvalidValueError);
  });
});

describe('bytesKey', () => {
  it('is one character per byte and tells different bytes apart', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10_000 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const ka = bytesKey(a);
        expect(ka.length).toBe(a.length);
        expect(Array.from(ka, (c) => c.charCodeAt(0))).toEqual(Array.from(a));
        expect(ka === bytesKey(b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
      }),
      { numRuns: 50 },
    );
  });
});
