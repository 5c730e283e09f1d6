import { addressOf, formatAddress, generateKeyPair } from '@joule/consensus';
import { parseAppState, txMessage } from '@joule/state';
import { eventsOf, TestChain } from '@joule/state/testkit';
import { describe, expect, it } from 'vitest';
import { appModules, appState } from './app.js';
import { chain as names } from './chain.js';
import { forget, reading, record, total } from './module.js';

const alice = generateKeyPair(new Uint8Array(32).fill(1));
const bob = generateKeyPair(new Uint8Array(32).fill(2));
const bech32 = (key: typeof alice) => formatAddress(addressOf(key.publicKey), names.addressPrefix);

/** A chain with alice and bob funded, from the genesis `init` writes. */
async function testChain(): Promise<TestChain> {
  const { modules, accounts } = appModules();
  const genesis = appState(
    [alice, bob].map((k, i) => ({
      name: `k${i}`,
      address: bech32(k),
      publicKey: Buffer.from(k.publicKey).toString('hex'),
    })),
    names.denom,
  );
  return TestChain.create({ modules, accounts, genesis, addressPrefix: names.addressPrefix });
}

describe(`the ${names.moduleName} module`, () => {
  it('records growing readings per account and sums them', async () => {
    const chain = await testChain();
    const first = await chain.deliver(alice, txMessage(record, { wh: 1_500n }));
    expect(first.code, first.log).toBe(0);
    expect(eventsOf(first, `${names.moduleName}.recorded`)).toEqual([{ account: bech32(alice), wh: '1500' }]);
    expect((await chain.deliver(alice, txMessage(record, { wh: 2_000n }))).code).toBe(0);
    expect((await chain.deliver(bob, txMessage(record, { wh: 700n }))).code).toBe(0);

    const mine = await chain.query(names.moduleName, reading, { account: addressOf(alice.publicKey) });
    expect(mine?.wh).toBe(2_000n);
    expect(await chain.query(names.moduleName, total, {})).toEqual({ accounts: 2, totalWh: 2_700n });
  });

  it('refuses a reading that goes backwards, and keeps the last one', async () => {
    const chain = await testChain();
    await chain.deliver(alice, txMessage(record, { wh: 900n }));
    const back = await chain.deliver(alice, txMessage(record, { wh: 800n }));
    expect(back.code).not.toBe(0);
    expect(back.codespace).toBe('READINGS_BACKWARDS');
    const mine = await chain.query(names.moduleName, reading, { account: addressOf(alice.publicKey) });
    expect(mine?.wh).toBe(900n);
  });

  it('forgets a reading and takes it out of the total', async () => {
    const chain = await testChain();
    await chain.deliver(bob, txMessage(record, { wh: 300n }));
    expect((await chain.deliver(bob, txMessage(forget, {}))).code).toBe(0);
    expect(await chain.query(names.moduleName, reading, { account: addressOf(bob.publicKey) })).toBeNull();
    expect(await chain.query(names.moduleName, total, {})).toEqual({ accounts: 0, totalWh: 0n });
    expect((await chain.deliver(bob, txMessage(forget, {}))).codespace).toBe('READINGS_NONE');
  });

  it('refuses a genesis reading of an address of another chain', () => {
    const { modules } = appModules();
    const section = { readings: [{ account: formatAddress(addressOf(alice.publicKey), 'other'), wh: '5' }] };
    const bytes = new TextEncoder().encode(JSON.stringify({ [names.moduleName]: section }));
    expect(() => parseAppState(bytes, modules, names.addressPrefix)).toThrow(/readings\[0\]\.account/);
  });
});
