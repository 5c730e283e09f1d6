import {
  addressOf,
  BoundedCache,
  type BoundedCacheStats,
  bytesKey,
  DecodeError,
  decode,
  maxTxBytes,
} from '@joule/consensus';
import {
  gasCosts,
  signerAddressCacheEntries,
  verifiedTxCacheBytes,
  verifiedTxCacheEntries,
  verifiedTxOverheadBytes,
} from '../constants.js';
import type { GasMeter } from './gas.js';
import type { MessageType, Signer } from './module.js';
import type { State } from './state.js';
import { decodeTx, type Tx, txHash, txSignatureVerifies } from './tx.js';
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
   * signer's key, so the verdict cannot change), as the Cosmos SDK skips it on ReCheckTx, and the
   * messages are not decoded again (their types, decoding and stateless validation are functions of
   * the bytes and of the application's registered types, which do not change either): the result's
   * `messages` is empty. The nonce, which the last block may have taken, is checked again.
   */
  readonly recheck?: boolean;
}

/** A signer's public key and address (a SHA-256 of the key): one pair per signer, shared. */
interface SignerKeys {
  readonly publicKey: Uint8Array;
  readonly address: Uint8Array;
}

/**
 * A transaction whose signature verified: what the checks read of it again without decoding it —
 * its chain, its nonce and its signer (the signer's pair, shared with its other transactions).
 * Functions of its bytes alone. Its messages are decoded again from the bytes when it executes: a
 * decoding costs under a microsecond and leaves nothing, where a remembered one (objects, and a
 * copied array with its buffer for the signer, the signature and each message) lived thousands of
 * transactions and was promoted by each scavenge to V8's old space, ~1.1 KiB a transaction.
 */
interface VerifiedTx {
  readonly chainId: string;
  readonly nonce: number;
  readonly signer: SignerKeys;
}

/**
 * Transactions whose signature verified, by the hash of their whole bytes (body and signature),
 * least recently used out first: a transaction checked for the mempool is proposed, executed in its
 * block and rechecked while it waits, and its bytes — hence its chain, nonce, signer and verdict —
 * are the same each time. Facts that never change, so every answer is the one a fresh decode and
 * verify would give; what depends on the chain (its id, the message types, nonces, state) is
 * checked each time. Bounded by `verifiedTxCacheEntries` and `verifiedTxCacheBytes`.
 */
let verifiedTxs = verifiedTxCache(verifiedTxCacheBytes);

function verifiedTxCache(maxBytes: number): BoundedCache<string, VerifiedTx> {
  return new BoundedCache<string, VerifiedTx>({
    maxEntries: verifiedTxCacheEntries,
    maxBytes,
    sizeOf: (_key, value) => verifiedTxOverheadBytes + value.chainId.length,
  });
}

/**
 * Bounds the cache of verified transactions to `maxBytes` (a node sets it from its profile's memory
 * budget; 0 remembers none). The cache is the process's: a new bound starts it empty. What it
 * remembers never changes an answer, only how soon one comes.
 */
export function limitVerifiedTxCache(maxBytes: number): void {
  if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 0))
    throw new RangeError(
      `the verified-transaction cache's bound must be a whole number of bytes ≥ 0, not ${maxBytes}`,
    );
  verifiedTxs = verifiedTxCache(maxBytes);
}

/** What the cache of verified transactions holds and how it served (for metrics). */
export function verifiedTxCacheStats(): BoundedCacheStats {
  return verifiedTxs.stats();
}

/**
 * The chain, nonce and signer of the transaction with hash `hash`, if this node verified its
 * signature (in `checkTx`, a proposal or a block) and still remembers it.
 */
export function verifiedTx(hash: Uint8Array): VerifiedTx | undefined {
  return verifiedTxs.get(bytesKey(hash));
}

/**
 * Whether `tx` (decoded from `bytes`, whose hash is `hash`) carries a valid signature of its
 * signer, through the cache of verified transactions: bytes this node verified before cost a lookup.
 */
export function signatureVerifies(bytes: Uint8Array, tx: Tx, hash: Uint8Array = txHash(bytes)): boolean {
  const id = bytesKey(hash);
  return verifiedTxs.get(id) !== undefined || verifyAndRemember(id, tx, bytes) !== undefined;
}

