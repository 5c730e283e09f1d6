import { addressOf, bytes, formatAddress, generateKeyPair, struct, toHex } from '@joule/consensus';
import { describe, expect, it, vi } from 'vitest';

/**
 * A node whose caches are its own: a fresh module graph, so the cache of verified transactions and
 * of rendered addresses start empty, as on a node that never saw the transactions.
 */
async function freshGraph() {
  vi.resetModules();
  const [{ TestChain }, { coreModules }, { defineMessage, defineEvent }, { txMessage, txHash }, ante] =
    await Promise.all([
      import('../testkit/test-chain.js'),
      import('../modules/core.js'),
      import('./module.js'),
      import('./tx.js'),
      import('./ante.js'),
    ]);
  const cacheStats = ante.verifiedTxCacheStats;
  return { TestChain, coreModules, defineMessage, defineEvent, txMessage, txHash, cacheStats };
}
type Graph = Awaited<ReturnType<typeof freshGraph>>;

const alice = generateKeyPair(new Uint8Array(32).fill(21));
const bob = generateKeyPair(new Uint8Array(32).fill(22));
const stranger = generateKeyPair(new Uint8Array(32).fill(23));
const addr = (k: { publicKey: Uint8Array }) => formatAddress(addressOf(k.publicKey), 'joule');

interface Scribble {
  readonly small: Uint8Array;
  readonly blob: Uint8Array;
}
const scribbleCodec = struct<Scribble>('Scribble', { small: bytes({ max: 32 }), blob: bytes({ max: 512 }) });

/** A chain with bank and a module whose handler reports its message, then writes over it and its context. */
async function chainOf(g: Graph, chainId: string) {
  const core = g.coreModules();
  const wrote = g.defineEvent('scribble.wrote', ['who', 'small', 'blob', 'hash']);
  const scribble = g.defineMessage<Scribble>({
    type: 'scribble/write',
    codec: scribbleCodec,
    async handle(ctx, m, signer) {
      ctx.emit(wrote({ who: signer.address, small: m.small, blob: m.blob, hash: ctx.txHash }));
      ctx.state.set(m.small.slice(0, 4), m.blob.slice(0, 8));
      // Writes into everything it was handed.
      m.small.fill(0xee);
      m.blob.fill(0xee);
      signer.address.fill(0xee);
      signer.publicKey.fill(0xee);
    },
  });
  const c = await g.TestChain.create({
    chainId,
    modules: [...core.modules, { name: 'scribble', messages: [scribble] }],
    accounts: core.accounts,
    genesis: {
      bank: {
        authority: addr(alice),
        balances: [{ address: addr(alice), denom: 'kwh', amount: '1000000' }],
      },
    },
  });
  const send = (amount: bigint, to = bob) =>
    g.txMessage(core.bank.msg.send, { to: addressOf(to.publicKey), denom: 'kwh', amount });
  const multi = (n: number, seed: number) =>
    g.txMessage(core.bank.msg.multiSend, {
      outputs: Array.from({ length: n }, (_, i) => ({
        to: new Uint8Array(20).fill(seed + i),
        denom: 'kwh',
        amount: 1n,
      })),
    });
  const write = (seed: number) =>
    g.txMessage(scribble, { small: new Uint8Array(16).fill(seed), blob: new Uint8Array(300).fill(seed + 1) });
  return { c, send, multi, write };
}

const proposalOf = (txs: Uint8Array[], height = 1) => ({
  height,
  time: 0,
  proposerAddress: new Uint8Array(20),
  txs,
  hash: new Uint8Array(32),
});

