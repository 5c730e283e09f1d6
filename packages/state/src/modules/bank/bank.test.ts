import { addressOf, formatAddress, generateKeyPair } from '@joule/consensus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { txMessage } from '../../app/tx.js';
import { eventsOf, TestChain } from '../../testkit/test-chain.js';
import { coreModules } from '../core.js';

const keys = Array.from({ length: 4 }, (_, i) => generateKeyPair(new Uint8Array(32).fill(40 + i)));
const [authority, alice, bob, carol] = keys as [
  (typeof keys)[0],
  (typeof keys)[0],
  (typeof keys)[0],
  (typeof keys)[0],
];
const addr = (k: { publicKey: Uint8Array }) => addressOf(k.publicKey);
const bech = (k: { publicKey: Uint8Array }) => formatAddress(addr(k), 'joule');

async function setup() {
  const core = coreModules();
  const c = await TestChain.create({
    modules: core.modules,
    accounts: core.accounts,
    genesis: {
      bank: {
        authority: bech(authority),
        balances: [
          { address: bech(alice), denom: 'kwh', amount: '500' },
          { address: bech(authority), denom: 'chf', amount: '100' },
        ],
      },
    },
  });
  const { msg, query } = core.bank;
  const balance = (k: { publicKey: Uint8Array }, denom = 'kwh') =>
    c.query('bank', query.balance, { address: addr(k), denom });
  return { c, core, msg, query, balance };
}

