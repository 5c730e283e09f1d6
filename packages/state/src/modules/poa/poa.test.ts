import { addressOf, formatAddress, generateKeyPair } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { txMessage } from '../../app/tx.js';
import { eventsOf, TestChain } from '../../testkit/test-chain.js';
import { coreModules } from '../core.js';

const authority = generateKeyPair(new Uint8Array(32).fill(71));
const member = generateKeyPair(new Uint8Array(32).fill(72));
const v1 = generateKeyPair(new Uint8Array(32).fill(73));
const v2 = generateKeyPair(new Uint8Array(32).fill(74));
const bech = (k: { publicKey: Uint8Array }) => formatAddress(addressOf(k.publicKey), 'joule');

async function setup() {
  const core = coreModules();
  const c = await TestChain.create({
    modules: core.modules,
    accounts: core.accounts,
    validators: [{ pubKey: v1.publicKey, power: 10n }],
    genesis: {
      auth: { accounts: [{ address: bech(authority) }, { address: bech(member) }] },
      poa: { authority: bech(authority) },
    },
  });
  await c.block([]); // queries read committed state: genesis is committed with the first block
  return { c, msg: core.poa.msg, validators: () => c.query('poa', core.poa.query.validators, {}) };
}

describe('poa', () => {
  it('lets the authority add, re-weight and remove validators; updates leave finalizeBlock', async () => {
    const { c, msg, validators } = await setup();
    expect(await validators()).toEqual([{ pubKey: v1.publicKey, power: 10n }]);
    const add = await c.block([
      await c.tx(authority, [txMessage(msg.addValidator, { pubKey: v2.publicKey, power: 5n })]),
    ]);
    expect(add.txResults[0]?.code).toBe(0);
    expect(add.validatorUpdates).toEqual([{ pubKey: v2.publicKey, power: 5n }]);
    expect(eventsOf(add.txResults[0]!, 'poa.validator')[0]?.action).toBe('add');
    const reweight = await c.block([
      await c.tx(authority, [txMessage(msg.setPower, { pubKey: v1.publicKey, power: 20n })]),
    ]);
    expect(reweight.validatorUpdates).toEqual([{ pubKey: v1.publicKey, power: 20n }]);
    const remove = await c.block([
      await c.tx(authority, [txMessage(msg.removeValidator, { pubKey: v2.publicKey })]),
    ]);
    expect(remove.validatorUpdates).toEqual([{ pubKey: v2.publicKey, power: 0n }]);
    expect(await validators()).toEqual([{ pubKey: v1.publicKey, power: 20n }]);
    expect((await c.block([])).validatorUpdates).toEqual([]);
  });

  it('refuses other signers, duplicates, unknown validators, and removing the last validator', async () => {
    const { c, msg, validators } = await setup();
    const code = async (signer: typeof authority, m: ReturnType<typeof txMessage>) =>
      (await c.deliver(signer, m)).codespace;
    expect(await code(member, txMessage(msg.addValidator, { pubKey: v2.publicKey, power: 5n }))).toBe(
      'UNAUTHORIZED',
    );
    expect(await code(authority, txMessage(msg.addValidator, { pubKey: v1.publicKey, power: 5n }))).toBe(
      'POA_VALIDATOR_EXISTS',
    );
    expect(await code(authority, txMessage(msg.setPower, { pubKey: v2.publicKey, power: 5n }))).toBe(
      'POA_UNKNOWN_VALIDATOR',
    );
    expect(await code(authority, txMessage(msg.removeValidator, { pubKey: v1.publicKey }))).toBe(
      'POA_NO_VALIDATORS',
    );
    expect(await code(authority, txMessage(msg.setPower, { pubKey: v1.publicKey, power: 0n }))).toBe(
      'TX_INVALID_MESSAGE',
    );
    // Two removals in one tx: the second would empty the set, so the whole tx is reverted.
    const both = await c.deliver(
      authority,
      txMessage(msg.addValidator, { pubKey: v2.publicKey, power: 5n }),
      txMessage(msg.removeValidator, { pubKey: v1.publicKey }),
      txMessage(msg.removeValidator, { pubKey: v2.publicKey }),
    );
    expect(both.codespace).toBe('POA_NO_VALIDATORS');
    expect(await validators()).toEqual([{ pubKey: v1.publicKey, power: 10n }]);
  });

  it('emits only real changes when a block adds then removes, or re-weights then resets, a validator', async () => {
    const { c, msg, validators } = await setup();
    const v3 = generateKeyPair(new Uint8Array(32).fill(75));
    const nonce = await c.nextNonce(authority.publicKey);
    const addThenRemove = await c.block([
      await c.tx(authority, [txMessage(msg.addValidator, { pubKey: v2.publicKey, power: 5n })]),
      await c.tx(authority, [txMessage(msg.removeValidator, { pubKey: v2.publicKey })], { nonce: nonce + 1 }),
    ]);
    expect(addThenRemove.txResults.map((r) => r.codespace)).toEqual(['', '']);
    expect(addThenRemove.validatorUpdates, 'added and removed in one block: no update').toEqual([]);
    const setThenReset = await c.block([
      await c.tx(authority, [
        txMessage(msg.setPower, { pubKey: v1.publicKey, power: 30n }),
        txMessage(msg.setPower, { pubKey: v1.publicKey, power: 10n }),
      ]),
    ]);
    expect(setThenReset.txResults[0]?.code).toBe(0);
    expect(setThenReset.validatorUpdates, 're-weighted back to 10 in one block: no update').toEqual([]);
    const mixed = await c.block([
      await c.tx(authority, [
        txMessage(msg.addValidator, { pubKey: v3.publicKey, power: 4n }),
        txMessage(msg.setPower, { pubKey: v3.publicKey, power: 6n }),
        txMessage(msg.setPower, { pubKey: v1.publicKey, power: 12n }),
      ]),
    ]);
    expect(mixed.validatorUpdates, 'added then re-weighted: one update with the final power').toEqual(
      [
        { pubKey: v1.publicKey, power: 12n },
        { pubKey: v3.publicKey, power: 6n },
      ].sort((a, b) => Buffer.compare(a.pubKey, b.pubKey)),
    );
    const removeThenAdd = await c.block([
      await c.tx(authority, [
        txMessage(msg.removeValidator, { pubKey: v3.publicKey }),
        txMessage(msg.addValidator, { pubKey: v3.publicKey, power: 6n }),
      ]),
    ]);
    expect(removeThenAdd.validatorUpdates, 'removed and re-added at the same power: no update').toEqual([]);
    expect(await validators()).toHaveLength(2);
    expect((await c.block([])).validatorUpdates).toEqual([]);
  });

  it('refuses set_power and remove_validator from anyone but the authority', async () => {
    const { c, msg, validators } = await setup();
    const setPower = await c.deliver(member, txMessage(msg.setPower, { pubKey: v1.publicKey, power: 50n }));
    expect([setPower.codespace, setPower.code], 'set_power by a member').toEqual(['UNAUTHORIZED', 13]);
    await c.deliver(authority, txMessage(msg.addValidator, { pubKey: v2.publicKey, power: 5n }));
    const remove = await c.deliver(member, txMessage(msg.removeValidator, { pubKey: v2.publicKey }));
    expect([remove.codespace, remove.code], 'remove_validator by a member').toEqual(['UNAUTHORIZED', 13]);
    expect(await validators()).toEqual(
      [
        { pubKey: v1.publicKey, power: 10n },
        { pubKey: v2.publicKey, power: 5n },
      ].sort((a, b) => Buffer.compare(a.pubKey, b.pubKey)),
    );
  });
});
