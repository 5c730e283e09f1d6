import { parseAddress } from '@joule/consensus';
import { type KeyInfo, loadKey, marketModules } from '@joule/node';
import { ClientError, type JouleClient } from '@joule/node/client';
import type { TxMessage } from '@joule/state';

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

/** How long a transaction may take from submission to its block before the pilot gives up. */
const commitTimeoutMs = 120_000;
/** Waits between retries when a mempool is full. */
const mempoolFullBackoffMs = 250;
/** Retries of one submission refused for a full mempool (about two minutes). */
const maxMempoolRetries = 480;

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
  for (let attempt = 0; ; attempt++) {
    try {
      const sent = await signer.client.signAndSend(signer.secretKey, messages, { nonce: signer.nonce });
      signer.nonce++;
      return sent.hash;
    } catch (error) {
      if (error instanceof ClientError && error.code === 'MEMPOOL_FULL' && attempt < maxMempoolRetries) {
        await sleep(mempoolFullBackoffMs);
        continue;
      }
      if (error instanceof ClientError) throw new PilotTxError(what, error.code, error.message);
      throw error;
    }
  }
}

/** Waits until the transaction `hash` is in a block; throws if it failed there. */
export async function committed(client: JouleClient, hash: string, what: string): Promise<number> {
  const deadline = performance.now() + commitTimeoutMs;
  while (performance.now() < deadline) {
    const tx = await client.tx(hash).catch(() => null);
    if (tx !== null) {
      const result = tx.tx_result;
      if (result !== null && result.code !== 0)
        throw new PilotTxError(what, result.codespace || String(result.code), result.log);
      return Number(tx.height);
    }
    await sleep(200);
  }
  throw new PilotTxError(what, 'TIMEOUT', `not in a block after ${commitTimeoutMs / 1000} s`);
}

/** Submits and waits for the block. */
export async function send(signer: Signer, messages: readonly TxMessage[], what: string): Promise<number> {
  return committed(signer.client, await submit(signer, messages, what), what);
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
