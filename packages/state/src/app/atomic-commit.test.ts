import { blockId } from '@joule/consensus';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelChainStore } from '../chain/level-chain-store.js';
import { PendingWrites } from '../chain/pending-writes.js';
import { ClassicKvStore } from '../kv/level-kv-store.js';
import { coreModules } from '../modules/core.js';
import {
  testBlock,
  testChainState,
  testCommit,
  testGenesisTimeMs,
  testValidatorSet,
} from '../testkit/chain-fixtures.js';
import { tempDir } from '../testkit/temp-dir.js';
import { App } from './app.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('one batch per height', () => {
  it('writes the block, its commit, the chain state and the application state together', async () => {
    const dir = tempDir('atomic');
    cleanups.push(dir.remove);
    const validators = testValidatorSet(1);
    const open = async () => {
      const kv = new ClassicKvStore({ location: dir.path });
      await kv.start();
      const pending = new PendingWrites();
      const chain = new LevelChainStore({}, { kv, pending });
      await chain.start();
      const core = coreModules();
      const app = new App({}, { kv, modules: core.modules, accounts: core.accounts, pending });
      await app.start();
      return { kv, chain, app };
    };
    let node = await open();
    const init = await node.app.initChain({
      chainId: 'atomic',
      time: testGenesisTimeMs,
      initialHeight: 1,
      validators: [{ pubKey: validators.validators[0]!.pubKey, power: 10n }],
      appStateBytes: new TextEncoder().encode('{}'),
    });
    const block = testBlock('atomic', 1, null, [], init.appHash, validators);
    const result = await node.app.finalizeBlock({ block, hash: blockId(block).hash, misbehavior: [] });
    await node.chain.saveBlock(block, testCommit(block), {
      ...testChainState('atomic', block, validators),
      appHash: result.appHash,
    });
    expect(node.chain.height()).toBe(1);
    // Before the application's commit nothing of height 1 is on disk.
    await node.kv.stop();
    node = await open();
    expect([node.chain.height(), (await node.app.info()).lastBlockHeight]).toEqual([0, 0]);
    await node.app.initChain({
      chainId: 'atomic',
      time: testGenesisTimeMs,
      initialHeight: 1,
      validators: [{ pubKey: validators.validators[0]!.pubKey, power: 10n }],
      appStateBytes: new TextEncoder().encode('{}'),
    });
    await node.app.finalizeBlock({ block, hash: blockId(block).hash, misbehavior: [] });
    await node.chain.saveBlock(block, testCommit(block), {
      ...testChainState('atomic', block, validators),
      appHash: result.appHash,
    });
    await node.app.commit();
    await node.kv.stop();
    node = await open();
    cleanups.push(() => node.kv.stop());
    expect([node.chain.height(), (await node.app.info()).lastBlockHeight]).toEqual([1, 1]);
    expect((await node.chain.loadState())?.appHash).toEqual(result.appHash);
    expect((await node.app.info()).lastBlockAppHash).toEqual(result.appHash);
    expect(await node.chain.loadBlock(1)).toEqual(block);
  });
});
