import {
  addressOf,
  encode,
  formatAddress,
  generateKeyPair,
  Mempool,
  sign,
  struct,
  toHex,
} from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { checkGasAdjustment } from '../constants.js';
import { coreModules } from '../modules/core.js';
import { verifyProof } from '../store/proof.js';
import { testGenesisTimeMs } from '../testkit/chain-fixtures.js';
import { eventsOf, TestChain } from '../testkit/test-chain.js';
import { txFloorGas } from './gas.js';
import { moduleTableKey } from './layout.js';
import { defineMessage } from './module.js';
import { decodeTx, signTx, txBodyCodec, txCodec, txHash, txMessage, txSignBytes } from './tx.js';

const alice = generateKeyPair(new Uint8Array(32).fill(1));
const bob = generateKeyPair(new Uint8Array(32).fill(2));
const stranger = generateKeyPair(new Uint8Array(32).fill(3));
const addr = (k: { publicKey: Uint8Array }) => formatAddress(addressOf(k.publicKey), 'joule');

/** A chain with alice's 1000 kwh; `limits` is the genesis `app` section (chain-wide gas limits). */
async function chain(limits?: Record<string, number>) {
  const core = coreModules();
  const c = await TestChain.create({
    modules: core.modules,
    accounts: core.accounts,
    genesis: {
      ...(limits === undefined ? {} : { app: limits }),
      bank: { authority: addr(alice), balances: [{ address: addr(alice), denom: 'kwh', amount: '1000' }] },
    },
  });
  return {
    c,
    core,
    send: (to: Uint8Array, amount: bigint) => txMessage(core.bank.msg.send, { to, denom: 'kwh', amount }),
  };
}

