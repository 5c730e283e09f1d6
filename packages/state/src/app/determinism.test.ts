import { addressOf, type Block, blockId, formatAddress, generateKeyPair, toHex } from '@joule/consensus';
import { afterEach, describe, expect, it } from 'vitest';
import { ClassicKvStore } from '../kv/level-kv-store.js';
import { coreModules } from '../modules/core.js';
import { testBlock, testValidatorSet } from '../testkit/chain-fixtures.js';
import { SeededRandom } from '../testkit/seeded-random.js';
import { tempDir } from '../testkit/temp-dir.js';
import { TestChain } from '../testkit/test-chain.js';
import { signTx, txMessage } from './tx.js';

const keys = Array.from({ length: 5 }, (_, i) => generateKeyPair(new Uint8Array(32).fill(90 + i)));
const bech = (k: { publicKey: Uint8Array }) => formatAddress(addressOf(k.publicKey), 'joule');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function options(kv?: ClassicKvStore) {
  const core = coreModules();
  return {
    core,
    options: {
      modules: core.modules,
      accounts: core.accounts,
      genesis: {
        bank: {
          authority: bech(keys[0]!),
          balances: keys.map((k) => ({ address: bech(k), denom: 'kwh', amount: '1000' })),
        },
      },
      ...(kv === undefined ? {} : { kv }),
    },
  };
}

/** Seeded blocks of transfers and mints, with some replayed, unauthorized or garbage transactions. */
function workload(seed: number, heights: number, chainId: string) {
  const rng = new SeededRandom(seed);
  const nonces = keys.map(() => 0);
  const { core } = options();
  const blocks: Uint8Array[][] = [];
  for (let h = 0; h < heights; h++) {
    const txs: Uint8Array[] = [];
    for (let i = 0; i < 1 + rng.below(6); i++) {
      const from = rng.below(keys.length);
      const to = addressOf(keys[rng.below(keys.length)]!.publicKey);
      const amount = BigInt(1 + rng.below(400));
      const kind = rng.below(10);
      const message =
        kind < 7
          ? txMessage(core.bank.msg.send, { to, denom: 'kwh', amount })
          : txMessage(core.bank.msg.mint, { to, denom: kind === 9 ? 'chf' : 'kwh', amount });
      const nonce = kind === 8 ? Math.max(0, nonces[from]! - 1) : nonces[from]!;
      if (kind !== 8) nonces[from] = nonce + 1;
      txs.push(
        rng.below(20) === 0
          ? new Uint8Array([rng.below(256)])
          : signTx(keys[from]!.secretKey, { chainId, nonce, messages: [message] }),
      );
    }
    blocks.push(txs);
  }
  return blocks;
}

describe('determinism', () => {
  it('two apps fed the same blocks agree on every app hash, across a restart on LevelDB', async () => {
    const dir = tempDir('determinism');
    cleanups.push(dir.remove);
    const kv = new ClassicKvStore({ location: dir.path });
    cleanups.push(() => kv.stop());
    const memory = await TestChain.create(options().options);
    let disk = await TestChain.create(options(kv).options);
    expect(toHex(disk.appHash)).toBe(toHex(memory.appHash));
    const blocks = workload(7, 30, memory.chainId);
    let previous: Block | null = null;
    const codes = new Set<string>();
    for (const [i, txs] of blocks.entries()) {
      const height = i + 1;
      const block = testBlock(memory.chainId, height, previous, txs, memory.appHash, testValidatorSet(1));
      const request = { block, hash: blockId(block).hash, misbehavior: [] };
      const a = await memory.app.finalizeBlock(request);
      const b = await disk.app.finalizeBlock(request);
      expect(toHex(b.appHash), `app hash at height ${height}`).toBe(toHex(a.appHash));
      expect(b.txResults, `results at height ${height}`).toEqual(a.txResults);
      for (const r of a.txResults) codes.add(r.codespace);
      await memory.app.commit();
      await disk.app.commit();
      previous = block;
      if (height === 15) {
        await disk.app.stop();
        await kv.stop();
        disk = await TestChain.create(options(kv).options);
        expect((await disk.app.info()).lastBlockHeight).toBe(15);
        expect(toHex((await disk.app.info()).lastBlockAppHash)).toBe(toHex(memory.appHash));
      }
    }
    expect([...codes].sort()).toEqual(expect.arrayContaining(['', 'TX_BAD_NONCE', 'UNAUTHORIZED']));
    expect(await disk.app.exportGenesis()).toEqual(await memory.app.exportGenesis());
  });
});
