import { addressOf, formatAddress, generateKeyPair, maxValidators, struct, uint } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { gasCosts, maxBlockEvents, maxBlockWrites, maxEventsPerTx, maxIterateEntries } from '../constants.js';
import { coreModules } from '../modules/core.js';
import { eventsOf, TestChain } from '../testkit/test-chain.js';
import type { AccountKeeper } from './ante.js';
import { Executor } from './executor.js';
import { GasMeter } from './gas.js';
import { moduleStorePrefix } from './layout.js';
import { type BlockInfo, defineMessage, type Module } from './module.js';
import { MeteredState } from './state.js';
import { StateLayer, type StateReader } from './state-layer.js';
import { signTx, txMessage } from './tx.js';

const utf8 = new TextEncoder();
const empty: StateReader = { get: async () => undefined, entries: async () => [] };
const block: BlockInfo = { chainId: 'limits', height: 1, time: 0, proposer: new Uint8Array(20) };
const accounts: AccountKeeper = {
  async useNonce(state, signer, nonce) {
    state.set(utf8.encode(`acct/${Buffer.from(signer.address).toString('hex')}`), new Uint8Array([nonce]));
  },
};
/** `<module>/fill`: writes `count` new keys `<module>/<tag>/<i>`. */
const fillOf = (module: string) =>
  defineMessage({
    type: `${module}/fill`,
    codec: struct<{ tag: number; count: number }>('Fill', { tag: uint(), count: uint() }),
    async handle(ctx, m) {
      for (let i = 0; i < m.count; i++)
        ctx.state.set(utf8.encode(`${module}/${m.tag}/${i}`), new Uint8Array([1]));
    },
  });
const fill = fillOf('fill');
const alice = generateKeyPair(new Uint8Array(32).fill(51));
const bob = generateKeyPair(new Uint8Array(32).fill(52));
const tx = (signer: typeof alice, nonce: number, tag: number, count: number) =>
  signTx(signer.secretKey, { chainId: 'limits', nonce, messages: [txMessage(fill, { tag, count })] });