describe('a node that checked, proposed and rechecked a block against one that saw only the block', () => {
  it('gets the same results, gas, events and app hash for every kind of transaction, block after block', async () => {
    const warmGraph = await freshGraph();
    const w = await chainOf(warmGraph, 'eq-chain');
    const other = await chainOf(warmGraph, 'other-chain');
    const coldGraph = await freshGraph();
    const cold = await chainOf(coldGraph, 'eq-chain');

    const t0 = await w.c.tx(alice, [w.send(5n)], { nonce: 0 });
    const s1 = await w.c.tx(alice, [w.send(1n), w.write(1)], { nonce: 1 });
    const m2 = await w.c.tx(alice, [w.multi(8, 40)], { nonce: 2 });
    const s3 = await w.c.tx(alice, [w.write(1)], { nonce: 3 });
    const forged = s3.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    const wrongChain = await other.c.tx(alice, [other.send(1n)], { nonce: 3, chainId: 'other-chain' });
    const unknownType = await w.c.tx(alice, [{ type: 'nope/none', value: new Uint8Array([1]) }], {
      nonce: 3,
    });
    const badMessage = await w.c.tx(alice, [{ type: 'bank/send', value: new Uint8Array([0xc1]) }], {
      nonce: 3,
    });
    const fromStranger = await w.c.tx(stranger, [w.send(1n)], { nonce: 0 });
    const malformed = new Uint8Array([0x92, 0x01]);

    // The warm node sees everything the mempool, gossip and proposals would show it, twice.
    for (let round = 0; round < 2; round++) {
      for (const tx of [t0, s1, m2, s3, unknownType, badMessage, fromStranger, malformed])
        await w.c.app.checkTx({ tx, kind: 'new' });
      await other.c.app.checkTx({ tx: wrongChain, kind: 'new' });
      for (const tx of [t0, s1, m2, s3, forged, wrongChain]) await w.c.app.checkTx({ tx, kind: 'recheck' });
    }
    const block1 = [t0, s1, t0, forged, m2, wrongChain, unknownType, badMessage, fromStranger, malformed, s3];
    expect(await w.c.app.processProposal(proposalOf(block1))).toBe('reject');
    const warm1 = await w.c.block(block1);
    const cold1 = await cold.c.block(block1);
    expect(warm1.txResults.map((r) => r.codespace)).toEqual([
      '',
      '',
      'TX_BAD_NONCE',
      'TX_BAD_SIGNATURE',
      '',
      'TX_WRONG_CHAIN',
      'TX_UNKNOWN_MESSAGE',
      'TX_MALFORMED_MESSAGE',
      expect.any(String),
      'TX_MALFORMED',
      '',
    ]);
    // The warm node's block was served from its cache; the cold node's cache saw only the block.
    expect(warmGraph.cacheStats().hits, 'the warm node hit its cache').toBeGreaterThan(20);
    expect(coldGraph.cacheStats().hits, 'the cold node hit only the duplicate').toBe(1);
    expect(warm1.txResults, 'results, gas and events').toEqual(cold1.txResults);
    expect(warm1.events).toEqual(cold1.events);
    expect(toHex(warm1.appHash), 'app hash').toBe(toHex(cold1.appHash));

    // The scribbles were executed twice on the warm node (check, block) and saw their own bytes each time.
    const wrote = warm1.txResults[10]?.events.find((e) => e.type === 'scribble.wrote');
    expect(wrote?.attributes.find((a) => a.key === 'blob')?.value).toBe(toHex(new Uint8Array(300).fill(2)));
    expect(wrote?.attributes.find((a) => a.key === 'who')?.value).toBe(addr(alice));

    // The same bytes again in the next block (spent nonces), and new ones after rechecks.
    const t4 = await w.c.tx(alice, [w.multi(4, 40), w.write(1)], { nonce: 4 });
    await w.c.app.checkTx({ tx: t4, kind: 'new' });
    for (const tx of [s3, t4]) await w.c.app.checkTx({ tx, kind: 'recheck' });
    const block2 = [s3, t4, s1, t4];
    expect(await w.c.app.processProposal(proposalOf(block2, 2))).toBe('accept');
    const warm2 = await w.c.block(block2);
    const cold2 = await cold.c.block(block2);
    expect(warm2.txResults.map((r) => r.codespace)).toEqual([
      'TX_BAD_NONCE',
      '',
      'TX_BAD_NONCE',
      'TX_BAD_NONCE',
    ]);
    expect(warm2.txResults).toEqual(cold2.txResults);
    expect(toHex(warm2.appHash)).toBe(toHex(cold2.appHash));
  });
});

describe('the context a handler is given', () => {
  it("keeps the transaction's index under its hash even when a handler writes into ctx.txHash", async () => {
    const g = await freshGraph();
    const core = g.coreModules();
    // A handler that overwrites the hash it is handed (as a scratch buffer, by mistake).
    const clobber = g.defineMessage<Scribble>({
      type: 'clobber/hash',
      codec: scribbleCodec,
      async handle(ctx) {
        ctx.txHash.fill(0);
      },
    });
    const d = await g.TestChain.create({
      chainId: 'index-chain',
      modules: [...core.modules, { name: 'clobber', messages: [clobber] }],
      accounts: core.accounts,
      genesis: {
        bank: { authority: addr(alice), balances: [{ address: addr(alice), denom: 'kwh', amount: '10' }] },
      },
    });
    const tx = await d.tx(alice, [
      g.txMessage(clobber, { small: new Uint8Array(1), blob: new Uint8Array(1) }),
    ]);
    expect((await d.block([tx])).txResults[0]?.code).toBe(0);
    const stored = await d.app.txResult(g.txHash(tx));
    expect(stored?.height, 'the result is found by its hash').toBe(1);
  });
});

describe('what the cache of verified transactions counts', () => {
  it('counts what it keeps: a refused 32-message transaction as a one-message one, since neither keeps its messages', async () => {
    const g = await freshGraph();
    const { c } = await chainOf(g, 'count-chain');
    const { verifiedTxOverheadBytes } = await import('../constants.js');
    const counted = async (messages: number, nonce: number) => {
      const before = g.cacheStats().bytes;
      // From an account that does not exist: refused after its signature verified (and was remembered).
      const tx = await c.tx(
        stranger,
        Array.from({ length: messages }, () => ({ type: 'bank/send', value: new Uint8Array(0) })),
        { nonce },
      );
      expect((await c.check(tx)).codespace).not.toBe('');
      return g.cacheStats().bytes - before;
    };
    expect(await counted(32, 0)).toBe(verifiedTxOverheadBytes + 'count-chain'.length);
    expect(await counted(1, 1)).toBe(verifiedTxOverheadBytes + 'count-chain'.length);
  });
});
