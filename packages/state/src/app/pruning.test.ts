import { type Block, blockId } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { MemoryKvStore } from '../kv/level-kv-store.js';
import { coreModules } from '../modules/core.js';
import { testBlock, testGenesisTimeMs, testValidatorSet } from '../testkit/chain-fixtures.js';
import { App } from './app.js';

/** A memory store that records the ranges it is asked to compact. */
class SpyKvStore extends MemoryKvStore {
  readonly compactions: [Uint8Array, Uint8Array][] = [];
  override async compactRange(start: Uint8Array, end: Uint8Array): Promise<void> {
    this.compactions.push([start.slice(), end.slice()]);
    await super.compactRange(start, end);
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('pruning', () => {
  it('returns a retain height only at the prune interval, and compacts only the pruned key ranges', async () => {
    const kv = new SpyKvStore();
    await kv.start();
    const core = coreModules();
    const app = new App(
      { retainBlocks: 5, pruneIntervalBlocks: 10 },
      { kv, modules: core.modules, accounts: core.accounts },
    );
    await app.start();
    const validators = testValidatorSet(1);
    const init = await app.initChain({
      chainId: 'prune',
      time: testGenesisTimeMs,
      initialHeight: 1,
      validators: [{ pubKey: validators.validators[0]!.pubKey, power: 10n }],
      appStateBytes: new Uint8Array(0),
    });
    let appHash = init.appHash;
    let previous: Block | null = null;
    const retained: [number, number][] = [];
    for (let height = 1; height <= 20; height++) {
      const block = testBlock('prune', height, previous, [new Uint8Array([height])], appHash, validators);
      appHash = (await app.finalizeBlock({ block, hash: blockId(block).hash, misbehavior: [] })).appHash;
      const { retainHeight } = await app.commit();
      if (retainHeight !== 0) retained.push([height, retainHeight]);
      previous = block;
    }
    expect(retained, 'heights that asked consensus to prune').toEqual([
      [10, 6],
      [20, 16],
    ]);
    expect(kv.compactions.length).toBeGreaterThan(0);
    for (const [start, end] of kv.compactions) {
      const table = start[0] as number;
      const whole = [hex(new Uint8Array([table])), hex(new Uint8Array([table + 1]))];
      expect([hex(start), hex(end)], `compaction of table 0x${table.toString(16)}`).not.toEqual(whole);
      expect(end[0], 'a compaction stays in one table').toBe(table);
    }
    await expect(app.query({ path: '/store', data: new Uint8Array([1]), height: 15 })).resolves.toMatchObject(
      {
        codespace: 'STORE_VERSION_PRUNED',
      },
    );
  });
});
