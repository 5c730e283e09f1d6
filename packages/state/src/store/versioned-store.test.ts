import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ClassicKvStore, MemoryKvStore } from '../kv/level-kv-store.js';
import { tempDir } from '../testkit/temp-dir.js';
import { decodeNode, decodeRoot, nodeKey, valueKey } from './node.js';
import { verifyProof } from './proof.js';
import { referenceRoot } from './reference-root.js';
import { VersionedStore } from './versioned-store.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const key = (i: number) => new TextEncoder().encode(`k/${i}`);

const arbBlock = fc.array(
  fc.tuple(fc.nat(40), fc.option(fc.uint8Array({ minLength: 0, maxLength: 8 }), { freq: 4 })),
  { maxLength: 12 },
);

describe('VersionedStore against a Map model', () => {
  it('matches the model and the reference root at every version, and old versions stay readable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbBlock, { minLength: 1, maxLength: 12 }), async (blocks) => {
        const kv = new MemoryKvStore();
        await kv.start();
        const store = new VersionedStore({ nodeCacheEntries: 8 }, { kv });
        await store.start();
        const model = new Map<string, Uint8Array>();
        const snapshots: Map<string, Uint8Array>[] = [];
        for (let v = 1; v <= blocks.length; v++) {
          const ops = (blocks[v - 1] ?? []).map(([k, val]) => [key(k), val] as const);
          for (const [k, val] of ops) {
            if (val === null) model.delete(hex(k));
            else model.set(hex(k), val);
          }
          await store.commit(await store.prepare(v, ops));
          snapshots.push(new Map(model));
          // Latest reads after every commit: the value cache must follow each change and deletion.
          for (let i = 0; i <= 40; i += 4)
            expect(await store.get(key(i)), `k/${i} after version ${v}`).toEqual(model.get(hex(key(i))));
          // Prefix listings after every commit: remembered empty ranges must follow each write.
          for (const p of ['k/1', 'k/2', 'k/33', 'k/9']) {
            const listed = (await store.entries(new TextEncoder().encode(p))).map(([k]) => hex(k)).sort();
            const want = [...model.keys()]
              .filter((k) => Buffer.from(k, 'hex').toString().startsWith(p))
              .sort();
            expect(listed, `${p} after version ${v}`).toEqual(want);
          }
          const expected = referenceRoot([...model].map(([k, val]) => [Buffer.from(k, 'hex'), val] as const));
          expect(hex(store.rootHash()), `root at version ${v}`).toBe(hex(expected));
        }
        for (let i = 0; i < 41; i += 3) {
          expect(await store.get(key(i)), `latest k/${i}`).toEqual(model.get(hex(key(i))));
          for (const v of [1, Math.ceil(blocks.length / 2), blocks.length]) {
            const { value, proof } = await store.prove(key(i), v);
            expect(value ?? undefined, `k/${i} at ${v}`).toEqual(snapshots[v - 1]?.get(hex(key(i))));
            expect(verifyProof(await store.rootHashAt(v), key(i), value, proof), `proof k/${i} at ${v}`).toBe(
              true,
            );
          }
        }
        const listed = await store.entries(new TextEncoder().encode('k/'));
        expect(listed.length).toBe(model.size);
        await kv.stop();
      }),
      { numRuns: 60 },
    );
  });

  it('matches the reference root on deep trees, with leaves moving down and back up as keys come and go', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(fc.nat(1500), fc.boolean(), fc.nat(255)), { maxLength: 300 }), {
          minLength: 1,
          maxLength: 8,
        }),
        async (blocks) => {
          const kv = new MemoryKvStore();
          await kv.start();
          const store = new VersionedStore({ nodeCacheEntries: 16 }, { kv });
          await store.start();
          const model = new Map<string, Uint8Array>();
          for (let v = 1; v <= blocks.length; v++) {
            const ops = (blocks[v - 1] ?? []).map(
              ([k, put, b]) => [key(k), put ? new Uint8Array([b, k & 0xff]) : null] as const,
            );
            for (const [k, val] of ops) {
              if (val === null) model.delete(hex(k));
              else model.set(hex(k), val);
            }
            await store.commit(await store.prepare(v, ops));
            const expected = referenceRoot(
              [...model].map(([k, val]) => [Buffer.from(k, 'hex'), val] as const),
            );
            expect(hex(store.rootHash()), `root at version ${v}`).toBe(hex(expected));
          }
          for (const i of [0, 7, 99, 500, 1499]) {
            const { value, proof } = await store.prove(key(i), blocks.length);
            expect(value ?? undefined, `k/${i}`).toEqual(model.get(hex(key(i))));
            expect(verifyProof(store.rootHash(), key(i), value, proof), `proof k/${i}`).toBe(true);
          }
          await kv.stop();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses a version out of order and unknown versions with typed errors', async () => {
    const kv = new MemoryKvStore();
    await kv.start();
    cleanups.push(() => kv.stop());
    const store = new VersionedStore({}, { kv });
    await store.start();
    await store.commit(await store.prepare(5, [[key(1), new Uint8Array([1])]]));
    await expect(store.prepare(7, [])).rejects.toMatchObject({ code: 'STORE_STATE' });
    await expect(store.getAt(key(1), 6)).rejects.toMatchObject({ code: 'STORE_VERSION_UNKNOWN' });
    await expect(store.prepare(6, [[new Uint8Array(300), new Uint8Array(1)]])).rejects.toMatchObject({
      code: 'STORE_LIMIT',
    });
  });
});

