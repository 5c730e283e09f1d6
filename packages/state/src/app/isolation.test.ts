import { addressOf, formatAddress, generateKeyPair, string, struct, uint } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { coreModules } from '../modules/core.js';
import { eventsOf, TestChain } from '../testkit/test-chain.js';
import { moduleStorePrefix, moduleTableKey } from './layout.js';
import { defineEvent, defineMessage, defineQuery, type Module } from './module.js';
import { registerModules } from './registry.js';
import { StoreKey, Table } from './state.js';
import { txMessage } from './tx.js';

const utf8 = new TextEncoder();
const alice = generateKeyPair(new Uint8Array(32).fill(81));
const region = utf8.encode('north');

/** The module whose state is attacked: one tariff per region, set by anyone, read by a query. */
const tariffs = new Table('tariffs', 'current', (r: Uint8Array) => r, uint());
const setTariff = defineMessage({
  type: 'tariffs/set',
  codec: struct<{ price: number }>('SetTariff', { price: uint() }),
  async handle(ctx, m) {
    tariffs.set(ctx.state, region, m.price);
  },
});
const tariffQuery = defineQuery({
  path: 'current',
  request: struct<Record<string, never>>('CurrentTariff', {}),
  response: uint(),
  handle: async (ctx) => (await tariffs.get(ctx.state, region)) ?? 0,
});
const tariffsModule: Module = {
  name: 'tariffs',
  messages: [setTariff as never],
  queries: [tariffQuery as never],
};

/** The other module: each message tries one way into tariffs' keys. */
const theirs = new Table('tariffs', 'current', (r: Uint8Array) => r, uint());
const rawKey = moduleTableKey('tariffs', 'current', region);
const attempts = {
  tableWrite: (ctx) => theirs.set(ctx.state, region, 1),
  tableRead: async (ctx) => {
    await theirs.get(ctx.state, region);
  },
  forgedKey: async (ctx) => {
    await tariffs.get(new StoreKey('tariffs').state(ctx.state), region);
  },
  rawRead: async (ctx) => {
    if ((await ctx.state.get(rawKey)) !== undefined) throw new Error('read tariffs');
    const everything = await ctx.state.entries(new Uint8Array(0));
    if (everything.length > 0) throw new Error('saw keys outside its own store');
  },
  rawWrite: (ctx) => ctx.state.set(rawKey, new Uint8Array([1])),
  // Any module author can build the core modules too: a second instance's store key and keeper
  // must not open the application's bank or auth.
  copiedKey: async (ctx) => {
    const copy = coreModules();
    copy.bank.storeKey?.state(ctx.state).set(new Uint8Array([0x62, 0x2f]), new Uint8Array([1]));
  },
  copiedKeeper: async (ctx) => {
    await coreModules().bank.keeper.mint(ctx.state, ctx.emit, new Uint8Array(20).fill(7), 'kwh', 1000n);
  },
  copiedAuthKeeper: async (ctx) => {
    await coreModules().auth.keeper.useNonce(ctx.state, { address: new Uint8Array(20).fill(7) } as never, 0);
  },
  // Public-looking fields are not capabilities: relabelling its state, re-aiming a table of its
  // own, or rewriting its own store key's prefix bytes must not reach tariffs' keys.
  relabel: (ctx) => {
    Object.assign(ctx.state, { module: 'tariffs' });
    theirs.set(ctx.state, region, 1);
  },
  ownTableReaimed: (ctx) => {
    const own = new Table('intruder', 'x', (r: Uint8Array) => r, uint());
    Object.assign(own, { prefix: moduleTableKey('tariffs', 'current') });
    own.set(ctx.state, region, 1);
  },
  ownKeyRewritten: (ctx) => {
    const aim = moduleTableKey('tariffs', 'current');
    intruderKey.prefix.set(aim.subarray(0, intruderKey.prefix.length));
    ctx.state.set(
      new Uint8Array([...aim.subarray(intruderKey.prefix.length), ...region]),
      new Uint8Array([1]),
    );
  },
} satisfies Record<string, (ctx: Parameters<typeof setTariff.handle>[0]) => unknown>;
const attempt = defineMessage({
  type: 'intruder/attempt',
  codec: struct<{ how: string }>('Attempt', { how: string(32) }),
  async handle(ctx, m) {
    await attempts[m.how as keyof typeof attempts](ctx);
  },
});
const peek = defineQuery({
  path: 'peek',
  request: struct<Record<string, never>>('Peek', {}),
  response: uint(),
  handle: async (ctx) => (await ctx.state.get(rawKey))?.length ?? 0,
});
/** A bank payment from the intruder's own handler: cross-module access through the bank's keeper works. */
const core = coreModules();
const pay = defineMessage({
  type: 'intruder/pay',
  codec: struct<Record<string, never>>('Pay', {}),
  async handle(ctx, _m, signer) {
    await core.bank.keeper.send(ctx.state, ctx.emit, signer.address, new Uint8Array(20).fill(9), 'kwh', 2n);
  },
});
/** A message that renames itself after registration, so that its next run is scoped to tariffs. */
const morph = defineMessage({
  type: 'intruder/morph',
  codec: struct<Record<string, never>>('Morph', {}),
  async handle(ctx) {
    if (ctx.state instanceof Object && (ctx.state as { module?: string }).module === 'tariffs')
      tariffs.set(ctx.state, region, 1);
    Object.assign(morph, { type: 'tariffs/morph' });
  },
});
const intruderKey = new StoreKey('intruder');
const intruder: Module = {
  name: 'intruder',
  storeKey: intruderKey,
  messages: [attempt as never, pay as never, morph as never],
  queries: [peek as never],
};

