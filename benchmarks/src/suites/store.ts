import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicKvStore, SeededRandom, VersionedStore } from '@joule/state';
import type { Row, SuiteResult } from '../report.js';

/**
 * The authenticated store on real LevelDB (synced batch per version, default 1 GB-board sizes):
 * writes per second, the time to prepare and commit a block of 1 000 and of 10 000 writes, and the
 * cost of the app hash against state size. That last one must grow like log n: the tree hashes the
 * paths of the changed keys only, so `nodes/write` (new tree nodes per written key) tracks log2(n).
 */
export async function store(options: { timeMs: number }): Promise<SuiteResult> {
  const rows: Row[] = [];
  const rng = new SeededRandom(1);
  const value = () => new Uint8Array(64).fill(rng.below(256));
  const key = (i: number) => new TextEncoder().encode(`bank/b/${i.toString(16).padStart(12, '0')}`);

  await withStore(async (s) => {
    let version = 0;
    const fill = async (from: number, count: number) => {
      await s.commit(
        await s.prepare(
          ++version,
          Array.from({ length: count }, (_, i) => [key(from + i), value()] as const),
        ),
      );
    };
    await fill(0, 10_000);
    for (const writes of [1_000, 10_000]) {
      const times: number[] = [];
      const deadline = performance.now() + Math.max(options.timeMs, 1);
      while (times.length < 3 || (performance.now() < deadline && times.length < 20)) {
        const ops = Array.from({ length: writes }, () => [key(rng.below(20_000)), value()] as const);
        const start = performance.now();
        await s.commit(await s.prepare(++version, ops));
        times.push(performance.now() - start);
      }
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      rows.push({
        name: `commit a block of ${writes.toLocaleString('en')} writes (prepare + synced batch)`,
        'ms/block': round(mean),
        'writes/s': Math.round((writes * 1000) / mean),
        samples: times.length,
      });
    }
  });

  for (const size of [1_000, 10_000, 100_000]) {
    await withStore(async (s) => {
      let version = 0;
      for (let from = 0; from < size; from += 10_000) {
        const count = Math.min(10_000, size - from);
        await s.commit(
          await s.prepare(
            ++version,
            Array.from({ length: count }, (_, i) => [key(from + i), value()] as const),
          ),
        );
      }
      const writes = 100;
      const samples: { ms: number; nodes: number }[] = [];
      for (let round = 0; round < 10; round++) {
        const ops = Array.from({ length: writes }, () => [key(rng.below(size)), value()] as const);
        const start = performance.now();
        const prepared = await s.prepare(++version, ops);
        samples.push({ ms: performance.now() - start, nodes: prepared.nodes.length });
        await s.commit(prepared);
      }
      const ms = samples.reduce((a, b) => a + b.ms, 0) / samples.length;
      const nodes = samples.reduce((a, b) => a + b.nodes, 0) / samples.length;
      rows.push({
        name: `app hash of 100 writes, state of ${size.toLocaleString('en')} keys`,
        'ms/block': round(ms),
        'µs/write': round((ms * 1000) / writes),
        'nodes/write': round(nodes / writes),
        log2n: round(Math.log2(size)),
      });
    });
  }
  return { suite: 'store', rows };
}

async function withStore(run: (store: VersionedStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'joule-bench-store-'));
  const kv = new ClassicKvStore({ location: dir });
  await kv.start();
  try {
    const s = new VersionedStore({}, { kv });
    await s.start();
    await run(s);
  } finally {
    await kv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
