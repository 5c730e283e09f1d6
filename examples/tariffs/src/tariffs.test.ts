import { addressOf, formatAddress, generateKeyPair, type KeyPair } from '@joule/consensus';
import { TxError, txMessage } from '@joule/state';
import { eventsOf, TestChain } from '@joule/state/testkit';
import { describe, expect, it } from 'vitest';
import { addressPrefix, denom, tariffsAppState, tariffsModules } from './app.js';
import { tariffs as t } from './tariffs.js';

const operator = generateKeyPair(new Uint8Array(32).fill(7));
const member = generateKeyPair(new Uint8Array(32).fill(8));
const bech32 = (key: KeyPair) => formatAddress(addressOf(key.publicKey), addressPrefix);
const hex = (key: KeyPair) => Buffer.from(key.publicKey).toString('hex');

/** A chain from the genesis `init` writes: the operator holds every authority. */
async function testChain(): Promise<TestChain> {
  const { modules, accounts } = tariffsModules();
  const genesis = tariffsAppState(
    [operator, member].map((k, i) => ({ name: `k${i}`, address: bech32(k), publicKey: hex(k) })),
    denom,
  );
  return TestChain.create({ modules, accounts, genesis, addressPrefix });
}

// The test chain's blocks are in late November 2025: 2026 has not begun, 2025-11 has.
const march = { period: '2026-03', importPrice: 250_000n, exportPrice: 80_000n, fixedFee: 5_000_000n };

describe('the tariffs module', () => {
  it('lets the authority set a month’s tariff, which anyone reads and bills against', async () => {
    const chain = await testChain();
    const set = await chain.deliver(operator, txMessage(t.msg.setTariff, march));
    expect(set.code, set.log).toBe(0);
    expect(eventsOf(set, 'tariffs.tariff_set')[0]).toMatchObject({
      period: '2026-03',
      import_price: '250000',
    });

    expect(await chain.query('tariffs', t.query.tariff, { period: '2026-03' })).toEqual({
      importPrice: 250_000n,
      exportPrice: 80_000n,
      fixedFee: 5_000_000n,
    });
    expect(await chain.query('tariffs', t.query.tariff, { period: '2026-04' })).toBeNull();
    // 320.5 kWh drawn at 0.25 units, 100.01 kWh fed in at 0.08 (rounded down), a fee of 5.
    expect(
      await chain.query('tariffs', t.query.bill, {
        period: '2026-03',
        importedWh: 320_500n,
        exportedWh: 100_010n,
      }),
    ).toEqual({
      period: '2026-03',
      importCost: 80_125_000n,
      exportCredit: 8_000_800n,
      fixedFee: 5_000_000n,
      total: 77_124_200n,
    });
    // A prosumer's bill is a credit.
    const credit = await chain.query('tariffs', t.query.bill, {
      period: '2026-03',
      importedWh: 0n,
      exportedWh: 1_000_000n,
    });
    expect(credit.total).toBe(5_000_000n - 80_000_000n);
  });

  it('lists the tariffs from a month on, oldest first', async () => {
    const chain = await testChain();
    for (const period of ['2026-05', '2026-01', '2026-03'])
      expect((await chain.deliver(operator, txMessage(t.msg.setTariff, { ...march, period }))).code).toBe(0);
    const from = await chain.query('tariffs', t.query.tariffs, { from: '2026-03' });
    expect(from.map((r) => r.period)).toEqual(['2026-03', '2026-05']);
    const all = await chain.query('tariffs', t.query.tariffs, { from: '2025-12' });
    expect(all.map((r) => r.period)).toEqual(['2026-01', '2026-03', '2026-05']);
  });

  it('refuses tariffs from anyone but the authority, for begun months, and exports above imports', async () => {
    const chain = await testChain();
    const stranger = await chain.deliver(member, txMessage(t.msg.setTariff, march));
    expect(stranger.codespace, 'a member is not the authority').toBe('UNAUTHORIZED');
    const begun = await chain.deliver(operator, txMessage(t.msg.setTariff, { ...march, period: '2025-11' }));
    expect(begun.codespace).toBe('TARIFFS_PERIOD_BEGUN');
    const inverted = await chain.check(
      await chain.tx(operator, [txMessage(t.msg.setTariff, { ...march, exportPrice: 300_000n })]),
    );
    expect(inverted.codespace, 'stateless validation, before any block').toBe('TX_INVALID_MESSAGE');
    expect(await chain.query('tariffs', t.query.tariff, { period: '2026-03' })).toBeNull();
  });

  it('removes a tariff of a month not begun; a bill without a tariff is a typed error', async () => {
    const chain = await testChain();
    await chain.deliver(operator, txMessage(t.msg.setTariff, march));
    expect((await chain.deliver(operator, txMessage(t.msg.removeTariff, { period: '2026-03' }))).code).toBe(
      0,
    );
    expect(
      (await chain.deliver(operator, txMessage(t.msg.removeTariff, { period: '2026-03' }))).codespace,
    ).toBe('TARIFFS_NO_TARIFF');
    const bill = chain.query('tariffs', t.query.bill, { period: '2026-03', importedWh: 1n, exportedWh: 0n });
    await expect(bill).rejects.toBeInstanceOf(TxError);
    await expect(bill).rejects.toMatchObject({ code: 'TARIFFS_NO_TARIFF' });
  });

  it('hands the authority over in two steps', async () => {
    const chain = await testChain();
    const to = addressOf(member.publicKey);
    expect((await chain.deliver(operator, txMessage(t.msg.transferAuthority, { authority: to }))).code).toBe(
      0,
    );
    expect((await chain.deliver(member, txMessage(t.msg.setTariff, march))).codespace, 'not yet').toBe(
      'UNAUTHORIZED',
    );
    expect((await chain.deliver(member, txMessage(t.msg.acceptAuthority, {}))).code).toBe(0);
    expect((await chain.deliver(member, txMessage(t.msg.setTariff, march))).code).toBe(0);
    expect((await chain.deliver(operator, txMessage(t.msg.setTariff, march))).codespace).toBe('UNAUTHORIZED');
  });

  it('exports its genesis section in the form it reads back', async () => {
    const chain = await testChain();
    await chain.deliver(operator, txMessage(t.msg.setTariff, march));
    const exported = (await chain.app.exportGenesis()).tariffs as Record<string, unknown>;
    expect(exported).toEqual({
      authority: bech32(operator),
      tariffs: [{ period: '2026-03', importPrice: '250000', exportPrice: '80000', fixedFee: '5000000' }],
    });
    expect(t.genesis?.parse(exported, { addressPrefix }).tariffs).toEqual([march]);
    expect(() =>
      t.genesis?.parse(
        { tariffs: [{ ...(exported.tariffs as object[])[0], period: '2026-13' }] },
        { addressPrefix },
      ),
    ).toThrow(/tariffs\[0\]\.period/);
  });
});