async function chain(): Promise<TestChain> {
  const address = formatAddress(addressOf(alice.publicKey), 'joule');
  return TestChain.create({
    modules: [...core.modules, tariffsModule, intruder],
    accounts: core.accounts,
    genesis: {
      auth: { accounts: [{ address }] },
      bank: { balances: [{ address, denom: 'kwh', amount: '10' }] },
    },
  });
}

describe('the state isolation test: a module cannot read or write another module’s keys', () => {
  it('refuses another module’s Table and a forged store key, and scopes raw access to the module’s own store', async () => {
    const c = await chain();
    expect((await c.deliver(alice, txMessage(setTariff, { price: 42 }))).code).toBe(0);
    for (const how of [
      'tableWrite',
      'tableRead',
      'forgedKey',
      'copiedKey',
      'copiedKeeper',
      'copiedAuthKeeper',
    ] as const) {
      const result = await c.deliver(alice, txMessage(attempt, { how }));
      expect(result.codespace, how).toBe('STATE_OUT_OF_SCOPE');
    }
    expect((await c.deliver(alice, txMessage(attempt, { how: 'rawRead' }))).code, 'sees nothing').toBe(0);
    // A raw write of tariffs' full key lands in the intruder's own store, under its prefix.
    expect((await c.deliver(alice, txMessage(attempt, { how: 'rawWrite' }))).code).toBe(0);
    expect(await c.query('tariffs', tariffQuery, {})).toBe(42);
    const stored = await c.app.query({ path: '/store', data: rawKey });
    expect(stored.value, "tariffs' key is unchanged").toEqual(new Uint8Array([42]));
    const misplaced = new Uint8Array([...moduleStorePrefix('intruder'), ...rawKey]);
    expect((await c.app.query({ path: '/store', data: misplaced })).value).toEqual(new Uint8Array([1]));
    expect(await c.query('intruder', peek, {}), "a query sees its own write, not tariffs' value").toBe(1);
    await c.deliver(alice, txMessage({ ...morph, type: 'intruder/morph' }, {}));
    await c.deliver(alice, txMessage({ ...morph, type: 'intruder/morph' }, {}));
    expect(await c.query('tariffs', tariffQuery, {}), 'a renamed message type').toBe(42);
    Object.assign(morph, { type: 'intruder/morph' });
    for (const how of ['relabel', 'ownTableReaimed', 'ownKeyRewritten'] as const) {
      await c.deliver(alice, txMessage(attempt, { how }));
      expect(await c.query('tariffs', tariffQuery, {}), how).toBe(42);
      expect((await c.app.query({ path: '/store', data: rawKey })).value, how).toEqual(new Uint8Array([42]));
    }
  });

  it('scopes hooks to the name a module was registered under, whatever its name field says later', async () => {
    const shifty: Module = {
      name: 'shifty',
      async endBlock(ctx) {
        if ((ctx.state as { module?: string }).module === 'tariffs') tariffs.set(ctx.state, region, 1);
        Object.assign(shifty, { name: 'tariffs' });
      },
    };
    const address = formatAddress(addressOf(alice.publicKey), 'joule');
    const c = await TestChain.create({
      modules: [...core.modules, tariffsModule, shifty],
      accounts: core.accounts,
      genesis: { auth: { accounts: [{ address }] } },
    });
    expect((await c.deliver(alice, txMessage(setTariff, { price: 42 }))).code).toBe(0);
    await c.deliver(alice, txMessage(setTariff, { price: 42 }));
    await c.deliver(alice, txMessage(setTariff, { price: 42 }));
    expect(await c.query('tariffs', tariffQuery, {})).toBe(42);
  });

  it('reaches another module only through its keeper', async () => {
    const c = await chain();
    const result = await c.deliver(alice, txMessage(pay, {}));
    expect(result.code).toBe(0);
    expect(eventsOf(result, 'bank.transfer')).toEqual([
      {
        from: formatAddress(addressOf(alice.publicKey), 'joule'),
        to: formatAddress(new Uint8Array(20).fill(9), 'joule'),
        denom: 'kwh',
        amount: '2',
      },
    ]);
    expect(
      await c.query('bank', core.bank.query.balance, { address: addressOf(alice.publicKey), denom: 'kwh' }),
    ).toBe(8n);
  });

  it('length-prefixes module stores, so no module’s keys start with another’s', () => {
    const bank = moduleTableKey('bank', 'b');
    const bankx = moduleTableKey('bankx', 'b');
    expect(Buffer.from(bankx.subarray(0, bank.length)).equals(Buffer.from(bank))).toBe(false);
    expect(
      Buffer.from(moduleStorePrefix('bankx'))
        .subarray(0, 5)
        .equals(Buffer.from(moduleStorePrefix('bank'))),
    ).toBe(false);
  });

  it('refuses a module that declares another module’s store key', () => {
    expect(() => registerModules([{ name: 'thief', storeKey: new StoreKey('bank') }])).toThrow(
      /StoreKey of "thief"/,
    );
  });
});

