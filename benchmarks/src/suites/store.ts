import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClassicKvStore,
  defaultNodeCacheBytes,
  moduleTableKey,
  VersionedStore,
  type VersionedStoreOptions,
} from '@joule/state';
import { SeededRandom } from '@joule/state/testkit';
import type { Row, SuiteOptions, SuiteResult } from '../report.js';
import { chainStoreRows } from './chain-store.js';

/**
 * The authenticated store on real LevelDB (synced batch per version, default 1 GB-board sizes):
 * writes per second, the time to prepare and commit a block of 1 000 and of 10 000 writes, the
 * cost of the app hash against state size, a version at the pilot's rate (38 writes at 100 000
 * keys) with what it writes (LevelDB operations per write, bytes per version), and the SHA-256
 * calls a write needs (a 65-byte leaf, a full 515-byte node), with the digest as a Buffer and as
 * the store reads it back. The app hash must grow like log n:
 * the tree hashes the paths of the changed keys only, so `nodes/write` (new 16-slot nodes per
 * written key) tracks log16 of the state size less log16 of the writes per block.
 */
export async function store(options: Pick<SuiteOptions, 'timeMs'>): Promise<SuiteResult> {
  const rows: Row[] = [];

  await withStoreBench(1, async (b) => {
    await b.fill(10_000);
    for (const writes of [1_000, 10_000]) {
      // Keys below 20 000: the state grows while it is measured, as a chain's does.
      const s = await b.sampleBlocks({ writes, keyRange: 20_000, timeMs: options.timeMs });
      rows.push({
        name: `commit a block of ${writes.toLocaleString('en')} writes (prepare + synced batch)`,
        'ms/block': round(s.totalMs),
        'writes/s': Math.round((writes * 1000) / s.totalMs),
        samples: s.samples,
      });
    }
  });

  for (const size of [1_000, 10_000, 100_000]) {
    await withStoreBench(size, async (b) => {
      await b.fill(size);
      const writes = 100;
      const s = await b.sampleBlocks({ writes, keyRange: size, timeMs: 0, minSamples: 10, maxSamples: 10 });
      rows.push({
        name: `app hash of 100 writes, state of ${size.toLocaleString('en')} keys`,
        'ms/block': round(s.prepareMs),
        'µs/write': round((s.prepareMs * 1000) / writes),
        'nodes/write': round(s.nodesPerWrite),
        log16n: round(Math.log2(size) / 4),
      });
    });
  }

  // The target's block: 1 000 writes at 100 000 keys, with the default node cache and with one that
  // holds the whole latest tree (~21.7 MiB of nodes at 100 000 keys, as the cache counts them), so
  // no node is read from LevelDB.
  for (const cacheMiB of [undefined, 96]) {
    const storeOptions =
      cacheMiB === undefined ? {} : { nodeCacheBytes: cacheMiB * 1024 * 1024, nodeCacheEntries: 1_000_000 };
    await withStoreBench(
      3,
      async (b) => {
        await b.fill(100_000);
        const writes = 1_000;
        const fixed = { writes, keyRange: 100_000, timeMs: 0 };
        await b.sampleBlocks({ ...fixed, minSamples: 2, maxSamples: 2 }); // warm-up: the cache after the fill
        const s = await b.sampleBlocks({ ...fixed, minSamples: 20, maxSamples: 20 });
        rows.push({
          name: `a block of 1,000 writes, state of 100,000 keys, ${cacheMiB === undefined ? `default ${defaultNodeCacheBytes / 2 ** 20} MiB` : `${cacheMiB} MiB (holds the latest tree)`} node cache`,
          'prepare ms': round(s.prepareMs),
          'commit ms': round(s.commitMs),
          'ms/block': round(s.totalMs),
          'µs/write': round((s.totalMs * 1000) / writes),
          'ops/write': round(s.opsPerWrite),
          samples: s.samples,
        });
      },
      storeOptions,
    );
  }

  await withStoreBench(2, async (b) => {
    await b.fill(100_000);
    const s = await b.sampleBlocks({ writes: 38, keyRange: 100_000, timeMs: options.timeMs, maxSamples: 50 });
    rows.push({
      name: "a version at the pilot's rate: 38 writes, state of 100,000 keys",
      'ms/block': round(s.totalMs),
      'ops/write': round(s.opsPerWrite),
      'bytes/version': Math.round(s.bytesPerVersion),
      'nodes/write': round(s.nodesPerWrite),
      samples: s.samples,
    });
  });

  for (const bytes of [65, 515]) {
    const input = new Uint8Array(bytes).fill(7);
    const calls = 20_000;
    // The digest as a Buffer (an ArrayBuffer per call), and as the store takes it: a Latin-1 string
    // copied into a 32-byte array.
    const asBuffer = () => hash('sha256', input, 'buffer');
    const asLatin1 = () => {
      const chars = hash('sha256', input, 'latin1');
      const out = new Uint8Array(32);
      for (let i = 0; i < 32; i++) out[i] = chars.charCodeAt(i);
      return out;
    };
    for (const [label, run] of [
      ['Buffer digest', asBuffer],
      ['Latin-1 digest, the store', asLatin1],
    ] as const) {
      for (let i = 0; i < calls; i++) run(); // warm-up
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) run();
      rows.push({
        name: `sha256 of ${bytes} bytes (node:crypto one-shot, ${label})`,
        'µs/call': round(((performance.now() - t0) * 1000) / calls),
      });
    }
  }
  rows.push(...(await chainStoreRows(options.timeMs)));
  return { suite: 'store', rows };
}

