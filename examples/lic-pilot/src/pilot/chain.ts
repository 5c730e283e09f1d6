import { parseAddress, toHex } from '@joule/consensus';
import { type KeyInfo, loadKey, marketModules, maxTxsPerSubmit } from '@joule/node';
import { ClientError, type JouleClient } from '@joule/node/client';
import { signTx, type TxMessage, txHash } from '@joule/state';

/** The LIC appchain's modules (auth, bank, poa, market) in `joule` addresses. */
export const modules = marketModules('joule');
export const denom = 'ujoule';

/** A key the pilot signs with: its address and secret key, and the node it talks to. */
export interface Signer {
  readonly name: string;
  readonly address: string;
  readonly secretKey: Uint8Array;
  readonly client: JouleClient;
  /** The next nonce, kept here so that a signer's transactions pipeline. */
  nonce: number;
}

/**
 * How long the chain may go without a new block while the pilot waits on it (a full mempool, a
 * transaction not yet in a block) before the pilot gives up: a back-fill keeps thousands of
 * transactions queued, so the wait is bounded by progress, not by a fixed time.
 */
const stallTimeoutMs = 60_000;
/** The longest the pilot waits for one transaction in any case. */
const maxWaitMs = 30 * 60_000;
/** Waits between retries when a mempool is full, and between looks for a transaction. */
const retryMs = 250;

/** Watches a node's height: throws once it has not moved for `stallTimeoutMs` or `maxWaitMs` passed. */
export class Patience {
  readonly #client: JouleClient;
  readonly #start = performance.now();
  #height = -1;
  #movedAt = performance.now();
  #checkedAt = 0;

  constructor(client: JouleClient) {
    this.#client = client;
  }

