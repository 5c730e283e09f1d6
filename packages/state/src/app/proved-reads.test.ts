import { addressOf, decode, encode, formatAddress, generateKeyPair } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { coreModules } from '../modules/core.js';
import { verifyProof } from '../store/proof.js';
import { TestChain } from '../testkit/test-chain.js';
import { provedReadsCodec } from './proved-reads.js';
import { txMessage } from './tx.js';

const alice = generateKeyPair(new Uint8Array(32).fill(7));
const bob = generateKeyPair(new Uint8Array(32).fill(8));
const addr = (k: { publicKey: Uint8Array }) => addressOf(k.publicKey);

describe('proven module queries', () => {
  it('prove every key the handler read, at an older height too, and only those', async () => {
    const core = coreModules();
    const c = await TestChain.create({
      modules: core.modules,
      accounts: core.accounts,
      genesis: {
        bank: { balances: [{ address: formatAddress(addr(alice), 'joule'), denom: 'kwh', amount: '500' }] },
      },
    });
    await c.block();
    const before = c.height;
    const rootBefore = c.appHash;
    await c.deliver(alice, txMessage(core.bank.msg.send, { to: addr(bob), denom: 'kwh', amount: 200n }));
    const path = '/bank/balance';
    const data = encode(core.bank.query.balance.request, { address: addr(alice), denom: 'kwh' });
    for (const [height, root, expected] of [
      [before, rootBefore, 500n],
      [c.height, c.appHash, 300n],
    ] as const) {
      const r = await c.app.query({ path, data, height, prove: true });
      expect(r.code, r.log).toBe(0);
      expect(r.height).toBe(height);
      expect(decode(core.bank.query.balance.response, r.value), `balance at ${height}`).toBe(expected);
      const reads = decode(provedReadsCodec, r.proof as Uint8Array);
      expect(reads.length, 'the balance query reads one key').toBe(1);
      for (const read of reads) {
        expect(verifyProof(root, read.key, read.value, read.proof), `read at ${height}`).toBe(true);
        expect(verifyProof(root, read.key, encode(core.bank.query.balance.response, 1n), read.proof)).toBe(
          false,
        );
      }
    }
    const absent = await c.app.query({
      path,
      data: encode(core.bank.query.balance.request, {
        address: addressOf(generateKeyPair().publicKey),
        denom: 'kwh',
      }),
      prove: true,
    });
    const [read] = decode(provedReadsCodec, absent.proof as Uint8Array);
    expect(read?.value, 'an absent balance is proven absent').toBeNull();
    expect(verifyProof(c.appHash, read?.key as Uint8Array, null, read?.proof as never)).toBe(true);
  });
});
