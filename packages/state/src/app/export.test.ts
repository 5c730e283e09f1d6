import { formatAddress } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { maxIterateEntries } from '../constants.js';
import { coreModules } from '../modules/core.js';
import { TestChain } from '../testkit/test-chain.js';

describe('genesis export', () => {
  it('pages through tables larger than one iteration (maxIterateEntries)', async () => {
    const rows = maxIterateEntries + 25;
    const addresses = Array.from({ length: rows }, (_, i) => {
      const address = new Uint8Array(20);
      new DataView(address.buffer).setUint32(16, i + 1);
      return formatAddress(address, 'joule');
    });
    const core = coreModules();
    const c = await TestChain.create({
      modules: core.modules,
      accounts: core.accounts,
      genesis: {
        // bank creates each receiver's account, so auth has as many rows.
        bank: { balances: addresses.map((address, i) => ({ address, denom: 'kwh', amount: `${i + 1}` })) },
      },
    });
    await c.block([]);
    const exported = (await c.app.exportGenesis()) as {
      auth: { accounts: unknown[] };
      bank: { balances: { address: string; amount: string }[] };
    };
    expect(exported.auth.accounts.length, 'accounts exported').toBe(rows);
    expect(exported.bank.balances.length, 'balances exported').toBe(rows);
    expect(exported.bank.balances.at(-1)).toMatchObject({ address: addresses.at(-1), amount: `${rows}` });
    expect(new Set(exported.bank.balances.map((b) => b.address)).size, 'no row twice').toBe(rows);
  }, 60_000);
});