describe('bank', () => {
  it('sends and multi-sends, creating receivers on first receipt, with transfer events', async () => {
    const { c, core, msg, balance } = await setup();
    const send = await c.deliver(alice, txMessage(msg.send, { to: addr(bob), denom: 'kwh', amount: 120n }));
    expect(send.code).toBe(0);
    expect(eventsOf(send, 'bank.transfer')).toEqual([
      { from: bech(alice), to: bech(bob), denom: 'kwh', amount: '120' },
    ]);
    expect(await c.query('auth', core.auth.query.account, { address: addr(bob) })).toEqual({
      publicKey: null,
      nonce: 0,
    });
    const multi = await c.deliver(
      alice,
      txMessage(msg.multiSend, {
        outputs: [
          { to: addr(bob), denom: 'kwh', amount: 10n },
          { to: addr(carol), denom: 'kwh', amount: 20n },
        ],
      }),
    );
    expect(multi.code).toBe(0);
    expect([await balance(alice), await balance(bob), await balance(carol)]).toEqual([350n, 130n, 20n]);
    // bob, who only ever received, can now sign.
    expect(
      (await c.deliver(bob, txMessage(msg.send, { to: addr(alice), denom: 'kwh', amount: 30n }))).code,
    ).toBe(0);
    expect(await c.query('bank', core.bank.query.balances, { address: addr(alice) })).toEqual([
      { denom: 'kwh', amount: 380n },
    ]);
  });

  it('refuses a transfer under the minimum to an address with no account yet (bank.minNewAccountAmount)', async () => {
    const core = coreModules();
    const c = await TestChain.create({
      modules: core.modules,
      accounts: core.accounts,
      genesis: {
        bank: {
          authority: bech(authority),
          minNewAccountAmount: '100',
          balances: [{ address: bech(alice), denom: 'kwh', amount: '500' }],
        },
      },
    });
    const { msg } = core.bank;
    const send = (to: Uint8Array, amount: bigint) => txMessage(msg.send, { to, denom: 'kwh', amount });
    const dust = await c.tx(alice, [send(addr(bob), 1n)]);
    expect((await c.check(dust)).codespace, 'refused in checkTx').toBe('BANK_NEW_ACCOUNT_MINIMUM');
    expect((await c.deliver(alice, send(addr(bob), 99n))).codespace).toBe('BANK_NEW_ACCOUNT_MINIMUM');
    const multiDust = txMessage(msg.multiSend, { outputs: [{ to: addr(carol), denom: 'kwh', amount: 1n }] });
    expect((await c.deliver(alice, multiDust)).codespace).toBe('BANK_NEW_ACCOUNT_MINIMUM');
    expect(await c.query('auth', core.auth.query.account, { address: addr(bob) })).toBeNull();
    expect((await c.deliver(alice, send(addr(bob), 100n))).code, 'the minimum creates it').toBe(0);
    expect((await c.deliver(alice, send(addr(bob), 1n))).code, 'an existing account takes any amount').toBe(
      0,
    );
    const exported = (await c.app.exportGenesis()) as { bank: { minNewAccountAmount?: string } };
    expect(exported.bank.minNewAccountAmount, 'kept in the exported genesis').toBe('100');
  });

  it('lets only the authority mint and burn, and keeps the supply', async () => {
    const { c, msg, query, balance } = await setup();
    const denied = await c.deliver(alice, txMessage(msg.mint, { to: addr(alice), denom: 'kwh', amount: 1n }));
    expect([denied.codespace, denied.code]).toEqual(['UNAUTHORIZED', 13]);
    // alice has an account and funds (the ante passes): it is the bank that refuses her.
    const deniedBurn = await c.deliver(alice, txMessage(msg.burn, { denom: 'kwh', amount: 1n }));
    expect([deniedBurn.codespace, deniedBurn.code], 'burn by a non-authority').toEqual(['UNAUTHORIZED', 13]);
    expect(await balance(alice), 'nothing burned').toBe(500n);
    const mint = await c.deliver(
      authority,
      txMessage(msg.mint, { to: addr(carol), denom: 'kwh', amount: 50n }),
    );
    expect(eventsOf(mint, 'bank.mint')).toEqual([{ to: bech(carol), denom: 'kwh', amount: '50' }]);
    expect(await c.query('bank', query.supply, { denom: 'kwh' })).toBe(550n);
    await c.deliver(authority, txMessage(msg.mint, { to: addr(authority), denom: 'kwh', amount: 40n }));
    const burn = await c.deliver(authority, txMessage(msg.burn, { denom: 'kwh', amount: 30n }));
    expect(burn.code).toBe(0);
    expect(eventsOf(burn, 'bank.burn')).toEqual([{ from: bech(authority), denom: 'kwh', amount: '30' }]);
    expect(await balance(authority)).toBe(10n);
    expect(await c.query('bank', query.supply, { denom: 'kwh' })).toBe(560n);
    const over = await c.deliver(authority, txMessage(msg.burn, { denom: 'kwh', amount: 11n }));
    expect(over.codespace).toBe('BANK_INSUFFICIENT_FUNDS');
    const overflow = await c.deliver(
      authority,
      txMessage(msg.mint, { to: addr(carol), denom: 'kwh', amount: 2n ** 64n - 1n }),
    );
    expect(overflow.codespace).toBe('BANK_OVERFLOW');
  });

  it("never burns another account's funds: the authority burns from its own balance only", async () => {
    const { c, msg, query, balance } = await setup();
    // alice holds 500 kwh, the authority none: a burn of 500 kwh cannot reach alice's.
    const burn = await c.deliver(authority, txMessage(msg.burn, { denom: 'kwh', amount: 500n }));
    expect(burn.codespace, 'the authority has no kwh of its own').toBe('BANK_INSUFFICIENT_FUNDS');
    expect(await balance(alice), "alice's balance is untouched").toBe(500n);
    expect(await c.query('bank', query.supply, { denom: 'kwh' })).toBe(500n);
  });

  it('keeps supply equal to the sum of balances under random operations', async () => {
    const signer = fc.constantFrom(authority, alice, bob, carol);
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('send' as const),
        from: signer,
        to: signer,
        amount: fc.bigInt(1n, 300n),
      }),
      fc.record({
        kind: fc.constant('mint' as const),
        from: signer,
        to: signer,
        amount: fc.bigInt(1n, 300n),
      }),
      fc.record({
        kind: fc.constant('burn' as const),
        from: signer,
        to: signer,
        amount: fc.bigInt(1n, 300n),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
        const { c, msg, query, balance } = await setup();
        for (const o of ops) {
          const m =
            o.kind === 'send'
              ? txMessage(msg.send, { to: addr(o.to), denom: 'kwh', amount: o.amount })
              : o.kind === 'mint'
                ? txMessage(msg.mint, { to: addr(o.to), denom: 'kwh', amount: o.amount })
                : txMessage(msg.burn, { denom: 'kwh', amount: o.amount });
          await c.block([await c.tx(o.from, [m])]);
          let sum = 0n;
          for (const k of keys) sum += await balance(k);
          expect(await c.query('bank', query.supply, { denom: 'kwh' }), `after ${o.kind}`).toBe(sum);
        }
      }),
      { numRuns: 15 },
    );
  });
});