describe("the chain's address prefix", () => {
  it('reaches every context, genesis parsing and rendered events without being given to the modules', async () => {
    const lic = (a: Uint8Array) => formatAddress(a, 'lic');
    const seen: string[] = [];
    const probe: Module<null> = {
      name: 'probe',
      messages: [
        defineMessage({
          type: 'probe/echo',
          codec: struct<Record<string, never>>('Echo', {}),
          async handle(ctx, _m, signer) {
            seen.push(`tx ${ctx.addressPrefix}`);
            ctx.emit(
              defineEvent('probe.echo', ['who', 'raw'])({ who: signer.address, raw: new Uint8Array([1, 2]) }),
            );
          },
        }) as never,
      ],
      queries: [
        defineQuery({
          path: 'prefix',
          request: struct<Record<string, never>>('Prefix', {}),
          response: string(16),
          handle: async (ctx) => ctx.addressPrefix,
        }) as never,
      ],
      genesis: {
        default: () => null,
        parse: (_json, env) => {
          seen.push(`parse ${env?.addressPrefix}`);
          return null;
        },
        async init(ctx) {
          seen.push(`init ${ctx.addressPrefix}`);
        },
        export: async () => null,
      },
      async endBlock(ctx) {
        seen.push(`hook ${ctx.addressPrefix}`);
      },
    };
    const plain = coreModules(); // no prefix given to the modules
    const c = await TestChain.create({
      modules: [...plain.modules, probe],
      accounts: plain.accounts,
      addressPrefix: 'lic',
      genesis: {
        auth: { accounts: [{ address: lic(addressOf(alice.publicKey)) }] },
        bank: { balances: [{ address: lic(addressOf(alice.publicKey)), denom: 'kwh', amount: '5' }] },
        probe: {},
      },
    });
    const result = await c.deliver(alice, txMessage(probe.messages![0] as never, {}));
    expect(result.code).toBe(0);
    expect(eventsOf(result, 'probe.echo')).toEqual([{ who: lic(addressOf(alice.publicKey)), raw: '0102' }]);
    const send = await c.deliver(
      alice,
      txMessage(plain.bank.msg.send, { to: new Uint8Array(20).fill(4), denom: 'kwh', amount: 1n }),
    );
    expect(eventsOf(send, 'bank.transfer')[0]?.to).toBe(lic(new Uint8Array(20).fill(4)));
    expect(await c.query('probe', probe.queries![0] as never, {})).toBe('lic');
    expect(seen).toEqual(expect.arrayContaining(['parse lic', 'init lic', 'tx lic', 'hook lic']));
    expect(
      ((await c.app.exportGenesis()).bank as { balances: { address: string }[] }).balances[0]?.address,
    ).toMatch(/^lic1/);
  });
});

describe('transaction contexts', () => {
  it('give the messages of one module in one transaction the same context, each module its own', async () => {
    const contexts: { module: string; ctx: object }[] = [];
    const recorder = (module: string): Module => ({
      name: module,
      messages: [
        defineMessage({
          type: `${module}/record`,
          codec: struct<Record<string, never>>('Record', {}),
          async handle(ctx) {
            contexts.push({ module, ctx });
          },
        }) as never,
      ],
    });
    const [one, two] = [recorder('one'), recorder('two')];
    const c = await TestChain.create({
      modules: [...core.modules, one, two],
      accounts: core.accounts,
      genesis: { auth: { accounts: [{ address: formatAddress(addressOf(alice.publicKey), 'joule') }] } },
    });
    const record = (m: Module) => txMessage(m.messages![0] as never, {});
    expect((await c.deliver(alice, record(one), record(two), record(one))).code).toBe(0);
    expect(contexts.map((r) => r.module)).toEqual(['one', 'two', 'one']);
    expect(contexts[0]?.ctx, 'a module caches per transaction by its context').toBe(contexts[2]?.ctx);
    expect(contexts[1]?.ctx).not.toBe(contexts[0]?.ctx);
    expect((await c.deliver(alice, record(one))).code).toBe(0);
    expect(contexts[3]?.ctx, 'a new transaction, a new context').not.toBe(contexts[0]?.ctx);
  });
});