describe('block-level limits fail a transaction or a hook, never finalizeBlock', () => {
  it('fails the transaction whose writes would pass maxBlockWrites; the block goes on', async () => {
    const executor = new Executor(
      {
        chainId: 'limits',
        maxTxGas: Number.MAX_SAFE_INTEGER,
        hookWorkBudget: Number.MAX_SAFE_INTEGER,
        addressPrefix: 'joule',
      },
      { messageTypes: new Map([[fill.type, fill as never]]), accounts, storeKeys: new Map() },
    );
    const layer = new StateLayer(empty);
    const gas = { used: 0, limit: Number.MAX_SAFE_INTEGER };
    const run = (bytes: Uint8Array) => executor.deliverTx(bytes, block, layer, gas);
    // alice's nonce key + (maxBlockWrites - 2) keys: one key left.
    expect((await run(tx(alice, 0, 1, maxBlockWrites - 2))).code, 'the big tx').toBe(0);
    const over = await run(tx(alice, 1, 2, 2));
    expect([over.code, over.codespace], 'two more keys').toEqual([16, 'TX_BLOCK_WRITES_EXCEEDED']);
    expect((await run(tx(alice, 2, 3, 1))).code, 'one more key fits').toBe(0);
    expect(layer.size).toBe(maxBlockWrites);
    const newSigner = await run(tx(bob, 0, 4, 0));
    expect(newSigner.codespace, "bob's nonce would be a new key").toBe('TX_BLOCK_WRITES_EXCEEDED');
    expect(layer.size).toBe(maxBlockWrites);
    // The mempool's check state has the same bound.
    const check = await executor.checkTx(tx(bob, 0, 5, 0), block, layer);
    expect(check.codespace, 'checkTx over a full check state').toBe('TX_BLOCK_WRITES_EXCEEDED');
    // A hook whose writes would pass the bound fails alone.
    const events: never[] = [];
    const hooked: Module = {
      name: 'hooked',
      async endBlock(ctx) {
        ctx.state.set(utf8.encode('hooked/x'), new Uint8Array([1]));
      },
    };
    await executor.runHook(hooked, 'endBlock', block, layer, events, []);
    expect(eventsOf({ events }, 'hook.failed')).toMatchObject([
      { module: 'hooked', code: 'TX_BLOCK_WRITES_EXCEEDED' },
    ]);
  }, 60_000);

  it('fails the hooks whose events would pass maxBlockEvents, and commits the block', async () => {
    const loud = Math.ceil(maxBlockEvents / maxEventsPerTx) + 1;
    const modules: Module[] = Array.from({ length: loud }, (_, i) => ({
      name: `loud${i}`,
      async endBlock(ctx) {
        for (let e = 0; e < maxEventsPerTx; e++) ctx.emit({ type: 'loud.event', attributes: [] });
      },
    }));
    const core = coreModules();
    const c = await TestChain.create({ modules: [...core.modules, ...modules], accounts: core.accounts });
    const result = await c.block([]);
    expect(result.events.filter((e) => e.type === 'loud.event').length).toBeLessThanOrEqual(maxBlockEvents);
    expect(eventsOf(result, 'hook.failed').map((e) => e.code)).toEqual(['TX_TOO_MANY_EVENTS']);
    expect((await c.app.blockResults(c.height))?.events.length).toBe(result.events.length);
  });

  it('fails a hook whose validator updates the block results could not hold', async () => {
    const eager: Module = {
      name: 'eager',
      async endBlock(ctx) {
        for (let i = 0; i <= maxValidators; i++) {
          const pubKey = new Uint8Array(32);
          new DataView(pubKey.buffer).setUint32(0, i);
          ctx.updateValidator({ pubKey, power: 1n });
        }
      },
    };
    const core = coreModules();
    const c = await TestChain.create({ modules: [...core.modules, eager], accounts: core.accounts });
    const result = await c.block([]);
    expect(result.validatorUpdates).toEqual([]);
    expect(eventsOf(result, 'hook.failed')).toMatchObject([
      { module: 'eager', code: 'TX_BAD_VALIDATOR_UPDATE' },
    ]);
    expect(c.height, 'the block committed').toBe(1);
  });

  it('commits a genesis larger than the block write limit, which still bounds later blocks', async () => {
    const big: Module<null> = {
      name: 'big',
      messages: [fillOf('big') as never],
      genesis: {
        default: () => null,
        parse: () => null,
        async init(ctx) {
          for (let i = 0; i < 120; i++) ctx.state.set(utf8.encode(`big/${i}`), new Uint8Array([i]));
        },
        export: async () => null,
      },
    };
    const core = coreModules();
    const c = await TestChain.create({
      modules: [...core.modules, big],
      accounts: core.accounts,
      genesis: {
        app: { maxBlockWrites: 50 },
        auth: { accounts: [{ address: formatAddress(addressOf(alice.publicKey), 'joule') }] },
      },
    });
    await c.block([]);
    const key = new Uint8Array([...moduleStorePrefix('big'), ...utf8.encode('big/119')]);
    expect((await c.app.query({ path: '/store', data: key })).value).toEqual(new Uint8Array([119]));
    // alice's account (nonce) is one key of the block: 49 more fit, 50 do not.
    const fits = await c.deliver(alice, txMessage(fillOf('big'), { tag: 1, count: 49 }));
    expect(fits.code, '50 keys in the block').toBe(0);
    const over = await c.deliver(alice, txMessage(fillOf('big'), { tag: 2, count: 50 }));
    expect(over.codespace, '51 keys in the block').toBe('TX_BLOCK_WRITES_EXCEEDED');
  });

  it('refuses an iteration limit that is negative or not an integer, which the store would read as no limit', async () => {
    const asked: number[] = [];
    const reader: StateReader = {
      get: async () => undefined,
      entries: async (_prefix, limit) => {
        asked.push(limit);
        return [];
      },
    };
    const state = new MeteredState(new StateLayer(reader), new GasMeter(1_000_000), true);
    for (const limit of [-1, Number.NaN, 1.5, Number.NEGATIVE_INFINITY])
      await expect(state.entries(new Uint8Array([1]), limit), String(limit)).rejects.toMatchObject({
        code: 'STORE_LIMIT',
      });
    await state.entries(new Uint8Array([1]), Number.POSITIVE_INFINITY);
    await state.entries(new Uint8Array([1]), 0);
    expect(asked, 'only bounded limits reach the store').toEqual([maxIterateEntries, 0]);
  });

  it('counts only whole, non-negative gas: a module cannot refund itself gas or make the meter NaN', async () => {
    const meter = new GasMeter(1000);
    meter.consume(600, 'work');
    for (const amount of [-500, Number.NaN, 1.5, Number.POSITIVE_INFINITY])
      expect(() => meter.consume(amount, 'refund'), String(amount)).toThrow(
        expect.objectContaining({ code: 'TX_BAD_GAS_AMOUNT' }),
      );
    Object.assign(meter, { spent: 0 });
    expect(() => Object.assign(meter, { limit: 10 ** 12 })).toThrow(TypeError);
    expect([meter.used, meter.limit], 'its fields are its own').toEqual([600, 1000]);
    const cheat = defineMessage({
      type: 'cheat/refund',
      codec: struct<{ amount: number }>('Refund', { amount: uint() }),
      async handle(ctx) {
        ctx.gas.consume(Number.NaN, 'a careless cost');
      },
    });
    const core = coreModules();
    const c = await TestChain.create({
      modules: [...core.modules, { name: 'cheat', messages: [cheat as never] }],
      accounts: core.accounts,
      genesis: { auth: { accounts: [{ address: formatAddress(addressOf(alice.publicKey), 'joule') }] } },
    });
    const result = await c.deliver(alice, txMessage(cheat, { amount: 1 }));
    expect(result.codespace, 'the transaction fails, the block commits').toBe('TX_BAD_GAS_AMOUNT');
  });

  it('charges a delete per byte of its key', () => {
    const meter = (key: Uint8Array) => {
      const gas = new GasMeter(1_000_000);
      new MeteredState(new StateLayer(empty), gas).delete(key);
      return gas.used;
    };
    expect(gasCosts.deletePerByte).toBeGreaterThan(0);
    expect(meter(new Uint8Array(200)) - meter(new Uint8Array(10))).toBe(190 * gasCosts.deletePerByte);
  });
});