describe('VersionedStore pruning against a model', () => {
  it('keeps exactly the nodes and values that retained versions reach, and their roots and proofs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(fc.nat(300), fc.boolean()), { maxLength: 60 }), {
          minLength: 2,
          maxLength: 10,
        }),
        fc.nat(),
        async (blocks, cut) => {
          const kv = new MemoryKvStore();
          await kv.start();
          const store = new VersionedStore({ nodeCacheEntries: 8 }, { kv });
          await store.start();
          const model = new Map<string, Uint8Array>();
          const roots: string[] = [];
          for (let v = 1; v <= blocks.length; v++) {
            const ops = (blocks[v - 1] ?? []).map(
              ([k, put]) => [key(k), put ? new Uint8Array([v, k & 0xff]) : null] as const,
            );
            for (const [k, val] of ops) {
              if (val === null) model.delete(hex(k));
              else model.set(hex(k), val);
            }
            await store.commit(await store.prepare(v, ops));
            roots.push(hex(store.rootHash()));
          }
          const retain = 1 + (cut % blocks.length);
          await store.prune(retain);
          // What the retained versions reach, walked from their root records.
          const reached = new Set<string>();
          const visit = async (version: number, depth: number, path: Uint8Array): Promise<void> => {
            const k = nodeKey(version, depth, path);
            reached.add(hex(k));
            const bytes = await kv.get(k);
            expect(bytes, `node at depth ${depth} of version ${version}`).toBeDefined();
            const node = decodeNode(bytes as Uint8Array);
            for (let n = 0; n < 16; n++) {
              const slot = node.slot(n);
              if (slot === undefined) continue;
              if (slot.leaf) reached.add(hex(valueKey(slot.version, slot.keyHash)));
              else {
                const child = path.slice();
                const i = depth >> 1;
                child[i] =
                  (depth & 1) === 0
                    ? (n << 4) | ((child[i] as number) & 0x0f)
                    : ((child[i] as number) & 0xf0) | n;
                await visit(slot.version, depth + 1, child);
              }
            }
          };
          for (let v = retain; v <= blocks.length; v++) {
            expect(hex(await store.rootHashAt(v)), `root of version ${v}`).toBe(roots[v - 1]);
            const root = decodeRoot(
              (await kv.get(new Uint8Array([0x21, 0, 0, 0, 0, 0, 0, 0, v]))) as Uint8Array,
            );
            if (root?.leaf === true) reached.add(hex(valueKey(root.version, root.keyHash)));
            else if (root !== null) await visit(root.version, 0, new Uint8Array(32));
          }
          const stored = new Set<string>();
          for (const table of [0x20, 0x24])
            for await (const [k] of kv.entries({
              gte: new Uint8Array([table]),
              lt: new Uint8Array([table + 1]),
            }))
              stored.add(hex(k));
          expect([...stored].sort(), `tree records after pruning to ${retain} of ${blocks.length}`).toEqual(
            [...reached].sort(),
          );
          for (let i = 0; i <= 300; i += 37) {
            const { value, proof } = await store.prove(key(i), blocks.length);
            expect(value ?? undefined, `k/${i}`).toEqual(model.get(hex(key(i))));
            expect(verifyProof(store.rootHash(), key(i), value, proof), `proof k/${i}`).toBe(true);
          }
          await kv.stop();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('VersionedStore layout', () => {
  it('refuses at start a database written by another layout, with STORE_CORRUPT', async () => {
    const kv = new MemoryKvStore();
    await kv.start();
    cleanups.push(() => kv.stop());
    const store = new VersionedStore({}, { kv });
    await store.start();
    await store.commit(await store.prepare(1, [[key(1), new Uint8Array([1])]]));
    const reopened = new VersionedStore({}, { kv });
    await reopened.start();
    expect(await reopened.get(key(1))).toEqual(new Uint8Array([1]));
    // An earlier release's database: a committed version and no layout entry.
    await kv.write([{ type: 'del', key: new Uint8Array([0x01, 0x06]) }], { sync: false });
    await expect(new VersionedStore({}, { kv }).start()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });
});

describe('VersionedStore value cache', () => {
  it('serves repeated reads from memory and never keeps a value read across a commit', async () => {
    let reads = 0;
    let gate: Promise<void> | null = null;
    const kv = new (class extends MemoryKvStore {
      override async get(k: Uint8Array) {
        reads++;
        const held = gate;
        const value = await super.get(k);
        if (held !== null) await held;
        return value;
      }
    })();
    await kv.start();
    const store = new VersionedStore({}, { kv });
    await store.start();
    await store.commit(await store.prepare(1, [[key(1), new Uint8Array([1])]]));
    reads = 0;
    expect(await store.get(key(1))).toEqual(new Uint8Array([1]));
    expect(await store.get(key(2)), 'absent').toBeUndefined();
    expect(await store.get(key(1))).toEqual(new Uint8Array([1]));
    expect(await store.get(key(2))).toBeUndefined();
    expect(reads, 'k/1 came with its commit; absent k/2 is read from the store once').toBe(1);
    // A read of a key not in the cache that is in flight while a commit changes it.
    let release = () => {};
    gate = new Promise<void>((r) => {
      release = r;
    });
    const inflight = store.get(key(3));
    await Promise.resolve();
    gate = null;
    await store.commit(await store.prepare(2, [[key(3), new Uint8Array([3])]]));
    release();
    expect(await inflight, 'the old answer for the read that began before').toBeUndefined();
    expect(await store.get(key(3)), 'the committed value after').toEqual(new Uint8Array([3]));
    const none = new VersionedStore({ valueCacheBytes: 0 }, { kv });
    await none.start();
    reads = 0;
    await none.get(key(1));
    await none.get(key(1));
    expect(reads, 'with no cache every read reaches the store').toBe(2);
    // A value too large for a small cache replaces a cached one: the old one must not be served.
    const small = new VersionedStore({ valueCacheBytes: 4096 }, { kv });
    await small.start();
    await small.commit(await small.prepare(3, [[key(4), new Uint8Array([4])]]));
    expect(await small.get(key(4))).toEqual(new Uint8Array([4]));
    const large = new Uint8Array(4096).fill(5);
    await small.commit(await small.prepare(4, [[key(4), large]]));
    expect(await small.get(key(4)), 'the large value, read from the store').toEqual(large);
  });
});

describe('VersionedStore empty prefix ranges', () => {
  it('one listing of an empty table answers the listings of its parts, and a write ends only its own part', async () => {
    let scans = 0;
    const kv = new (class extends MemoryKvStore {
      override async *entries(range: Parameters<MemoryKvStore['entries']>[0]) {
        scans++;
        yield* super.entries(range);
      }
    })();
    await kv.start();
    const store = new VersionedStore({}, { kv });
    await store.start();
    const key = (table: string, ...bytes: number[]) => Uint8Array.from([...Buffer.from(table), ...bytes]);
    await store.commit(
      await store.prepare(1, [
        [key('a/', 1), new Uint8Array([1])],
        [key('e/', 1), new Uint8Array([2])],
      ]),
    );
    scans = 0;
    // The sweep's buckets of table 'd/': the first listing finds 'e/1' past the table.
    for (let bucket = 5; bucket < 256; bucket++) expect(await store.entries(key('d/', bucket))).toEqual([]);
    expect(scans, 'buckets 5..255 from one listing').toBe(1);
    expect(await store.entries(key('d/', 4)), 'a bucket before the first listed').toEqual([]);
    expect(scans).toBe(2);
    for (let bucket = 0; bucket < 256; bucket++) expect(await store.entries(key('d/', bucket))).toEqual([]);
    expect(await store.entries(key('d/'))).toEqual([]);
    expect(scans, "bucket 0 read once, then the table's own prefix once").toBe(4);
    await store.commit(await store.prepare(2, [[key('d/', 7, 9), new Uint8Array([3])]]));
    for (const bucket of [6, 8, 255]) expect(await store.entries(key('d/', bucket))).toEqual([]);
    expect(scans, 'the other buckets stay known').toBe(4);
    expect(await store.entries(key('d/', 7))).toEqual([[key('d/', 7, 9), new Uint8Array([3])]]);
    expect(await store.entries(key('d/', 7), 1, key('d/', 7, 9)), 'after the written key').toEqual([]);
    expect(await store.entries(key('d/'))).toEqual([[key('d/', 7, 9), new Uint8Array([3])]]);
    expect(await store.entries(key('e/'), 1)).toEqual([[key('e/', 1), new Uint8Array([2])]]);
    // A listing cut short by its limit says nothing of what follows.
    expect(await store.entries(key(''), 1)).toEqual([[key('a/', 1), new Uint8Array([1])]]);
    expect(await store.entries(key('e/'))).toEqual([[key('e/', 1), new Uint8Array([2])]]);
    expect(await store.entries(key('f/'))).toEqual([]);
    const before = scans;
    expect(await store.entries(key('z/'))).toEqual([]);
    expect(scans, "no key past 'e/1': 'f/' found the rest of the state empty").toBe(before);
  });

  it('lists an empty range once from the store, until a commit writes into it', async () => {
    let scans = 0;
    let gate: Promise<void> | null = null;
    const kv = new (class extends MemoryKvStore {
      override async *entries(range: Parameters<MemoryKvStore['entries']>[0]) {
        scans++;
        const held = gate;
        const found = [];
        for await (const entry of super.entries(range)) found.push(entry);
        if (held !== null) await held;
        yield* found;
      }
    })();
    await kv.start();
    const store = new VersionedStore({}, { kv });
    await store.start();
    const text = (s: string) => new TextEncoder().encode(s);
    await store.commit(await store.prepare(1, [[text('a/1'), new Uint8Array([1])]]));
    scans = 0;
    expect(await store.entries(text('p/'))).toEqual([]);
    expect(await store.entries(text('p/'))).toEqual([]);
    expect(await store.entries(text('p/'), 5)).toEqual([]);
    expect(scans, 'the empty range is read from the store once').toBe(1);
    expect(await store.entries(text('p/'), 0)).toEqual([]);
    expect(scans, 'a zero limit proves nothing and is not remembered').toBe(2);
    // Writes elsewhere and deletions keep the range empty; a write into it ends the memory.
    await store.commit(
      await store.prepare(2, [
        [text('a/2'), new Uint8Array([2])],
        [text('p/0'), null],
      ]),
    );
    expect(await store.entries(text('p/'))).toEqual([]);
    expect(scans).toBe(2);
    await store.commit(await store.prepare(3, [[text('p/1'), new Uint8Array([3])]]));
    expect(await store.entries(text('p/'))).toEqual([[text('p/1'), new Uint8Array([3])]]);
    expect(scans).toBe(3);
    // Emptied again: remembered again, and a write at the range's first key ends it too.
    await store.commit(await store.prepare(4, [[text('p/1'), null]]));
    expect(await store.entries(text('p/'))).toEqual([]);
    expect(await store.entries(text('p/'))).toEqual([]);
    expect(scans).toBe(4);
    await store.commit(await store.prepare(5, [[text('p/'), new Uint8Array([5])]]));
    expect(await store.entries(text('p/'))).toEqual([[text('p/'), new Uint8Array([5])]]);
    // A listing in flight while a commit fills its range is not remembered as empty.
    let release = () => {};
    gate = new Promise<void>((r) => {
      release = r;
    });
    const inflight = store.entries(text('q/'));
    await Promise.resolve();
    gate = null;
    await store.commit(await store.prepare(6, [[text('q/1'), new Uint8Array([6])]]));
    release();
    expect(await inflight, 'the listing that began before the commit').toEqual([]);
    expect(await store.entries(text('q/')), 'the committed entry after').toEqual([
      [text('q/1'), new Uint8Array([6])],
    ]);
  });
});

describe('VersionedStore pruning on LevelDB', () => {
  it('reclaims disk, refuses pruned versions with STORE_VERSION_PRUNED and keeps retained ones', async () => {
    const dir = tempDir('prune');
    cleanups.push(dir.remove);
    const kv = new ClassicKvStore({ location: dir.path, writeBufferBytes: 64 * 1024 });
    await kv.start();
    cleanups.push(() => kv.stop());
    const store = new VersionedStore({}, { kv });
    await store.start();
    const versions = 60;
    for (let v = 1; v <= versions; v++) {
      const ops = Array.from({ length: 300 }, (_, i) => [key(i), new Uint8Array(100).fill(v)] as const);
      await store.commit(await store.prepare(v, ops));
    }
    // The tree's tables: nodes, roots, stale lists (0x20–0x22) and values by version (0x24).
    const ranges = [
      [new Uint8Array([0x20]), new Uint8Array([0x23])],
      [new Uint8Array([0x24]), new Uint8Array([0x25])],
    ] as const;
    const size = async () => {
      let total = 0;
      for (const range of ranges) total += await kv.approximateSize(...range);
      return total;
    };
    for (const range of ranges) await kv.compactRange(...range);
    const before = await size();
    const rootAt55 = await store.rootHashAt(55);
    const deleted = await store.prune(55);
    const after = await size();
    expect(deleted).toBeGreaterThan(0);
    expect(after, `tree tables: ${before} bytes before pruning, ${after} after`).toBeLessThan(before / 3);
    await expect(store.getAt(key(1), 54)).rejects.toMatchObject({ code: 'STORE_VERSION_PRUNED' });
    expect(await store.getAt(key(1), 55)).toEqual(new Uint8Array(100).fill(55));
    expect(await store.rootHashAt(55)).toEqual(rootAt55);
    const { value, proof } = await store.prove(key(7), 58);
    expect(verifyProof(await store.rootHashAt(58), key(7), value, proof)).toBe(true);
  });

  it('compacts only the key ranges that pruning emptied', async () => {
    const compactions: [Uint8Array, Uint8Array][] = [];
    const kv = new (class extends MemoryKvStore {
      override async compactRange(start: Uint8Array, end: Uint8Array): Promise<void> {
        compactions.push([start.slice(), end.slice()]);
      }
    })();
    await kv.start();
    cleanups.push(() => kv.stop());
    const store = new VersionedStore({}, { kv });
    await store.start();
    for (let v = 1; v <= 20; v++) {
      const ops = Array.from({ length: 30 }, (_, i) => [key(i), new Uint8Array([v])] as const);
      await store.commit(await store.prepare(v, ops));
    }
    await store.prune(15);
    expect(compactions.length).toBeGreaterThan(0);
    const u64 = (n: number) => [0, 0, 0, 0, 0, 0, 0, n];
    const limit: Record<number, number[]> = {
      32: [0x20, ...u64(15)],
      33: [0x21, ...u64(15)],
      34: [0x22, ...u64(16)],
      36: [0x24, ...u64(15)],
    };
    for (const [start, end] of compactions) {
      const table = start[0] as number;
      const bound = limit[table];
      expect(bound, `compaction of table 0x${table.toString(16)}`).toBeDefined();
      expect(
        Buffer.compare(end, Buffer.from(bound!)),
        `table 0x${table.toString(16)} ends by version 15`,
      ).toBeLessThanOrEqual(0);
    }
  });
});
