import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryKvStore } from '../kv/level-kv-store.js';
import { VersionedStore } from './versioned-store.js';

// Keys over a 3-letter alphabet, 1..4 long: prefixes, `after`s and keys collide often.
const arbKey = fc
  .array(fc.constantFrom(0x61, 0x62, 0x63), { minLength: 1, maxLength: 4 })
  .map((a) => Uint8Array.from(a));
const arbMaybeKey = fc
  .array(fc.constantFrom(0x61, 0x62, 0x63), { minLength: 0, maxLength: 4 })
  .map((a) => Uint8Array.from(a));
const arbListing = fc.record({
  prefix: arbMaybeKey,
  after: fc.option(arbMaybeKey, { freq: 2 }),
  limit: fc.constantFrom(1, 2, 5, 10_000),
  // Started before the next commit, finished after it.
  inflight: fc.boolean(),
});
const arbStep = fc.record({
  writes: fc.array(fc.tuple(arbKey, fc.option(fc.constant(new Uint8Array([1])), { freq: 3 })), {
    maxLength: 4,
  }),
  listings: fc.array(arbListing, { maxLength: 8 }),
});

function modelEntries(model: Map<string, Uint8Array>, prefix: Uint8Array, limit: number, after?: Uint8Array) {
  const p = Buffer.from(prefix).toString('latin1');
  const a = after === undefined ? undefined : Buffer.from(after);
  return [...model.keys()]
    .filter((k) => k.startsWith(p) && (a === undefined || Buffer.compare(Buffer.from(k, 'latin1'), a) > 0))
    .sort((x, y) => Buffer.compare(Buffer.from(x, 'latin1'), Buffer.from(y, 'latin1')))
    .slice(0, limit);
}

describe('empty-range cache against a model, with listings across commits', () => {
  it('every listing equals the model of the state it could have seen', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbStep, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 4 }),
        async (steps, lag) => {
          let hold: Promise<void> | null = null;
          const kv = new (class extends MemoryKvStore {
            override async *entries(range: Parameters<MemoryKvStore['entries']>[0]) {
              const held = hold;
              const found = [];
              for await (const e of super.entries(range)) found.push(e);
              if (held !== null) await held;
              yield* found;
            }
          })();
          await kv.start();
          const store = new VersionedStore({}, { kv });
          await store.start();
          const model = new Map<string, Uint8Array>();
          for (let v = 1; v <= steps.length; v++) {
            const step = steps[v - 1] as (typeof steps)[number];
            const before = new Map(model);
            // Listings in flight across this commit: each sees the state before or after it.
            let release = () => {};
            hold = new Promise((r) => {
              release = r;
            });
            const inflight = step.listings
              .filter((l) => l.inflight)
              .map((l) => ({ l, p: store.entries(l.prefix, l.limit, l.after ?? undefined) }));
            hold = null;
            for (const [k, val] of step.writes) {
              const id = Buffer.from(k).toString('latin1');
              if (val === null) model.delete(id);
              else model.set(id, val);
            }
            // Warm the cache on the old state just before the commit (no commit in progress).
            for (const l of step.listings) await store.entries(l.prefix, l.limit, l.after ?? undefined);
            const prepared = await store.prepare(v, step.writes);
            for (let i = 0; i < lag; i++) await Promise.resolve();
            await store.commit(prepared);
            release();
            for (const { l, p } of inflight) {
              const got = (await p).map(([k]) => Buffer.from(k).toString('latin1'));
              const old = modelEntries(before, l.prefix, l.limit, l.after ?? undefined);
              const now = modelEntries(model, l.prefix, l.limit, l.after ?? undefined);
              expect([old, now]).toContainEqual(got);
            }
            for (const l of [...step.listings, ...steps.flatMap((s) => s.listings)]) {
              const got = (await store.entries(l.prefix, l.limit, l.after ?? undefined)).map(([k]) =>
                Buffer.from(k).toString('latin1'),
              );
              expect(got, `v${v} ${JSON.stringify(l)}`).toEqual(
                modelEntries(model, l.prefix, l.limit, l.after ?? undefined),
              );
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe('the range remembered is the one listed', () => {
  it('a caller that reuses its prefix array while a listing is in flight does not poison the cache', async () => {
    const kv = new MemoryKvStore();
    await kv.start();
    const store = new VersionedStore({}, { kv });
    await store.start();
    const text = (s: string) => new TextEncoder().encode(s);
    await store.commit(await store.prepare(1, [[text('b/1'), new Uint8Array([1])]]));
    const scratch = text('a/');
    const listing = store.entries(scratch); // 'a/' is empty
    scratch.set(text('b/')); // the caller reuses its array for the next listing
    expect(await listing).toEqual([]);
    // 'b/' holds b/1: the cache must not answer it as empty.
    expect(await store.entries(text('b/'))).toEqual([[text('b/1'), new Uint8Array([1])]]);
  });
});
