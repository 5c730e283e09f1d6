import { bigint, struct } from '@joule/consensus';
import { afterEach, describe, expect, it } from 'vitest';
import { maxSyncReadsPerTurn } from '../constants.js';
import { tempDir } from '../testkit/temp-dir.js';
import { type KvStore, WriteBatch } from './kv-store.js';
import { ClassicKvStore, MemoryKvStore } from './level-kv-store.js';
import { canonical, heightKey, Repository } from './repository.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function classic(): Promise<KvStore> {
  const dir = tempDir('kv');
  const kv = new ClassicKvStore({ location: dir.path });
  await kv.start();
  cleanups.push(dir.remove, () => kv.stop());
  return kv;
}

async function memory(): Promise<KvStore> {
  const kv = new MemoryKvStore();
  await kv.start();
  cleanups.push(() => kv.stop());
  return kv;
}

const b = (...xs: number[]) => new Uint8Array(xs);

describe.each([
  ['classic-level', classic],
  ['memory-level', memory],
])('%s store', (_name, open) => {
  it('applies a batch atomically and reads it back in key order', async () => {
    const kv = await open();
    await kv.write(new WriteBatch().put(b(2), b(20)).put(b(1), b(10)).put(b(3), b(30)).del(b(3)).ops, {
      sync: true,
    });
    expect(await kv.get(b(1))).toEqual(b(10));
    expect(await kv.get(b(3))).toBeUndefined();
    const seen: number[] = [];
    for await (const [key] of kv.entries({ gte: b(0), lt: b(9) })) seen.push(key[0] as number);
    expect(seen).toEqual([1, 2]);
    const reversed: number[] = [];
    for await (const [key] of kv.entries({ gte: b(0), lt: b(9), reverse: true, limit: 1 }))
      reversed.push(key[0] as number);
    expect(reversed).toEqual([2]);
  });

  it('keeps typed records behind a one-byte prefix and refuses corrupt ones with STORE_CORRUPT', async () => {
    const kv = await open();
    const repo = new Repository(0x42, heightKey, canonical(struct<{ n: bigint }>('N', { n: bigint() })));
    const batch = new WriteBatch();
    repo.put(batch, 7, { n: 99n });
    await kv.write(batch.ops, { sync: false });
    expect(await repo.get(kv, 7)).toEqual({ n: 99n });
    expect(repo.key(7)[0]).toBe(0x42);
    await kv.write([{ type: 'put', key: repo.key(8), value: b(1, 2, 3) }], { sync: false });
    await expect(repo.get(kv, 8)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  });

  it('refuses use before start with STORE_STATE', async () => {
    const kv = new MemoryKvStore();
    await expect(kv.get(b(1))).rejects.toMatchObject({ code: 'STORE_STATE' });
  });
});

describe('classic-level blocking reads', () => {
  it('answer a long chain of reads in turns: the event loop runs between them', async () => {
    const kv = await classic();
    await kv.write([{ type: 'put', key: b(1), value: b(10) }], { sync: false });
    const reads = maxSyncReadsPerTurn * 4;
    let readsBeforeTheLoopRan = -1;
    let done = 0;
    setImmediate(() => {
      readsBeforeTheLoopRan = done;
    });
    for (let i = 0; i < reads; i++) {
      expect(await kv.getBlocking(b(1))).toEqual(b(10));
      done++;
    }
    expect(readsBeforeTheLoopRan).toBeGreaterThanOrEqual(0);
    expect(readsBeforeTheLoopRan).toBeLessThanOrEqual(maxSyncReadsPerTurn);
  });

  it('let the event loop poll between any 64 reads, however many readers wait', async () => {
    const kv = await classic();
    await kv.write([{ type: 'put', key: b(1), value: b(10) }], { sync: false });
    // Reads counted between two runs of a check-phase ticker: the store lets at most
    // `maxSyncReadsPerTurn` through between two polls of the event loop, so at most twice that
    // can fall between two ticks (the end of one check phase and the start of the next).
    const perTick: number[] = [0];
    let ticking = true;
    const tick = () => {
      perTick.push(0);
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const chain = async () => {
      for (let i = 0; i < 5; i++) {
        expect(await kv.getBlocking(b(1))).toEqual(b(10));
        perTick[perTick.length - 1] = (perTick.at(-1) as number) + 1;
      }
    };
    await Promise.all(Array.from({ length: 300 }, chain));
    ticking = false;
    expect(perTick.reduce((a, c) => a + c, 0)).toBe(1_500);
    expect(Math.max(...perTick)).toBeLessThanOrEqual(2 * maxSyncReadsPerTurn);
  });

  it('refuse a read that waited for its turn while the store stopped, with STORE_STATE', async () => {
    const dir = tempDir('kv');
    cleanups.push(dir.remove);
    const kv = new ClassicKvStore({ location: dir.path });
    await kv.start();
    const reads = Array.from({ length: maxSyncReadsPerTurn + 1 }, () => kv.getBlocking(b(1)));
    const stopped = kv.stop();
    const outcomes = await Promise.allSettled(reads);
    await stopped;
    expect(outcomes.slice(0, maxSyncReadsPerTurn).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes.at(-1)).toMatchObject({ status: 'rejected', reason: { code: 'STORE_STATE' } });
  });

  it('refuse a read after stop with STORE_STATE', async () => {
    const dir = tempDir('kv');
    cleanups.push(dir.remove);
    const kv = new ClassicKvStore({ location: dir.path });
    await kv.start();
    await kv.stop();
    await expect(kv.getBlocking(b(1))).rejects.toMatchObject({ code: 'STORE_STATE' });
  });
});
