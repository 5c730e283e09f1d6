import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MemoryKvStore } from '../kv/level-kv-store.js';
import { EmptyRanges } from './empty-ranges.js';

// A cache of 3 gaps, so listings fill it and evict, and a written key often finds it full.
vi.mock('../constants.js', async (original) => ({
  ...(await original<typeof import('../constants.js')>()),
  emptyRangeCacheEntries: 3,
}));
const { VersionedStore } = await import('./versioned-store.js');

// Bytes at the edges of the byte range (0x00, 0xff) and one between: prefixes, `after`s, gap ends
// and successors (`k ‖ 0x00`) collide, and all-0xff prefixes have no end.
const byte = fc.constantFrom(0x00, 0x61, 0xff);
const arbKey = fc.array(byte, { minLength: 1, maxLength: 3 }).map((a) => Uint8Array.from(a));
const arbBytes = fc.array(byte, { minLength: 0, maxLength: 3 }).map((a) => Uint8Array.from(a));

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const cmp = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b);

/** The naive store: a set of keys, listed by filtering and sorting. */
function naiveEntries(keys: Map<string, Uint8Array>, prefix: Uint8Array, limit: number, after?: Uint8Array) {
  return [...keys.values()]
    .filter(
      (k) =>
        k.length >= prefix.length &&
        cmp(k.subarray(0, prefix.length), prefix) === 0 &&
        (after === undefined || cmp(k, after) > 0),
    )
    .sort(cmp)
    .slice(0, limit)
    .map(hex);
}

describe('EmptyRanges against a naive set of keys (a cache of 1 to 4 gaps)', () => {
  const arbOp = fc.oneof(
    fc.record({ op: fc.constant('write' as const), key: arbKey }),
    fc.record({ op: fc.constant('delete' as const), key: arbKey }),
    // A gap from `lo` to the first key at or after it (as a listing finds it), or to a key before that.
    fc.record({ op: fc.constant('learn' as const), key: arbBytes, shorter: fc.option(arbBytes) }),
    fc.record({ op: fc.constant('covers' as const), key: arbBytes, end: fc.option(arbBytes) }),
  );
  it('answers "empty" only for ranges the set holds no key of, and right after learning one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(arbOp, { maxLength: 60 }), (max, ops) => {
        const gaps = new EmptyRanges(max);
        const keys = new Map<string, Uint8Array>();
        const none = (lo: Uint8Array, hi: Uint8Array | null) =>
          [...keys.values()].every((k) => cmp(k, lo) < 0 || (hi !== null && cmp(k, hi) >= 0));
        for (const o of ops) {
          if (o.op === 'write') {
            keys.set(hex(o.key), o.key);
            gaps.fill(o.key);
          } else if (o.op === 'delete') {
            keys.delete(hex(o.key));
          } else if (o.op === 'learn') {
            const after = [...keys.values()].filter((k) => cmp(k, o.key) >= 0).sort(cmp);
            let hi: Uint8Array | null = after[0] ?? null;
            if (o.shorter !== null && (hi === null || cmp(o.shorter, hi) < 0)) hi = o.shorter;
            gaps.add(o.key, hi);
            if (hi === null || cmp(o.key, hi) < 0) expect(gaps.covers(o.key, hi)).toBe(true);
          } else {
            if (gaps.covers(o.key, o.end)) expect(none(o.key, o.end)).toBe(true);
          }
          expect(gaps.size).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('VersionedStore listings against a naive sorted set, through commits, dropped blocks and restarts', () => {
  const arbListing = fc.record({
    prefix: arbBytes,
    after: fc.option(arbBytes, { freq: 2 }),
    limit: fc.constantFrom(1, 2, 3, 10_000),
  });
  const arbStep = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('block' as const),
        writes: fc.array(fc.tuple(arbKey, fc.option(fc.constant(Uint8Array.of(7)), { freq: 3 })), {
          maxLength: 4,
        }),
        // Prepared and never committed (a round that moved on): nothing of it may show.
        dropped: fc.boolean(),
      }),
    },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('list' as const), listing: arbListing }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
  );

  it('a warm node and a node restarted cold list what the naive set holds', async () => {
    let listings = 0;
    let iterators = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(arbStep, { minLength: 1, maxLength: 50 }), async (steps) => {
        const kv = new (class extends MemoryKvStore {
          override entries(range: Parameters<MemoryKvStore['entries']>[0]) {
            iterators++;
            return super.entries(range);
          }
        })();
        await kv.start();
        let store = new VersionedStore({}, { kv });
        await store.start();
        const keys = new Map<string, Uint8Array>();
        let version = 0;
        const history: { prefix: Uint8Array; after: Uint8Array | null; limit: number }[] = [];
        const check = async (l: (typeof history)[number]) => {
          const after = l.after ?? undefined;
          listings++;
          const got = (await store.entries(l.prefix, l.limit, after)).map(([k]) => hex(k));
          expect(got, `${hex(l.prefix)} after ${l.after && hex(l.after)} limit ${l.limit}`).toEqual(
            naiveEntries(keys, l.prefix, l.limit, after),
          );
        };
        for (const step of steps) {
          if (step.kind === 'restart') {
            await store.stop();
            store = new VersionedStore({}, { kv });
            await store.start();
          } else if (step.kind === 'list') {
            history.push(step.listing);
            await check(step.listing);
          } else {
            if (step.dropped) {
              const junk = step.writes.map(([k]) => [k, Uint8Array.of(9)] as const);
              await store.prepare(version + 1, junk);
            }
            const prepared = await store.prepare(version + 1, step.writes);
            await store.commit(prepared);
            version += 1;
            for (const [k, v] of step.writes) {
              if (v === null) keys.delete(hex(k));
              else keys.set(hex(k), k);
            }
            // Every listing seen so far, again: the cache answers most of them now.
            for (const l of history.slice(-12)) await check(l);
          }
        }
      }),
      { numRuns: 400 },
    );
    // The cache answered a good part of the listings (else the test proves nothing of it).
    expect(iterators).toBeLessThan(listings * 0.8);
  }, 240_000);
});
