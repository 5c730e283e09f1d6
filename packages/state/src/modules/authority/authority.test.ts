import { addressOf, formatAddress, generateKeyPair, type KeyPair } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { txMessage } from '../../app/tx.js';
import { eventsOf, TestChain } from '../../testkit/test-chain.js';
import { coreModules } from '../core.js';

const key = (seed: number): KeyPair => generateKeyPair(new Uint8Array(32).fill(seed));
const operator = key(131);
const treasurer = key(132);
const gridOperator = key(133);
const stranger = key(134);
const v1 = key(135);
const v2 = key(136);
const addr = (k: KeyPair): Uint8Array => addressOf(k.publicKey);
const bech = (k: KeyPair): string => formatAddress(addr(k), 'joule');

async function setup(genesis: Record<string, unknown> = {}) {
  const core = coreModules();
  const c = await TestChain.create({
    modules: core.modules,
    accounts: core.accounts,
    validators: [{ pubKey: v1.publicKey, power: 10n }],
    genesis: {
      auth: { accounts: [treasurer, gridOperator, stranger].map((k) => ({ address: bech(k) })) },
      bank: {
        authority: bech(operator),
        balances: [{ address: bech(operator), denom: 'kwh', amount: '10' }],
      },
      poa: { authority: bech(operator) },
      ...genesis,
    },
  });
  await c.block([]);
  return { c, core };
}

describe('authority handover', () => {
  it('takes two steps: the old authority keeps its power until the new one accepts, then loses it', async () => {
    const { c, core } = await setup();
    const { msg } = core.bank;
    const mint = txMessage(msg.mint, { to: addr(stranger), denom: 'kwh', amount: 1n });
    const propose = await c.deliver(
      operator,
      txMessage(msg.transferAuthority, { authority: addr(treasurer) }),
    );
    expect(eventsOf(propose, 'bank.authority_proposed')).toEqual([
      { authority: bech(operator), pending: bech(treasurer) },
    ]);
    expect((await c.deliver(treasurer, mint)).codespace, 'a proposed authority has no power yet').toBe(
      'UNAUTHORIZED',
    );
    expect((await c.deliver(operator, mint)).code, 'the authority keeps it until accepted').toBe(0);
    const accept = await c.deliver(treasurer, txMessage(msg.acceptAuthority, {}));
    expect(eventsOf(accept, 'bank.authority_changed')).toEqual([
      { authority: bech(treasurer), previous: bech(operator) },
    ]);
    expect((await c.deliver(operator, mint)).codespace, 'the former authority').toBe('UNAUTHORIZED');
    expect((await c.deliver(treasurer, mint)).code).toBe(0);
    expect((await c.deliver(treasurer, txMessage(msg.acceptAuthority, {}))).codespace, 'accepted once').toBe(
      'AUTHORITY_NOT_PENDING',
    );
    // The poa authority was not handed over with the bank's.
    const add = txMessage(core.poa.msg.addValidator, { pubKey: v2.publicKey, power: 5n });
    expect((await c.deliver(treasurer, add)).codespace).toBe('UNAUTHORIZED');
    expect((await c.deliver(operator, add)).code).toBe(0);
  });

  it('lets the authority replace or cancel a proposal, and refuses a proposal of itself', async () => {
    const { c, core } = await setup();
    const { msg } = core.poa;
    await c.deliver(operator, txMessage(msg.transferAuthority, { authority: addr(stranger) }));
    await c.deliver(operator, txMessage(msg.transferAuthority, { authority: addr(gridOperator) }));
    expect((await c.deliver(stranger, txMessage(msg.acceptAuthority, {}))).codespace, 'replaced').toBe(
      'AUTHORITY_NOT_PENDING',
    );
    const cancel = await c.deliver(operator, txMessage(msg.cancelAuthorityTransfer, {}));
    expect(eventsOf(cancel, 'poa.authority_proposal_cancelled')).toEqual([
      { authority: bech(operator), pending: bech(gridOperator) },
    ]);
    expect((await c.deliver(gridOperator, txMessage(msg.acceptAuthority, {}))).codespace, 'cancelled').toBe(
      'AUTHORITY_NOT_PENDING',
    );
    expect((await c.deliver(operator, txMessage(msg.cancelAuthorityTransfer, {}))).codespace).toBe(
      'AUTHORITY_NONE_PENDING',
    );
    expect(
      (await c.deliver(operator, txMessage(msg.transferAuthority, { authority: addr(operator) }))).codespace,
    ).toBe('AUTHORITY_UNCHANGED');
  });

  it('takes distinct authorities for bank and poa from genesis, and exports an open handover', async () => {
    const { c, core } = await setup({
      bank: { authority: bech(treasurer), pendingAuthority: bech(stranger), balances: [] },
      poa: { authority: bech(gridOperator) },
    });
    const mint = txMessage(core.bank.msg.mint, { to: addr(stranger), denom: 'kwh', amount: 1n });
    const add = txMessage(core.poa.msg.addValidator, { pubKey: v2.publicKey, power: 5n });
    expect((await c.deliver(gridOperator, mint)).codespace).toBe('UNAUTHORIZED');
    expect((await c.deliver(treasurer, add)).codespace).toBe('UNAUTHORIZED');
    expect((await c.deliver(treasurer, mint)).code).toBe(0);
    expect((await c.deliver(gridOperator, add)).code).toBe(0);
    const exported = (await c.app.exportGenesis()) as Record<string, Record<string, unknown>>;
    expect(exported.bank?.authority).toBe(bech(treasurer));
    expect(exported.bank?.pendingAuthority).toBe(bech(stranger));
    expect(exported.poa?.authority).toBe(bech(gridOperator));
    expect(exported.poa && 'pendingAuthority' in exported.poa).toBe(false);
    // The exported pending authority can still accept on the chain that continues from it.
    expect((await c.deliver(stranger, txMessage(core.bank.msg.acceptAuthority, {}))).code).toBe(0);
  });

  it('refuses a genesis pending authority without an authority, or equal to it', async () => {
    const core = coreModules();
    const parse = (bank: unknown) => () => core.bank.genesis?.parse(bank);
    expect(parse({ pendingAuthority: bech(stranger) })).toThrow(/no authority to hand over/);
    expect(parse({ authority: bech(stranger), pendingAuthority: bech(stranger) })).toThrow(
      /the authority itself/,
    );
    expect(parse({ authority: 'joule1notanaddress' })).toThrow();
  });
});
