import { type Block, blockId } from '@joule/consensus';
import { evidenceValidators } from '@joule/consensus/internal';
import { afterEach, describe, expect, it } from 'vitest';
import type { KvOp, WriteOptions } from '../kv/kv-store.js';
import { ClassicKvStore, MemoryKvStore } from '../kv/level-kv-store.js';
import { testBlock, testChainState, testCommit, testValidatorSet } from '../testkit/chain-fixtures.js';
import { tempDir } from '../testkit/temp-dir.js';
import { LevelChainStore } from './level-chain-store.js';
import { PendingWrites } from './pending-writes.js';

const CHAIN = 'store-test';
const validators = testValidatorSet(3);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function chainOf(length: number): Block[] {
  const blocks: Block[] = [];
  for (let h = 1; h <= length; h++) {
    blocks.push(
      testBlock(CHAIN, h, blocks[h - 2] ?? null, [new Uint8Array([h])], new Uint8Array(32), validators),
    );
  }
  return blocks;
}

describe('LevelChainStore on LevelDB', () => {
  it('saves blocks, commits, ids by hash, state and validators, and finds them after a reopen', async () => {
    const dir = tempDir('chain');
    cleanups.push(dir.remove);
    const blocks = chainOf(5);
    let kv = new ClassicKvStore({ location: dir.path });
    await kv.start();
    let store = new LevelChainStore({}, { kv });
    await store.start();
    await store.saveGenesisState(testChainState(CHAIN, null, validators));
    for (const block of blocks)
      await store.saveBlock(block, testCommit(block), testChainState(CHAIN, block, validators));
    await kv.stop();

    kv = new ClassicKvStore({ location: dir.path });
    await kv.start();
    cleanups.push(() => kv.stop());
    store = new LevelChainStore({}, { kv });
    await store.start();
    expect([store.base(), store.height()]).toEqual([1, 5]);
    expect(await store.loadBlock(3)).toEqual(blocks[2]);
    expect((await store.loadCommit(3))?.blockId).toEqual(blockId(blocks[2] as Block));
    expect(await store.heightOf(blockId(blocks[3] as Block).hash)).toBe(4);
    expect((await store.loadState())?.lastBlockHeight).toBe(5);
    expect(await store.loadValidators(7)).toEqual(validators);
    expect(await store.loadBlock(6)).toBeNull();
  });

  it('prunes below the retain height and refuses a block that does not follow', async () => {
    const kv = new MemoryKvStore();
    await kv.start();
    cleanups.push(() => kv.stop());
    const store = new LevelChainStore({}, { kv });
    await store.start();
    const blocks = chainOf(8);
    for (const block of blocks)
      await store.saveBlock(block, testCommit(block), testChainState(CHAIN, block, validators));
    expect(await store.prune(6)).toBe(5);
    expect(store.base()).toBe(6);
    expect(await store.loadBlock(5)).toBeNull();
    expect(await store.loadCommit(5)).toBeNull();
    expect(await store.loadValidators(5)).toBeNull();
    expect(await store.loadEvidenceValidators(5), 'inside the evidence window: kept').toEqual(
      evidenceValidators(validators),
    );
    expect(await store.loadBlockTime(5), 'inside the evidence window: kept').toBe(blocks[4]?.header.time);
    expect(await store.heightOf(blockId(blocks[4] as Block).hash)).toBeNull();
    expect(await store.loadBlock(6)).toEqual(blocks[5]);
    expect(await store.prune(6)).toBe(0);
    const late = blocks[3] as Block;
    await expect(
      store.saveBlock(late, testCommit(late), testChainState(CHAIN, late, validators)),
    ).rejects.toMatchObject({
      code: 'STORE_STATE',
    });
  });

  it('stages saveBlock for the application commit when given pending writes', async () => {
    const kv = new MemoryKvStore();
    await kv.start();
    cleanups.push(() => kv.stop());
    const pending = new PendingWrites();
    const store = new LevelChainStore({}, { kv, pending });
    await store.start();
    const [block] = chainOf(1) as [Block];
    await store.saveBlock(block, testCommit(block), testChainState(CHAIN, block, validators));
    expect(await store.loadBlock(1)).toEqual(block);
    expect(await kv.get(new Uint8Array([0x10, 0, 0, 0, 0, 0, 0, 0, 1]))).toBeUndefined();
    await kv.write(pending.take(), { sync: true });
    pending.flushedAll();
    expect(await kv.get(new Uint8Array([0x10, 0, 0, 0, 0, 0, 0, 0, 1]))).toBeDefined();
    expect(await store.loadBlock(1)).toEqual(block);
  });

  it('compacts only the pruned heights of each table', async () => {
    const compactions: [Uint8Array, Uint8Array][] = [];
    const kv = new (class extends MemoryKvStore {
      override async compactRange(start: Uint8Array, end: Uint8Array): Promise<void> {
        compactions.push([start.slice(), end.slice()]);
      }
    })();
    await kv.start();
    cleanups.push(() => kv.stop());
    const store = new LevelChainStore({}, { kv });
    await store.start();
    for (const block of chainOf(8))
      await store.saveBlock(block, testCommit(block), testChainState(CHAIN, block, validators));
    await store.prune(6);
    expect(compactions.length).toBeGreaterThan(0);
    const height6 = [0, 0, 0, 0, 0, 0, 0, 6];
    for (const [start, end] of compactions) {
      const table = start[0] as number;
      expect([...end], `compaction of table 0x${table.toString(16)} ends at height 6`).toEqual([
        table,
        ...height6,
      ]);
    }
  });

  it('keeps its height when the write of a block fails, so the block can be saved again', async () => {
    let failNext = true;
    const kv = new (class extends MemoryKvStore {
      override async write(ops: readonly KvOp[], options: WriteOptions): Promise<void> {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        await super.write(ops, options);
      }
    })();
    await kv.start();
    cleanups.push(() => kv.stop());
    const store = new LevelChainStore({}, { kv });
    await store.start();
    const [block] = chainOf(1) as [Block];
    const save = () => store.saveBlock(block, testCommit(block), testChainState(CHAIN, block, validators));
    await expect(save()).rejects.toThrow('disk full');
    expect([store.height(), store.base()], 'nothing was written').toEqual([0, 0]);
    await save();
    expect([store.height(), store.base()]).toEqual([1, 1]);
    expect(await store.loadBlock(1)).toEqual(block);
  });
});
