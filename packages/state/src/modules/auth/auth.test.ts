import { addressOf, formatAddress, generateKeyPair, toHex } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { txMessage } from '../../app/tx.js';
import { TestChain } from '../../testkit/test-chain.js';
import { coreModules } from '../core.js';

const alice = generateKeyPair(new Uint8Array(32).fill(61));
const bob = generateKeyPair(new Uint8Array(32).fill(62));
const bech = (k: { publicKey: Uint8Array }) => formatAddress(addressOf(k.publicKey), 'joule');

describe('auth', () => {
  it('records the public key on first signature and advances nonces one by one', async () => {
    const core = coreModules();
    const c = await TestChain.create({
      modules: core.modules,
      accounts: core.accounts,
      genesis: { auth: { accounts: [{ address: bech(alice) }] } },
    });
    await c.block([]); // queries read committed state: genesis is committed with the first block
    const q = (k: { publicKey: Uint8Array }) =>
      c.query('auth', core.auth.query.account, { address: addressOf(k.publicKey) });
    expect(await q(alice)).toEqual({ publicKey: null, nonce: 0 });
    expect(await q(bob)).toBeNull();
    const send = txMessage(core.bank.msg.send, { to: addressOf(bob.publicKey), denom: 'kwh', amount: 1n });
    const result = await c.deliver(alice, send);
    expect(result.codespace).toBe('BANK_INSUFFICIENT_FUNDS');
    expect(await q(alice)).toEqual({ publicKey: alice.publicKey, nonce: 1 });
    const replay = await c.block([await c.tx(alice, [send], { nonce: 0 })]);
    expect(replay.txResults[0]?.codespace).toBe('TX_BAD_NONCE');
    const ahead = await c.block([await c.tx(alice, [send], { nonce: 2 })]);
    expect(ahead.txResults[0]?.codespace).toBe('TX_BAD_NONCE');
    const exported = (await c.app.exportGenesis()).auth as {
      accounts: { publicKey?: string; nonce: number }[];
    };
    expect(exported.accounts).toEqual([
      { address: bech(alice), publicKey: toHex(alice.publicKey), nonce: 1 },
    ]);
  });

  it('refuses a malformed genesis section', async () => {
    const core = coreModules();
    await expect(
      TestChain.create({
        modules: core.modules,
        accounts: core.accounts,
        genesis: { auth: { accounts: [{ address: 'nope' }] } },
      }),
    ).rejects.toMatchObject({ code: 'BAD_ADDRESS' });
    await expect(
      TestChain.create({ modules: core.modules, accounts: core.accounts, genesis: { bnak: {} } }),
    ).rejects.toMatchObject({
      code: 'GENESIS_INVALID',
    });
  });
});
