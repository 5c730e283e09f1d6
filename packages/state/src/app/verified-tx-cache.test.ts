import { addressOf, formatAddress, generateKeyPair, struct, uint } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { verifiedTxCacheBytes } from '../constants.js';
import { coreModules } from '../modules/core.js';
import { TestChain } from '../testkit/test-chain.js';
import { limitVerifiedTxCache, verifiedTxCacheStats } from './ante.js';
import { defineMessage } from './module.js';
import { txMessage } from './tx.js';

const alice = generateKeyPair(new Uint8Array(32).fill(11));
const bob = generateKeyPair(new Uint8Array(32).fill(12));
const addr = (k: { publicKey: Uint8Array }) => formatAddress(addressOf(k.publicKey), 'joule');

async function chain(chainId = 'cache-chain', verifiedTxCacheBytes?: number) {
  const core = coreModules();
  const c = await TestChain.create({
    chainId,
    ...(verifiedTxCacheBytes === undefined ? {} : { app: { verifiedTxCacheBytes } }),
    modules: core.modules,
    accounts: core.accounts,
    genesis: {
      bank: { authority: addr(alice), balances: [{ address: addr(alice), denom: 'kwh', amount: '1000' }] },
    },
  });
  const send = (amount: bigint) =>
    txMessage(core.bank.msg.send, { to: addressOf(bob.publicKey), denom: 'kwh', amount });
  return { c, send };
}

const proposal = (c: TestChain, txs: Uint8Array[]) =>
  c.app.processProposal({
    height: 1,
    time: 0,
    proposerAddress: new Uint8Array(20),
    txs,
    hash: new Uint8Array(32),
  });