describe('the ante chain', () => {
  it('refuses each kind of bad transaction in checkTx with a stable code, in order', async () => {
    const { c, core, send } = await chain();
    const to = addressOf(bob.publicKey);
    const good = await c.tx(alice, [send(to, 1n)]);
    const codeOf = async (tx: Uint8Array) => (await c.check(tx)).codespace;
    expect(await codeOf(new Uint8Array(70 * 1024))).toBe('TX_TOO_LARGE');
    expect(await codeOf(new Uint8Array([1, 2, 3]))).toBe('TX_MALFORMED');
    expect(await codeOf(await c.tx(alice, [send(to, 1n)], { chainId: 'other-chain' }))).toBe(
      'TX_WRONG_CHAIN',
    );
    const forged = { ...(await import('@joule/consensus')).decode(txCodec, good) };
    const badSig = encode(txCodec, { ...forged, signature: sign(bob.secretKey, txSignBytes(forged.body)) });
    expect(await codeOf(badSig)).toBe('TX_BAD_SIGNATURE');
    expect(await codeOf(await c.tx(alice, [send(to, 1n)], { nonce: 5 }))).toBe('TX_BAD_NONCE');
    expect(await codeOf(await c.tx(stranger, [send(to, 1n)]))).toBe('TX_UNKNOWN_ACCOUNT');
    expect(await codeOf(await c.tx(alice, [{ type: 'bank/steal', value: new Uint8Array(0) }]))).toBe(
      'TX_UNKNOWN_MESSAGE',
    );
    expect(await codeOf(await c.tx(alice, [{ type: 'bank/send', value: new Uint8Array([0x90]) }]))).toBe(
      'TX_MALFORMED_MESSAGE',
    );
    expect(await codeOf(await c.tx(alice, [send(to, 0n)]))).toBe('TX_INVALID_MESSAGE');
    expect(await codeOf(await c.tx(alice, [send(to, 5000n)]))).toBe('BANK_INSUFFICIENT_FUNDS');
    const addValidator = txMessage(core.poa.msg.addValidator, { pubKey: bob.publicKey, power: 1n });
    expect(await codeOf(await c.tx(alice, [addValidator]))).toBe('UNAUTHORIZED');
    const accepted = await c.check(good);
    expect([accepted.code, accepted.codespace]).toEqual([0, '']);
    expect(accepted.gasWanted).toBeGreaterThan(0);
    // gasWanted carries the adjustment over the simulation, so it covers the tx in its block.
    const delivered = (await c.block([good])).txResults[0];
    expect(delivered?.code, 'delivered').toBe(0);
    expect(accepted.gasWanted, 'wanted covers used').toBeGreaterThanOrEqual(delivered?.gasUsed ?? Infinity);
    expect(accepted.gasWanted).toBe(Math.ceil((delivered?.gasUsed ?? 0) * checkGasAdjustment));
    // checkTx advanced the check state's nonce: the same tx again is a replay.
    expect(await codeOf(good)).toBe('TX_BAD_NONCE');
    const numeric = await c.check(new Uint8Array([1]));
    expect(numeric.code).toBe(3);
  });

  it('fails the same bad transactions deterministically inside a block, without touching state', async () => {
    const { c, send } = await chain();
    const to = addressOf(bob.publicKey);
    const before = c.appHash;
    const response = await c.block([
      new Uint8Array([1, 2]),
      await c.tx(alice, [send(to, 1n)], { nonce: 9 }),
      await c.tx(stranger, [send(to, 1n)]),
    ]);
    expect(response.txResults.map((r) => r.codespace)).toEqual([
      'TX_MALFORMED',
      'TX_BAD_NONCE',
      'TX_UNKNOWN_ACCOUNT',
    ]);
    const empty = await chain();
    await empty.c.block([]);
    expect(toHex(c.appHash)).toBe(toHex(empty.c.appHash));
    expect(before).toBeDefined();
  });

  it('reverts every write of a tx whose later message fails, but keeps its nonce', async () => {
    const { c, core, send } = await chain();
    const to = addressOf(bob.publicKey);
    const result = await c.deliver(alice, send(to, 100n), send(to, 5000n));
    expect(result.codespace).toBe('BANK_INSUFFICIENT_FUNDS');
    expect(result.events).toEqual([]);
    expect(await c.query('bank', core.bank.query.balance, { address: to, denom: 'kwh' })).toBe(0n);
    expect(
      await c.query('bank', core.bank.query.balance, { address: addressOf(alice.publicKey), denom: 'kwh' }),
    ).toBe(1000n);
    expect(await c.nextNonce(alice.publicKey)).toBe(1);
  });

  it('a recheck runs the ante checks only: nonces restored on the new state, messages left to the block', async () => {
    const { c, send } = await chain();
    const to = addressOf(bob.publicKey);
    const first = await c.tx(alice, [send(to, 600n)], { nonce: 0 });
    const second = await c.tx(alice, [send(to, 300n)], { nonce: 1 });
    expect((await c.check(first)).code, 'first admitted').toBe(0);
    expect((await c.check(second)).code, 'second admitted on the pending nonce').toBe(0);
    // Another node's pool wins nonce 0 with a spend of everything alice has.
    await c.block([await c.tx(alice, [send(to, 1000n)], { nonce: 0 })]);
    const recheck = (tx: Uint8Array) => c.app.checkTx({ tx, kind: 'recheck' });
    expect((await recheck(first)).codespace, 'nonce 0 is spent: dropped').toBe('TX_BAD_NONCE');
    expect((await recheck(second)).code, 'nonce 1 is next: kept, its send left to the block').toBe(0);
    const third = await c.tx(alice, [send(to, 1n)], { nonce: 2 });
    expect((await c.check(third)).codespace, 'a new check simulates the messages').toBe(
      'BANK_INSUFFICIENT_FUNDS',
    );
    // A recheck does not verify the signature again (the mempool rechecks only bytes it verified).
    const forged = third.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    expect((await c.check(forged)).codespace, 'a new check verifies it').toBe('TX_BAD_SIGNATURE');
    expect((await recheck(forged)).code, 'a recheck does not').toBe(0);
    // Nor does it decode the messages again (the mempool rechecks only bytes whose messages passed).
    const unknown = await c.tx(alice, [{ type: 'bank/steal', value: new Uint8Array(0) }], { nonce: 3 });
    expect((await c.check(unknown)).codespace, 'a new check looks the type up').toBe('TX_UNKNOWN_MESSAGE');
    expect((await recheck(unknown)).code, 'a recheck does not').toBe(0);
  });

  it("gives a check's handlers their own copy of the hash the mempool hands it", async () => {
    const core = coreModules();
    const scribble = defineMessage({
      type: 'scribble/hash',
      codec: struct<Record<string, never>>('Scribble', {}),
      async handle(ctx) {
        ctx.txHash.fill(0);
      },
    });
    const c = await TestChain.create({
      modules: [...core.modules, { name: 'scribble', messages: [scribble as never] }],
      accounts: core.accounts,
      genesis: {
        bank: { authority: addr(alice), balances: [{ address: addr(alice), denom: 'kwh', amount: '1000' }] },
      },
    });
    const tx = await c.tx(alice, [txMessage(scribble, {})], { nonce: 0 });
    const hash = txHash(tx);
    const pool = new Mempool({}, { app: c.app });
    expect(await pool.add(tx), "the mempool's hash, untouched by the handler").toEqual(hash);
    expect(pool.has(hash)).toBe(true);
  });

  it('refuses a proposal carrying a transaction with a bad signature, and leaves it out of its own', async () => {
    const { c, send } = await chain();
    const to = addressOf(bob.publicKey);
    const good = await c.tx(alice, [send(to, 1n)], { nonce: 0 });
    // Signed by another key for alice's signer: decodes, right chain, bad signature.
    const forged = signTx(stranger.secretKey, { chainId: c.chainId, nonce: 1, messages: [send(to, 1n)] });
    const { body, signature } = decodeTx(forged, forged.length);
    const forgedAsAlice = encode(txCodec, { body: { ...body, signer: alice.publicKey }, signature });
    expect((await c.check(forgedAsAlice)).codespace).toBe('TX_BAD_SIGNATURE');
    const proposal = (txs: Uint8Array[]) =>
      c.app.processProposal({
        height: 1,
        time: 0,
        proposerAddress: new Uint8Array(20),
        txs,
        hash: new Uint8Array(32),
      });
    expect(await proposal([good]), 'a block of valid transactions').toBe('accept');
    expect(await proposal([good, forgedAsAlice]), 'one forged transaction').toBe('reject');
    const prepared = await c.app.prepareProposal({
      height: 1,
      time: 0,
      proposerAddress: new Uint8Array(20),
      txs: [good, forgedAsAlice],
      maxTxBytes: 1 << 20,
    });
    expect(prepared.txs, 'the proposer leaves it out').toEqual([good]);
  });

  it("names a transaction's sender for the mempool's per-sender quota", async () => {
    const { c, send } = await chain();
    const tx = await c.tx(alice, [send(addressOf(bob.publicKey), 1n)]);
    expect(c.app.txSender(tx)).toEqual(alice.publicKey);
    expect(c.app.txSender(new Uint8Array([1, 2, 3])), 'none for bytes that do not decode').toBeUndefined();
  });

  it('counts gas deterministically and enforces the per-tx and per-block limits', async () => {
    const { c, send } = await chain({ maxTxGas: 1_000_000, maxBlockGas: 40_000 });
    const to = addressOf(bob.publicKey);
    const txs = [];
    for (let nonce = 0; nonce < 6; nonce++)
      txs.push(signTx(alice.secretKey, { chainId: c.chainId, nonce, messages: [send(to, 1n)] }));
    const response = await c.block(txs);
    const used = response.txResults.map((r) => r.gasUsed);
    expect(used[1]).toBe(used[2]);
    expect(response.txResults.map((r) => r.codespace)).toContain('TX_BLOCK_GAS_EXCEEDED');
    const tight = await chain({ maxTxGas: 3_000 });
    const out = await tight.c.deliver(alice, tight.send(to, 1n));
    expect(out.codespace).toBe('TX_OUT_OF_GAS');
  });

  it('counts a failed transaction against the block gas, at least its floor, in every step', async () => {
    const to = addressOf(bob.publicKey);
    const measure = await chain();
    await measure.c.block([await measure.c.tx(alice, [measure.send(to, 1n)], { memo: 'm' })]);
    const sent = await measure.c.block([await measure.c.tx(alice, [measure.send(to, 1n)], { memo: 'm' })]);
    const sendGas = sent.txResults[0]!.gasUsed;
    const probe = await measure.c.tx(alice, [measure.send(to, 1n)], { memo: 'm' });
    const floor = txFloorGas(probe.length);
    expect(floor).toBeLessThan(sendGas);
    // Three stale-nonce transactions and a good one: the failures' floors leave no room for it.
    const { c, send } = await chain({ maxBlockGas: 3 * floor + sendGas - 1 });
    await c.block([await c.tx(alice, [send(to, 1n)], { nonce: 0, memo: 'm' })]);
    const stale = await Promise.all(
      ['a', 'b', 'c'].map((memo) => c.tx(alice, [send(to, 1n)], { nonce: 0, memo })),
    );
    const good = await c.tx(alice, [send(to, 1n)], { nonce: 1, memo: 'g' });
    const response = await c.block([...stale, good]);
    expect(response.txResults.map((r) => r.codespace)).toEqual([
      'TX_BAD_NONCE',
      'TX_BAD_NONCE',
      'TX_BAD_NONCE',
      'TX_BLOCK_GAS_EXCEEDED',
    ]);
    for (const r of response.txResults.slice(0, 3)) expect(r.gasUsed).toBeGreaterThanOrEqual(floor);
    // The proposer packs, and every node checks, the floors against the block gas.
    const tight = await chain({ maxBlockGas: 2 * floor });
    const txs = await Promise.all(
      ['a', 'b', 'c'].map((memo, nonce) => tight.c.tx(alice, [send(to, 1n)], { nonce, memo })),
    );
    const header = { height: 1, time: 0, proposerAddress: new Uint8Array(20) };
    const prepared = await tight.c.app.prepareProposal({ ...header, txs, maxTxBytes: 1 << 20 });
    expect(prepared.txs).toEqual(txs.slice(0, 2));
    const verdict = (list: Uint8Array[]) =>
      tight.c.app.processProposal({ ...header, txs: list, hash: new Uint8Array(32) });
    expect(await verdict(txs.slice(0, 2))).toBe('accept');
    expect(await verdict(txs)).toBe('reject');
  });

  it('keeps typed events queryable by height and by tx hash', async () => {
    const { c, send } = await chain();
    const tx = await c.tx(alice, [send(addressOf(bob.publicKey), 7n)], { memo: 'hello' });
    await c.block([tx]);
    const stored = await c.app.txResult(txHash(tx));
    expect(stored?.height).toBe(c.height);
    expect(eventsOf(stored!.result, 'bank.transfer')).toEqual([
      { from: addr(alice), to: addr(bob), denom: 'kwh', amount: '7' },
    ]);
    expect(eventsOf(stored!.result, 'auth.account_created')).toEqual([{ address: addr(bob) }]);
    const block = await c.app.blockResults(c.height);
    expect(block?.txHashes).toEqual([txHash(tx)]);
    const byQuery = await c.app.query({
      path: '/tx',
      data: encode((await import('./queries.js')).txQueryCodec, txHash(tx)),
    });
    expect(byQuery.code).toBe(0);
    expect(txBodyCodec).toBeDefined();
  });

  it("indexes a block's results under its own transactions' hashes, whichever proposal was accepted before", async () => {
    const { c, send } = await chain();
    const to = addressOf(bob.publicKey);
    const txs = [
      await c.tx(alice, [send(to, 1n)], { nonce: 0 }),
      await c.tx(alice, [send(to, 2n)], { nonce: 1 }),
    ];
    const header = {
      height: c.height + 1,
      time: 0,
      proposerAddress: new Uint8Array(20),
      hash: new Uint8Array(32),
    };
    // Another proposal (the same transactions in another order) accepted last: its hashes are not this block's.
    expect(await c.app.processProposal({ ...header, txs: [txs[1]!, txs[0]!] })).toBe('accept');
    await c.block(txs);
    expect((await c.app.blockResults(c.height))?.txHashes, 'the block in its order').toEqual(txs.map(txHash));
    expect((await c.app.txResult(txHash(txs[0]!)))?.index).toBe(0);
    // The block's own transactions array accepted, then finalized: the same hashes, in the same places.
    const next = [
      await c.tx(alice, [send(to, 3n)], { nonce: 2 }),
      await c.tx(alice, [send(to, 4n)], { nonce: 3 }),
    ];
    expect(await c.app.processProposal({ ...header, height: c.height + 1, txs: next })).toBe('accept');
    const response = await c.block(next);
    expect(response.txResults.map((r) => r.code)).toEqual([0, 0]);
    expect((await c.app.blockResults(c.height))?.txHashes).toEqual(next.map(txHash));
    expect((await c.app.txResult(txHash(next[1]!)))?.index).toBe(1);
  });

  it('answers store queries with proofs against the app hash', async () => {
    const { c, send } = await chain();
    await c.deliver(alice, send(addressOf(bob.publicKey), 3n));
    const key = moduleTableKey('bank', 's', new TextEncoder().encode('kwh'));
    const response = await c.app.query({ path: '/store', data: key, prove: true });
    expect(response.code).toBe(0);
    expect(verifyProof(c.appHash, key, response.value, response.proof!)).toBe(true);
    const none = moduleTableKey('bank', 's', new TextEncoder().encode('none'));
    const missing = await c.app.query({ path: '/store', data: none, prove: true });
    expect(verifyProof(c.appHash, none, null, missing.proof!)).toBe(true);
    const unknown = await c.app.query({ path: '/nope/x', data: new Uint8Array(0) });
    expect(unknown.codespace).toBe('QUERY_UNKNOWN_PATH');
  });
});

