import { addressOf, formatAddress, generateKeyPair } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { defaultHookWorkBudget, defaultMaxTxGas } from '../constants.js';
import { coreModules } from '../modules/core.js';
import { TestChain } from '../testkit/test-chain.js';
import { parseAppState } from './genesis.js';
import { txMessage } from './tx.js';

const alice = generateKeyPair(new Uint8Array(32).fill(61));
const bob = generateKeyPair(new Uint8Array(32).fill(62));
const bech = (k: { publicKey: Uint8Array }) => formatAddress(addressOf(k.publicKey), 'joule');

async function chainWith(app: Record<string, unknown> | undefined) {
  const core = coreModules();
  const c = await TestChain.create({
    modules: core.modules,
    accounts: core.accounts,
    genesis: {
      ...(app === undefined ? {} : { app }),
      bank: { balances: [{ address: bech(alice), denom: 'kwh', amount: '1000' }] },
    },
  });
  const send = (amount: bigint) =>
    txMessage(core.bank.msg.send, { to: addressOf(bob.publicKey), denom: 'kwh', amount });
  return { c, core, send };
}

describe('gas and work limits are chain-wide, from genesis', () => {
  it('take maxTxGas and maxBlockGas from the app section of genesis, and keep them across a restart', async () => {
    let { c, send } = await chainWith({ maxTxGas: 1_000_000, maxBlockGas: 40_000 });
    const burst = async () => {
      const nonce = await c.nextNonce(alice.publicKey);
      const txs = [];
      for (let i = 0; i < 6; i++) txs.push(await c.tx(alice, [send(1n)], { nonce: nonce + i }));
      return (await c.block(txs)).txResults.map((r) => r.codespace);
    };
    expect(await burst(), 'before a restart').toContain('TX_BLOCK_GAS_EXCEEDED');
    c = await c.restart();
    expect(await burst(), 'after a restart').toContain('TX_BLOCK_GAS_EXCEEDED');
    const tight = await chainWith({ maxTxGas: 3_000 });
    expect((await tight.c.deliver(alice, tight.send(1n))).codespace).toBe('TX_OUT_OF_GAS');
  });

  it('default when genesis has no app section, and are exported with the state', async () => {
    const { c } = await chainWith(undefined);
    await c.block([]);
    const exported = await c.app.exportGenesis();
    expect(exported.app).toMatchObject({ maxTxGas: defaultMaxTxGas, hookWorkBudget: defaultHookWorkBudget });
    const tuned = await chainWith({ hookWorkBudget: 5_000 });
    await tuned.c.block([]);
    expect((await tuned.c.app.exportGenesis()).app).toMatchObject({ hookWorkBudget: 5_000 });
    // The test kit's shortcut: limits among its `app` options go into the genesis `app` section.
    const core = coreModules();
    const kit = await TestChain.create({
      modules: core.modules,
      accounts: core.accounts,
      app: { hookWorkBudget: 7_000, retainBlocks: 0 },
      genesis: { app: { maxTxGas: 9_000 } },
    });
    await kit.block([]);
    expect((await kit.app.exportGenesis()).app).toMatchObject({ hookWorkBudget: 7_000, maxTxGas: 9_000 });
  });

  it('refuse a malformed app section with GENESIS_INVALID', () => {
    const { modules } = coreModules();
    const parse = (app: unknown) => () =>
      parseAppState(new TextEncoder().encode(JSON.stringify({ app })), modules);
    expect(parse({ maxTxGas: 10 })).not.toThrow();
    for (const bad of [
      { maxTxGas: 0 },
      { maxTxGas: -1 },
      { maxBlockGas: 1.5 },
      { maxBlockGas: '100' },
      { hookWorkBudget: 2 ** 60 },
      { maxBlockWrites: 10_000_000 },
      { maxGas: 1 },
      [],
    ]) {
      expect(parse(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'GENESIS_INVALID' }));
    }
  });
});
