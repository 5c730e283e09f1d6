import { generateKeyPair } from '@joule/consensus';
import type { JouleClient, SubmitResult } from '@joule/node/client';
import { decodeTx, type TxMessage, txMessage } from '@joule/state';
import { describe, expect, it } from 'vitest';
import { maxBatchTxs, modules, PilotTxError, type Signer, submitAll } from './chain.js';

/** A node's API as `submitAll` uses it: answers each batch with the codes `answer` picks. */
function fakeNode(answer: (nonce: number, call: number) => SubmitResult) {
  const batches: number[][] = [];
  const client = {
    url: 'http://fake',
    chainId: async () => 'lic-test-1',
    status: async () => ({ sync_info: { latest_block_height: String(batches.length) } }),
    broadcastTxsSync: async (txs: readonly Uint8Array[]) => {
      const nonces = txs.map((tx) => decodeTx(tx, 1 << 20).body.nonce);
      batches.push(nonces);
      return { results: nonces.map((n) => answer(n, batches.length)) };
    },
  };
  return { client: client as unknown as JouleClient, batches };
}

function signer(client: JouleClient, nonce: number): Signer {
  return { name: 'm', address: 'joule1x', secretKey: generateKeyPair().secretKey, client, nonce };
}

const msgs = (n: number): TxMessage[][] =>
  Array.from({ length: n }, (_, i) => [
    txMessage(modules.market.msg.setEnergyMeasure, {
      meterId: 'm',
      tsStart: i,
      tsEnd: i + 1,
      signal: 'consumption',
      value: 1,
    }),
  ]);
const ok = (n: number): SubmitResult => ({ code: 0, hash: `h${n}` });

describe('submitAll', () => {
  it('sends the transactions in nonce order, at most maxBatchTxs a request, and advances the nonce', async () => {
    const node = fakeNode(ok);
    const s = signer(node.client, 7);
    const hashes = await submitAll(s, msgs(40), (i) => `tx ${i}`);
    expect(hashes).toEqual(Array.from({ length: 40 }, (_, i) => `h${7 + i}`));
    expect(node.batches.map((b) => b.length)).toEqual([maxBatchTxs, maxBatchTxs, 40 - 2 * maxBatchTxs]);
    expect(node.batches.flat()).toEqual(Array.from({ length: 40 }, (_, i) => 7 + i));
    expect(s.nonce).toBe(47);
  });

  it('sends again from the first transaction a full mempool refused', async () => {
    const node = fakeNode((n, call) =>
      call === 1 && n >= 3
        ? { code: n === 3 ? 'MEMPOOL_FULL' : 'TX_BAD_NONCE', message: 'full', retry_after_ms: 1 }
        : ok(n),
    );
    const s = signer(node.client, 0);
    const hashes = await submitAll(s, msgs(6), (i) => `tx ${i}`);
    expect(hashes).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h5']);
    expect(node.batches).toEqual([
      [0, 1, 2, 3, 4, 5],
      [3, 4, 5],
    ]);
    expect(s.nonce).toBe(6);
  });

  it('stops on a refusal that does not clear, naming the transaction and the code', async () => {
    const node = fakeNode((n) => (n === 2 ? { code: 'MARKET_BAD_SLOT', message: 'no such slot' } : ok(n)));
    const s = signer(node.client, 0);
    const error = await submitAll(s, msgs(4), (i) => `tx ${i}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PilotTxError);
    expect(error).toMatchObject({ what: 'tx 2', code: 'MARKET_BAD_SLOT' });
  });
});