describe('the cache of verified transactions', () => {
  it("is bounded by the app's option: at 0 it remembers nothing and every answer is the same", async () => {
    try {
      const { c, send } = await chain('cache-bounded', 0);
      const good = await c.tx(alice, [send(1n)], { nonce: 0 });
      expect((await c.check(good)).code).toBe(0);
      expect(verifiedTxCacheStats().entries, 'nothing remembered under a bound of 0').toBe(0);
      expect(await proposal(c, [good]), 'the proposal verifies afresh').toBe('accept');
      expect((await c.block([good])).txResults[0]?.code, 'the block verifies afresh').toBe(0);
      expect(verifiedTxCacheStats().entries).toBe(0);
      expect(() => limitVerifiedTxCache(-1), 'a negative bound is refused').toThrow(RangeError);
      expect(() => limitVerifiedTxCache(1.5), 'a fractional bound is refused').toThrow(RangeError);
    } finally {
      limitVerifiedTxCache(verifiedTxCacheBytes);
    }
  });

  it("keeps a loaded server's working set under the default bound: a full pool, a proposal of as many it lacked and a block, each verified once", async () => {
    limitVerifiedTxCache(verifiedTxCacheBytes);
    const { c, send } = await chain('cache-working-set');
    // The server's pool (2 000) checked, then a proposal of 1 000 it never admitted (its pool was
    // full), then the block of the pool's first 1 000: the pool's are met again in the block.
    const pool: Uint8Array[] = [];
    for (let nonce = 0; nonce < 2_000; nonce++) pool.push(await c.tx(alice, [send(1n)], { nonce }));
    const unseen: Uint8Array[] = [];
    for (let nonce = 0; nonce < 1_000; nonce++) unseen.push(await c.tx(bob, [send(1n)], { nonce }));
    for (const tx of pool) expect((await c.check(tx)).code).toBe(0);
    expect(await proposal(c, unseen), 'the proposal of transactions the pool lacked').toBe('accept');
    const before = verifiedTxCacheStats();
    expect(before.entries, 'every verified transaction remembered').toBe(3_000);
    expect(await proposal(c, pool.slice(0, 1_000)), "the pool's own proposal").toBe('accept');
    expect((await c.block(pool.slice(0, 1_000))).txResults.every((r) => r.code === 0)).toBe(true);
    const after = verifiedTxCacheStats();
    expect(after.evictions, 'nothing evicted, so nothing verified twice').toBe(0);
    expect(after.misses - before.misses, "the pool's proposal and block found every one").toBe(0);
  });

  it('never lets bytes one byte away from verified ones pass: a flipped signature byte is refused everywhere', async () => {
    const { c, send } = await chain();
    const good = await c.tx(alice, [send(1n)], { nonce: 0 });
    expect((await c.check(good)).code, 'the original is admitted (and remembered)').toBe(0);
    const forged = good.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    expect((await c.check(forged)).codespace, 'its neighbour is checked afresh').toBe('TX_BAD_SIGNATURE');
    expect(await proposal(c, [forged]), 'a proposal carrying the neighbour').toBe('reject');
    const response = await c.block([forged, good]);
    expect(response.txResults[0]?.codespace, 'the neighbour fails in a block').toBe('TX_BAD_SIGNATURE');
    expect(response.txResults[1]?.code, 'the original executes').toBe(0);
  });

  it('does not remember what a recheck let through unverified: a proposal and a block still verify it', async () => {
    const { c, send } = await chain();
    const good = await c.tx(alice, [send(1n)], { nonce: 0 });
    const forged = good.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    // A recheck skips the signature (the mempool rechecks only what it verified)...
    expect((await c.app.checkTx({ tx: forged, kind: 'recheck' })).code).toBe(0);
    // ...and that verdict is not taken for a verified signature by anything after it.
    expect(await proposal(c, [forged]), 'the proposal is refused').toBe('reject');
    expect((await c.check(forged)).codespace, 'a new check refuses it').toBe('TX_BAD_SIGNATURE');
    expect((await c.block([forged])).txResults[0]?.codespace, 'the block fails it').toBe('TX_BAD_SIGNATURE');
  });

  it("keeps checking what depends on the chain: bytes verified on one chain are another chain's wrong chain", async () => {
    const a = await chain('chain-a');
    const b = await chain('chain-b');
    const tx = await a.c.tx(alice, [a.send(1n)], { nonce: 0 });
    expect((await a.c.check(tx)).code, 'admitted on its own chain').toBe(0);
    expect((await b.c.check(tx)).codespace, 'refused on the other').toBe('TX_WRONG_CHAIN');
    expect(await proposal(b.c, [tx]), 'and refused in its proposals').toBe('reject');
    expect((await b.c.block([tx])).txResults[0]?.codespace).toBe('TX_WRONG_CHAIN');
  });

  it('gives the same results, gas and app hash to a node that checked the transactions and to one that did not', async () => {
    const checked = await chain();
    const fresh = await chain();
    const txs = [];
    for (let nonce = 0; nonce < 4; nonce++)
      txs.push(await checked.c.tx(alice, [checked.send(BigInt(nonce + 1))], { nonce }));
    // A duplicate and a nonce already spent, as a Byzantine proposer might include.
    txs.push(txs[0] as Uint8Array);
    for (const tx of txs.slice(0, 4)) expect((await checked.c.check(tx)).code).toBe(0);
    const a = await checked.c.block(txs);
    // The second node's cache is the same process's: it must not matter what it holds.
    const b = await fresh.c.block(txs);
    expect(a.txResults, 'the same results, gas and events').toEqual(b.txResults);
    expect(a.txResults[4]?.codespace).toBe('TX_BAD_NONCE');
    expect(a.appHash).toEqual(b.appHash);
  });

  it("hands each execution its own copy of the signer: a handler that writes into it cannot change the next one's", async () => {
    const seen: string[] = [];
    const scribble = defineMessage<{ n: number }>({
      type: 'scribble/write',
      codec: struct<{ n: number }>('Scribble', { n: uint() }),
      async handle(_ctx, _message, signer) {
        seen.push(Buffer.from(signer.address).toString('hex'));
        signer.address.fill(0);
        signer.publicKey.fill(0);
      },
    });
    const core = coreModules();
    const c = await TestChain.create({
      modules: [...core.modules, { name: 'scribble', messages: [scribble] }],
      accounts: core.accounts,
      genesis: {
        bank: { authority: addr(alice), balances: [{ address: addr(alice), denom: 'kwh', amount: '1000' }] },
      },
    });
    const tx = await c.tx(alice, [txMessage(scribble, { n: 1 })], { nonce: 0 });
    expect((await c.check(tx)).code, 'checked (its simulation scribbles)').toBe(0);
    expect((await c.block([tx])).txResults[0]?.code, 'executed (scribbles again)').toBe(0);
    const expected = Buffer.from(addressOf(alice.publicKey)).toString('hex');
    expect(seen, 'both runs saw the true signer').toEqual([expected, expected]);
    expect(await c.nextNonce(alice.publicKey), "the nonce moved on alice's account").toBe(1);
  });
});
