import { addressOf, blockId, decode, formatAddress, generateKeyPair, genesisState } from '@joule/consensus';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelChainStore } from '../chain/level-chain-store.js';
import { PendingWrites } from '../chain/pending-writes.js';
import { ClassicKvStore } from '../kv/level-kv-store.js';
import { amount } from '../modules/bank/bank-types.js';
import { coreModules } from '../modules/core.js';
import { testBlock, testCommit, testGenesisTimeMs, testValidatorSet } from '../testkit/chain-fixtures.js';
import { tempDir } from '../testkit/temp-dir.js';
import { App } from './app.js';
import { moduleTableKey } from './layout.js';
import { signTx, txMessage } from './tx.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const alice = generateKeyPair(new Uint8Array(32).fill(31));
const validators = testValidatorSet(1);
const genesis = {
  chainId: 'restart',
  genesisTime: testGenesisTimeMs,
  initialHeight: 1,
  validators: [{ pubKey: validators.validators[0]!.pubKey, power: 10n }],
  consensusParams: {
    maxBlockBytes: 1024 * 1024,
    maxBlockGas: -1,
    evidenceMaxAgeBlocks: 100,
    evidenceMaxAgeMs: 3_600_000,
  },
  appState: new TextEncoder().encode(
    JSON.stringify({
      bank: {
        authority: formatAddress(addressOf(alice.publicKey), 'joule'),
        balances: [
          { address: formatAddress(addressOf(alice.publicKey), 'joule'), denom: 'kwh', amount: '9' },
        ],
      },
      app: { maxTxGas: 1_000_000 },
    }),
  ),
};
const initChain = (app: App) =>
  app.initChain({
    chainId: genesis.chainId,
    time: genesis.genesisTime,
    initialHeight: genesis.initialHeight,
    validators: genesis.validators,
    appStateBytes: genesis.appState,
  });

describe('a restart between genesis and block 1', () => {
  it('runs initChain again over the same LevelDB (same app hash), then blocks work', async () => {
    const dir = tempDir('genesis-restart');
    cleanups.push(dir.remove);
    const open = async () => {
      const kv = new ClassicKvStore({ location: dir.path });
      await kv.start();
      const pending = new PendingWrites();
      const chain = new LevelChainStore({}, { kv, pending });
      await chain.start();
      const core = coreModules();
      const app = new App({}, { kv, modules: core.modules, accounts: core.accounts, pending });
      await app.start();
      return { kv, chain, app, core };
    };
    // What the driver does on a first start: initChain, then save the genesis chain state.
    let node = await open();
    const first = await initChain(node.app);
    await node.chain.saveGenesisState(genesisState(genesis, genesis.validators, first.appHash));
    expect((await initChain(node.app)).appHash, 'initChain twice on one app').toEqual(first.appHash);
    await node.app.stop();
    await node.kv.stop();

    // The restart: a chain state is stored, the application is at height 0 -> initChain again.
    node = await open();
    cleanups.push(() => node.kv.stop());
    const stored = await node.chain.loadState();
    expect(stored?.lastBlockHeight).toBe(0);
    expect((await node.app.info()).lastBlockHeight).toBe(0);
    const again = await initChain(node.app);
    expect(again.appHash, 'the same genesis gives the same app hash').toEqual(stored?.appHash);

    let previous = null;
    let appHash = again.appHash;
    for (let height = 1; height <= 3; height++) {
      const txs =
        height === 2
          ? [
              signTx(alice.secretKey, {
                chainId: genesis.chainId,
                nonce: 0,
                messages: [
                  txMessage(node.core.bank.msg.mint, {
                    to: addressOf(alice.publicKey),
                    denom: 'kwh',
                    amount: 1n,
                  }),
                ],
              }),
            ]
          : [];
      const block = testBlock(genesis.chainId, height, previous, txs, appHash, validators);
      const result = await node.app.finalizeBlock({ block, hash: blockId(block).hash, misbehavior: [] });
      expect(
        result.txResults.map((r) => r.codespace),
        `results at ${height}`,
      ).toEqual(txs.map(() => ''));
      await node.chain.saveBlock(block, testCommit(block), {
        ...(stored as NonNullable<typeof stored>),
        lastBlockHeight: height,
        lastBlockId: blockId(block),
        lastBlockTime: block.header.time,
        appHash: result.appHash,
      });
      await node.app.commit();
      appHash = result.appHash;
      previous = block;
    }
    expect((await node.app.info()).lastBlockHeight).toBe(3);
    expect(node.chain.height()).toBe(3);
    const supply = await node.app.query({
      path: '/store',
      data: moduleTableKey('bank', 's', new TextEncoder().encode('kwh')),
    });
    expect(decode(amount, supply.value), 'genesis 9 + minted 1').toBe(10n);
    await expect(initChain(node.app), 'initChain once a block is committed').rejects.toMatchObject({
      code: 'STORE_STATE',
    });
  });
});