/** Means over the sampled blocks. */
export interface BlockSamples {
  /** `prepare`: the new tree nodes and the app hash. */
  readonly prepareMs: number;
  /** `commit`: one synced LevelDB batch. */
  readonly commitMs: number;
  readonly totalMs: number;
  /** New tree nodes per written key; tracks log16 of the state size. */
  readonly nodesPerWrite: number;
  /** LevelDB operations per written key in the version's batch. */
  readonly opsPerWrite: number;
  /** Bytes of keys and values in a version's batch. */
  readonly bytesPerVersion: number;
  readonly samples: number;
}

/** A store on LevelDB with its version counter and a seeded source of keys and values. */
export class StoreBench {
  private version = 0;
  private readonly rng: SeededRandom;

  constructor(
    readonly store: VersionedStore,
    seed: number,
  ) {
    this.rng = new SeededRandom(seed);
  }

  /** Adds keys [0, count) in blocks of 10 000 writes. */
  async fill(count: number): Promise<void> {
    for (let from = 0; from < count; from += 10_000) {
      const n = Math.min(10_000, count - from);
      const ops = Array.from({ length: n }, (_, i) => [key(from + i), this.value()] as const);
      await this.store.commit(await this.store.prepare(++this.version, ops));
    }
  }

  /**
   * Blocks of `writes` random keys below `keyRange`, prepared and committed one after the other: at
   * least `minSamples` (3) and, while `timeMs` lasts, up to `maxSamples` (20).
   */
  async sampleBlocks(o: {
    writes: number;
    keyRange: number;
    timeMs: number;
    minSamples?: number;
    maxSamples?: number;
  }): Promise<BlockSamples> {
    const min = o.minSamples ?? 3;
    const max = o.maxSamples ?? 20;
    let prepareMs = 0;
    let commitMs = 0;
    let nodes = 0;
    let opCount = 0;
    let bytes = 0;
    let samples = 0;
    const deadline = performance.now() + Math.max(o.timeMs, 1);
    while (samples < min || (performance.now() < deadline && samples < max)) {
      const ops = Array.from(
        { length: o.writes },
        () => [key(this.rng.below(o.keyRange)), this.value()] as const,
      );
      const t0 = performance.now();
      const prepared = await this.store.prepare(++this.version, ops);
      const t1 = performance.now();
      await this.store.commit(prepared);
      commitMs += performance.now() - t1;
      prepareMs += t1 - t0;
      nodes += prepared.nodes.length;
      opCount += prepared.ops.length;
      for (const op of prepared.ops) bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
      samples++;
    }
    return {
      prepareMs: prepareMs / samples,
      commitMs: commitMs / samples,
      totalMs: (prepareMs + commitMs) / samples,
      nodesPerWrite: nodes / samples / o.writes,
      opsPerWrite: opCount / samples / o.writes,
      bytesPerVersion: bytes / samples,
      samples,
    };
  }

  private value(): Uint8Array {
    return new Uint8Array(64).fill(this.rng.below(256));
  }
}

/** Runs `run` on a fresh store in a temporary LevelDB directory, removed afterwards. */
export async function withStoreBench<T>(
  seed: number,
  run: (bench: StoreBench) => Promise<T>,
  options: VersionedStoreOptions = {},
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'joule-bench-store-'));
  const kv = new ClassicKvStore({ location: dir });
  await kv.start();
  try {
    const s = new VersionedStore(options, { kv });
    await s.start();
    return await run(new StoreBench(s, seed));
  } finally {
    await kv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const encoder = new TextEncoder();

/** A bank-balance-shaped key: bank's table `b` and 12 hex digits (19 bytes). */
function key(i: number): Uint8Array {
  return moduleTableKey('bank', 'b', encoder.encode(i.toString(16).padStart(12, '0')));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
