import {
  addressOf,
  BoundedCache,
  type BoundedCacheStats,
  bytesKey,
  DecodeError,
  decode,
  maxTxBytes,
} from '@joule/consensus';
import { verifyFast } from '@joule/consensus/core';
import { gasCosts, verifiedTxCacheEntries } from '../constants.js';
import type { GasMeter } from './gas.js';
import type { MessageType, Signer } from './module.js';
import type { State } from './state.js';
import { decodeTx, type Tx, txHash, txSignBytes } from './tx.js';
import { TxError } from './tx-errors.js';

/** Replay protection: the account module checks a signer's nonce and advances it. */
export interface AccountKeeper {
  /**
   * Accepts `nonce` only if it is the signer's next one and advances it; throws `TxError`
   * (`TX_BAD_NONCE`, `TX_UNKNOWN_ACCOUNT`) otherwise.
   */
  useNonce(state: State, signer: Signer, nonce: number): Promise<void>;
}

/** A decoded message with its type. */
export interface DecodedMessage {
  readonly type: MessageType<unknown>;
  readonly message: unknown;
}

export interface AnteResult {
  readonly tx: Tx;
  readonly signer: Signer;
  readonly messages: readonly DecodedMessage[];
}

export interface AnteEnvironment {
  readonly chainId: string;
  readonly messageTypes: ReadonlyMap<string, MessageType<unknown>>;
  readonly accounts: AccountKeeper;
  readonly state: State;
  readonly gas: GasMeter;
  /**
   * A recheck of bytes admitted before: the signature is not verified again (the bytes carry the
   * signer's key, so the verdict cannot change), as the Cosmos SDK skips it on ReCheckTx.
   */
  readonly recheck?: boolean;
}

/**
 * Hashes of whole transactions (body and signature) whose signature verified, least recently used
 * out first: a transaction checked for the mempool is executed in its block a moment later, and
 * its bytes — hence its verdict — are the same. A fact that never changes, so the result is always
 * the verifier's; bounded by `verifiedTxCacheEntries` (keys of 32 one-byte characters: ~0.5 MiB).
 */
const verifiedTxs = new BoundedCache<string, true>({ maxEntries: verifiedTxCacheEntries });

/** What the cache of verified transactions holds and how it served (for metrics). */
export function verifiedTxCacheStats(): BoundedCacheStats {
  return verifiedTxs.stats();
}

/**
 * Whether `tx` (decoded from `bytes`) carries a valid signature of its signer, through the cache of
 * verified transactions: bytes this node verified before (in `checkTx`, a proposal or a block) cost
 * a hash and a lookup.
 */
export function signatureVerifies(bytes: Uint8Array, tx: Tx): boolean {
  const id = bytesKey(txHash(bytes));
  if (verifiedTxs.get(id) === true) return true;
  if (!verifyFast(tx.body.signer, txSignBytes(tx.body), tx.signature)) return false;
  verifiedTxs.set(id, true);
  return true;
}

/**
 * The ante checks, in order: size, decode, chain id, signature, nonce, then for each message its
 * type, strict decode and stateless validation. Each refusal is a `TxError` with a stable code.
 * The nonce is advanced in `env.state`; the caller keeps that write only if every check passes.
 */
export async function runAnte(bytes: Uint8Array, env: AnteEnvironment): Promise<AnteResult> {
  if (bytes.length > maxTxBytes) {
    throw new TxError('TX_TOO_LARGE', `transaction of ${bytes.length} bytes exceeds ${maxTxBytes}`, {
      size: bytes.length,
      limit: maxTxBytes,
    });
  }
  env.gas.consume(gasCosts.txBase + gasCosts.txPerByte * bytes.length, 'transaction bytes');
  let tx: Tx;
  try {
    tx = decodeTx(bytes, maxTxBytes);
  } catch (cause) {
    throw new TxError('TX_MALFORMED', `transaction does not decode: ${message(cause)}`);
  }
  if (tx.body.chainId !== env.chainId) {
    throw new TxError(
      'TX_WRONG_CHAIN',
      `transaction is for chain "${tx.body.chainId}", this is "${env.chainId}"`,
      {
        chainId: tx.body.chainId,
      },
    );
  }
  env.gas.consume(gasCosts.signatureVerify, 'signature');
  if (env.recheck !== true && !signatureVerifies(bytes, tx)) {
    throw new TxError('TX_BAD_SIGNATURE', 'signature does not verify against the signer key');
  }
  const signer: Signer = { address: addressOf(tx.body.signer), publicKey: tx.body.signer };
  await env.accounts.useNonce(env.state, signer, tx.body.nonce);
  const messages: DecodedMessage[] = [];
  // An index loop: `entries()` made an iterator result and an [index, item] pair per message.
  for (let index = 0; index < tx.body.messages.length; index++) {
    const item = tx.body.messages[index] as (typeof tx.body.messages)[number];
    env.gas.consume(gasCosts.perMessage, 'message');
    const type = env.messageTypes.get(item.type);
    if (type === undefined) {
      throw new TxError('TX_UNKNOWN_MESSAGE', `message ${index} has unknown type "${item.type}"`, { index });
    }
    let decoded: unknown;
    try {
      decoded = decode(type.codec, item.value);
    } catch (cause) {
      throw new TxError('TX_MALFORMED_MESSAGE', `message ${index} (${item.type}): ${message(cause)}`, {
        index,
      });
    }
    const problem = type.validate?.(decoded);
    if (problem !== undefined) {
      throw new TxError('TX_INVALID_MESSAGE', `message ${index} (${item.type}): ${problem}`, { index });
    }
    messages.push({ type, message: decoded });
  }
  return { tx, signer, messages };
}

function message(cause: unknown): string {
  return cause instanceof DecodeError || cause instanceof Error ? cause.message : String(cause);
}