describe('authenticated queries', () => {
  it('hand the handler the verified caller, and refuse stale or forged ones', async () => {
    const { defineQuery } = await import('./module.js');
    const { struct, address: addressCodec } = await import('@joule/consensus');
    const whoami = defineQuery({
      path: 'whoami',
      request: struct<Record<string, never>>('Empty', {}),
      response: addressCodec,
      authenticated: true,
      handle: async (_ctx, _r, caller) => caller ?? new Uint8Array(20),
    });
    const core = coreModules();
    const c = await TestChain.create({
      modules: [...core.modules, { name: 'who', queries: [whoami] }],
      accounts: core.accounts,
    });
    await c.block([]);
    expect(await c.query('who', whoami, {}, bob)).toEqual(addressOf(bob.publicKey));
    const now = testGenesisTimeMs + 1000;
    await expect(c.query('who', whoami, {}, bob, now + 10 * 60_000)).rejects.toMatchObject({
      code: 'QUERY_STALE',
    });
    await expect(c.query('who', whoami, {}, bob, now - 10 * 60_000)).rejects.toMatchObject({
      code: 'QUERY_STALE',
    });
    await expect(c.query('who', whoami, {})).rejects.toMatchObject({ code: 'QUERY_UNAUTHENTICATED' });
    const { signQuery } = await import('./queries.js');
    const forged = signQuery(bob.secretKey, {
      chainId: c.chainId,
      path: '/who/other',
      body: new Uint8Array([0x90]),
      timestamp: now,
    });
    const response = await c.app.query({ path: '/who/whoami', data: forged });
    expect(response.codespace).toBe('QUERY_BAD_SIGNATURE');
  });
});