/**
 * Verifies the signature of `tx` (decoded from `bytes`) and remembers it under `id` if valid: its
 * signer's pair, or undefined if invalid.
 */
function verifyAndRemember(id: string, tx: Tx, bytes: Uint8Array): SignerKeys | undefined {
  if (!txSignatureVerifies(bytes, tx)) return undefined;
  const signer = signerKeys(tx.body.signer);
  verifiedTxs.set(id, { chainId: sharedChainId(tx.body.chainId), nonce: tx.body.nonce, signer });
  return signer;
}

/** The chain id last remembered: every transaction of a chain shares one string, not one per decoding. */
let lastChainId = '';

function sharedChainId(chainId: string): string {
  if (chainId !== lastChainId) lastChainId = chainId;
  return lastChainId;
}

/**
 * Signers' keys and addresses by public key, least recently used out first: a signer sends
 * transaction after transaction, and its address is a SHA-256 of its key (the hash, and the key
 * moved out of V8's heap for OpenSSL, cost more than the lookup). A fact about the key that never
 * changes; the remembered transactions of a signer share its pair. Bounded by
 * `signerAddressCacheEntries`.
 */
const signers = new BoundedCache<string, SignerKeys>({ maxEntries: signerAddressCacheEntries });

/** `publicKey` and `addressOf(publicKey)`, remembered; the arrays are shared: callers hand out copies. */
function signerKeys(publicKey: Uint8Array): SignerKeys {
  const key = bytesKey(publicKey);
  let keys = signers.get(key);
  if (keys === undefined) {
    keys = { publicKey: publicKey.slice(), address: addressOf(publicKey) };
    signers.set(key, keys);
  }
  return keys;
}

/**
 * The ante checks, in order: size, decode, chain id, signature, nonce, then for each message its
 * type, strict decode and stateless validation. Each refusal is a `TxError` with a stable code.
 * The nonce is advanced in `env.state`; the caller keeps that write only if every check passes.
 */
export async function runAnte(
  bytes: Uint8Array,
  env: AnteEnvironment,
  /** `txHash(bytes)`, when the caller has it (the cache of verified transactions is keyed by it). */
  hash: Uint8Array = txHash(bytes),
): Promise<AnteResult> {
  if (bytes.length > maxTxBytes) {
    throw new TxError('TX_TOO_LARGE', `transaction of ${bytes.length} bytes exceeds ${maxTxBytes}`, {
      size: bytes.length,
      limit: maxTxBytes,
    });
  }
  env.gas.consume(gasCosts.txBase + gasCosts.txPerByte * bytes.length, 'transaction bytes');
  // Bytes verified before have the same chain, nonce and signer: a recheck of them decodes nothing.
  const id = bytesKey(hash);
  const known = verifiedTxs.get(id);
  let tx: Tx | undefined;
  if (known === undefined || env.recheck !== true)
    try {
      tx = decodeTx(bytes, maxTxBytes);
    } catch (cause) {
      throw new TxError('TX_MALFORMED', `transaction does not decode: ${message(cause)}`);
    }
  const chainId = known?.chainId ?? (tx as Tx).body.chainId;
  if (chainId !== env.chainId) {
    throw new TxError('TX_WRONG_CHAIN', `transaction is for chain "${chainId}", this is "${env.chainId}"`, {
      chainId,
    });
  }
  env.gas.consume(gasCosts.signatureVerify, 'signature');
  let keys = known?.signer;
  if (keys === undefined && env.recheck !== true) {
    keys = verifyAndRemember(id, tx as Tx, bytes);
    if (keys === undefined)
      throw new TxError('TX_BAD_SIGNATURE', 'signature does not verify against the signer key');
  }
  keys ??= signerKeys((tx as Tx).body.signer);
  // The handlers get their own copies: what they do with them cannot reach the cache.
  const signer: Signer = { address: keys.address.slice(), publicKey: keys.publicKey.slice() };
  await env.accounts.useNonce(env.state, signer, known?.nonce ?? (tx as Tx).body.nonce);
  const messages: DecodedMessage[] = [];
  if (env.recheck === true || tx === undefined) return { signer, messages };
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
  return { signer, messages };
}

function message(cause: unknown): string {
  return cause instanceof DecodeError || cause instanceof Error ? cause.message : String(cause);
}