  async check(what: string): Promise<void> {
    const now = performance.now();
    if (now - this.#start > maxWaitMs)
      throw new PilotTxError(what, 'TIMEOUT', `waited ${maxWaitMs / 60_000} min`);
    if (now - this.#checkedAt < 2_000) return;
    this.#checkedAt = now;
    const h = await height(this.#client).catch(() => this.#height);
    if (h !== this.#height) {
      this.#height = h;
      this.#movedAt = now;
    } else if (now - this.#movedAt > stallTimeoutMs)
      throw new PilotTxError(
        what,
        'CHAIN_STALLED',
        `no new block for ${stallTimeoutMs / 1000} s (height ${h})`,
      );
  }
}

export async function signerOf(home: string, name: string, client: JouleClient): Promise<Signer> {
  const info: KeyInfo & { key: { secretKey: Uint8Array } } = await loadKey(home, name);
  const account = await client.account(parseAddress(info.address, 'joule'));
  return { name, address: info.address, secretKey: info.key.secretKey, client, nonce: account?.nonce ?? 0 };
}

/** The pilot stopped because the chain refused something it sent: names the transaction and the code. */
export class PilotTxError extends Error {
  override readonly name = 'PilotTxError';
  constructor(
    readonly what: string,
    readonly code: string,
    detail: string,
  ) {
    super(`${what} was refused (${code}): ${detail}`);
  }
}

/**
 * Signs and submits one transaction with the signer's next nonce; waits while the node's mempool is
 * full. Resolves with the hash once the mempool has admitted it.
 */
export async function submit(signer: Signer, messages: readonly TxMessage[], what: string): Promise<string> {
  const patience = new Patience(signer.client);
  for (;;) {
    try {
      const sent = await signer.client.signAndSend(signer.secretKey, messages, { nonce: signer.nonce });
      signer.nonce++;
      return sent.hash;
    } catch (error) {
      if (
        error instanceof ClientError &&
        (error.code === 'MEMPOOL_FULL' || error.code === 'MEMPOOL_SENDER_FULL')
      ) {
        await patience.check(what);
        await sleep(retryMs);
        continue;
      }
      if (error instanceof ClientError) throw new PilotTxError(what, error.code, error.message);
      throw error;
    }
  }
}

/**
 * Hex bytes of the transactions in one `/broadcast_txs_sync` request: under the API's default
 * `[api] max_body_bytes` (256 KiB) with room for the JSON around them.
 */
export const maxBatchHexBytes = 192 * 1024;
/**
 * Transactions in one request at most (the API takes `maxTxsPerSubmit`): the node checks a request's
 * transactions one after another while the other meters' requests queue behind them, so a request
 * of 16 is answered well within the client's timeout on a busy machine, where one of 48 was not.
 */
export const maxBatchTxs = Math.min(16, maxTxsPerSubmit);
/** Codes of a refusal that clears by itself: the submission is sent again after the node's hint. */
const busyCodes: ReadonlySet<string> = new Set([
  'MEMPOOL_FULL',
  'MEMPOOL_SENDER_FULL',
  'API_BUSY',
  // The node was too busy to read the whole request in time and never handled it.
  'REQUEST_TIMEOUT',
]);
/** The longest wait honoured from one retry hint, ms. */
const maxRetryHintMs = 2_000;

/**
 * Signs `txs` with the signer's next nonces and submits them, as many to a request as fit
 * `maxBatchHexBytes` (`/broadcast_txs_sync`, admitted in order). The node answers each: the admitted
 * ones are done; from the first refused on, the rest is sent again — after the node's retry hint
 * when the refusal is a full mempool or a busy API (it clears as blocks take transactions), else
 * the pilot stops with the refused transaction named (`what(i)`). Resolves with the hashes once
 * every transaction is admitted; `admitted(n)` hears of each request's progress.
 */
export async function submitAll(
  signer: Signer,
  txs: readonly (readonly TxMessage[])[],
  what: (i: number) => string,
  admitted: (n: number) => void = () => undefined,
): Promise<string[]> {
  const chainId = await signer.client.chainId();
  const first = signer.nonce;
  const signed = txs.map((messages, i) => signTx(signer.secretKey, { chainId, nonce: first + i, messages }));
  const hashes: string[] = [];
  const patience = new Patience(signer.client);
  // After a lost connection the node may or may not have taken the request: a transaction it
  // took comes back as TX_IN_CACHE when sent again, and counts as admitted (every transaction is
  // looked up in a block afterwards, so one the node had refused is still caught there).
  let uncertain = false;
  while (hashes.length < signed.length) {
    const batch = nextBatch(signed, hashes.length);
    let wait = 0;
    try {
      const { results } = await signer.client.broadcastTxsSync(batch);
      for (const r of results) {
        if (r.code === 0) {
          hashes.push(r.hash);
          continue;
        }
        if (uncertain && r.code === 'TX_IN_CACHE') {
          hashes.push(toHex(txHash(signed[hashes.length] as Uint8Array)));
          continue;
        }
        if (!busyCodes.has(r.code)) throw new PilotTxError(what(hashes.length), r.code, r.message);
        wait = r.retry_after_ms ?? retryMs;
        break;
      }
      uncertain = false;
    } catch (error) {
      if (error instanceof PilotTxError) throw error;
      if (!(error instanceof ClientError)) throw error;
      if (error.code === 'UNREACHABLE') {
        // A dropped connection (a node too busy to read the request in time closes it): the
        // same transactions again, once the chain is seen to move (`patience` bounds the wait).
        uncertain = true;
        wait = retryMs;
      } else if (!busyCodes.has(error.code)) {
        throw new PilotTxError(what(hashes.length), error.code, error.message);
      } else {
        const hint = error.context.retryAfterMs;
        wait = typeof hint === 'number' ? hint : retryMs;
      }
    }
    signer.nonce = first + hashes.length;
    admitted(hashes.length);
    if (wait > 0) {
      await patience.check(what(hashes.length));
      await sleep(Math.min(wait, maxRetryHintMs));
    }
  }
  return hashes;
}

/** The signed transactions from `from` on that fit one request. */
function nextBatch(signed: readonly Uint8Array[], from: number): Uint8Array[] {
  const batch: Uint8Array[] = [];
  let hexBytes = 0;
  for (let i = from; i < signed.length && batch.length < maxBatchTxs; i++) {
    const tx = signed[i] as Uint8Array;
    if (batch.length > 0 && hexBytes + 2 * tx.length > maxBatchHexBytes) break;
    batch.push(tx);
    hexBytes += 2 * tx.length;
  }
  return batch;
}

/** Waits until the transaction `hash` is in a block; throws if it failed there. */
export async function committed(client: JouleClient, hash: string, what: string): Promise<number> {
  const patience = new Patience(client);
  for (;;) {
    const tx = await client.tx(hash).catch(() => null);
    if (tx !== null) {
      const result = tx.tx_result;
      if (result !== null && result.code !== 0)
        throw new PilotTxError(what, result.codespace || String(result.code), result.log);
      return Number(tx.height);
    }
    await patience.check(what);
    await sleep(retryMs);
  }
}

/** Submits and waits for the block. */
export async function send(signer: Signer, messages: readonly TxMessage[], what: string): Promise<number> {
  return committed(signer.client, await submit(signer, messages, what), what);
}

/** Waits until the node's last block is at `target` or above (bounded by the chain's progress). */
export async function untilHeight(client: JouleClient, target: number): Promise<void> {
  const patience = new Patience(client);
  while ((await height(client).catch(() => 0)) < target) {
    await patience.check(`waiting for height ${target} at ${client.url}`);
    await sleep(retryMs);
  }
}

export async function balanceOf(client: JouleClient, address: string): Promise<bigint> {
  return client.query('bank', modules.core.bank.query.balance, {
    address: parseAddress(address, 'joule'),
    denom,
  });
}

export async function height(client: JouleClient): Promise<number> {
  return Number((await client.status()).sync_info.latest_block_height);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
