import {
  addressOf,
  encode,
  formatAddress,
  fromHex,
  generateKeyPair,
  type KeyPair,
  toHex,
} from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { type TxBody, txCodec, txMessage } from '../../app/tx.js';
import { TestChain } from '../../testkit/test-chain.js';
import { coreModules } from '../core.js';
import { unsafeKeyReason } from './public-key.js';

/**
 * The eight canonical encodings of the points of small order of edwards25519 (the identity, the
 * point of order 2, two of order 4, four of order 8) — libsodium's block list.
 */
const smallOrder = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];
/** y = p + 1: a non-canonical encoding of the identity, which ZIP-215 decoding accepts. */
const nonCanonicalIdentity = 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f';
/** y = 2 is no point of the curve. */
const notAPoint = `02${'00'.repeat(31)}`;

const alice: KeyPair = generateKeyPair(new Uint8Array(32).fill(81));
const validator: KeyPair = generateKeyPair(new Uint8Array(32).fill(82));
const bech = (key: Uint8Array) => formatAddress(addressOf(key), 'joule');

/**
 * A transaction "signed" for a small-order key without any secret: R = the identity, S = 0. ZIP-215
 * verification checks [8][S]B = [8]R + [8][k]A, and both sides are the identity when A has small order.
 */
function forgedTx(
  chainId: string,
  signer: Uint8Array,
  nonce: number,
  messages: TxBody['messages'],
): Uint8Array {
  const body: TxBody = { chainId, signer, nonce, messages, memo: '' };
  const signature = new Uint8Array(64);
  signature[0] = 1;
  return encode(txCodec, { body, signature });
}

async function chain(genesis: Record<string, unknown> = {}) {
  const core = coreModules();
  const c = await TestChain.create({
    modules: core.modules,
    accounts: core.accounts,
    validators: [{ pubKey: validator.publicKey, power: 10n }],
    genesis: {
      bank: {
        authority: bech(alice.publicKey),
        balances: [{ address: bech(alice.publicKey), denom: 'kwh', amount: '100' }],
      },
      poa: { authority: bech(alice.publicKey) },
      ...genesis,
    },
  });
  await c.block([]);
  return { c, core };
}

describe('unsafe public keys', () => {
  it('names all eight small-order encodings, a non-canonical one and a non-point; a normal key passes', () => {
    for (const hex of smallOrder) expect(unsafeKeyReason(fromHex(hex)), hex).toBe('small-order');
    expect(new Set(smallOrder).size).toBe(8);
    expect(unsafeKeyReason(fromHex(nonCanonicalIdentity))).toBe('non-canonical');
    expect(unsafeKeyReason(fromHex(notAPoint))).toBe('not-a-point');
    expect(unsafeKeyReason(new Uint8Array(31))).toBe('not-a-point');
    expect(unsafeKeyReason(alice.publicKey)).toBeUndefined();
  });

  it('refuses a small-order key as an account key: funds sent to its address cannot be taken by anyone', async () => {
    for (const hex of smallOrder) {
      const { c, core } = await chain();
      const weak = fromHex(hex);
      const victim = addressOf(weak);
      await c.deliver(alice, txMessage(core.bank.msg.send, { to: victim, denom: 'kwh', amount: 40n }));
      const steal = [
        txMessage(core.bank.msg.send, { to: addressOf(alice.publicKey), denom: 'kwh', amount: 40n }),
      ];
      const tx = forgedTx(c.chainId, weak, 0, steal);
      const checked = await c.check(tx);
      expect(checked.codespace, `checkTx of a forged tx for ${hex}`).toBe('TX_UNSAFE_PUBLIC_KEY');
      const result = (await c.block([tx])).txResults[0];
      expect([result?.codespace, result?.code], `deliver of a forged tx for ${hex}`).toEqual([
        'TX_UNSAFE_PUBLIC_KEY',
        17,
      ]);
      expect(await c.query('bank', core.bank.query.balance, { address: victim, denom: 'kwh' })).toBe(40n);
      expect(await c.query('auth', core.auth.query.account, { address: victim })).toEqual({
        publicKey: null,
        nonce: 0,
      });
    }
  });

  it('refuses a small-order validator key in poa/add_validator', async () => {
    const { c, core } = await chain();
    for (const hex of smallOrder) {
      const add = txMessage(core.poa.msg.addValidator, { pubKey: fromHex(hex), power: 5n });
      expect((await c.deliver(alice, add)).codespace, hex).toBe('TX_UNSAFE_PUBLIC_KEY');
    }
    const normal = generateKeyPair(new Uint8Array(32).fill(83)).publicKey;
    expect(
      (await c.deliver(alice, txMessage(core.poa.msg.addValidator, { pubKey: normal, power: 5n }))).code,
    ).toBe(0);
  });

  it('refuses small-order keys in genesis accounts and validators', async () => {
    const core = coreModules();
    for (const hex of smallOrder) {
      expect(
        () => core.auth.genesis?.parse({ accounts: [{ address: bech(fromHex(hex)), publicKey: hex }] }),
        hex,
      ).toThrow(/small-order/);
      expect(() => core.poa.genesis?.parse({ validators: [{ pubKey: hex, power: '1' }] }), hex).toThrow(
        /small-order/,
      );
    }
    expect(() =>
      core.auth.genesis?.parse({
        accounts: [{ address: bech(alice.publicKey), publicKey: toHex(alice.publicKey) }],
      }),
    ).not.toThrow();
    // The genesis file's validators, which poa takes when its own list is empty.
    const weak = fromHex(smallOrder[4] as string);
    await expect(
      TestChain.create({
        modules: core.modules,
        accounts: core.accounts,
        validators: [{ pubKey: weak, power: 10n }],
      }),
    ).rejects.toThrow(/not a safe public key/);
  });
});
