import {
  bytes,
  type Codec,
  chainId,
  decode,
  encode,
  int,
  list,
  publicKey,
  publicKeyOf,
  refine,
  sha256,
  sign,
  signature,
  string,
  struct,
} from '@joule/consensus';
import { signBytes, verifyFast } from '@joule/consensus/core';
import {
  maxMemoLength,
  maxMessageBytes,
  maxMessageTypeLength,
  maxNonce,
  maxTxMessages,
  txDomainTag,
} from '../constants.js';
import type { MessageType } from './module.js';

/** One message of a transaction: its type name and its canonical encoding. */
export interface TxMessage {
  readonly type: string;
  readonly value: Uint8Array;
}

/** What the signer signs: chain id, public key, nonce, one or more messages, and a memo. */
export interface TxBody {
  readonly chainId: string;
  readonly signer: Uint8Array;
  readonly nonce: number;
  readonly messages: readonly TxMessage[];
  readonly memo: string;
}

export interface Tx {
  readonly body: TxBody;
  readonly signature: Uint8Array;
}

/** Message type names: lower-case module name, `/`, name (`bank/send`). */
export const messageTypePattern = /^[a-z][a-z0-9_]*\/[a-z][a-z0-9_]*$/;

const txMessageCodec: Codec<TxMessage> = struct<TxMessage>('TxMessage', {
  type: string(maxMessageTypeLength, messageTypePattern),
  value: bytes({ max: maxMessageBytes }),
});

export const txBodyCodec: Codec<TxBody> = refine(
  struct<TxBody>('TxBody', {
    chainId,
    signer: publicKey,
    nonce: int(0, maxNonce),
    messages: list(txMessageCodec, maxTxMessages) as Codec<readonly TxMessage[]>,
    memo: string(maxMemoLength),
  }),
  (body) => (body.messages.length === 0 ? 'a transaction needs at least one message' : undefined),
);

export const txCodec: Codec<Tx> = struct<Tx>('Tx', { body: txBodyCodec, signature });

/** The bytes a signer signs: domain tag `joule/tx/v1`, chain id, canonical body. */
export function txSignBytes(body: TxBody): Uint8Array {
  return signBytes(txDomainTag, body.chainId, txBodyCodec, body);
}

/** The msgpack header of a list of two (a transaction: body, signature). */
const txListHeader = 0x92;
/** The msgpack header of a byte string of 8-bit length, as a 64-byte signature is encoded. */
const bin8Header = 0xc4;

/** The bytes `txSignBytes` puts before a body's encoding, for the last chain id asked. */
let signPrefix: { readonly chainId: string; readonly bytes: Uint8Array } | undefined;

/**
 * Where the body's encoding ends in `bytes` (the encoding of `tx`): the list's header, the body,
 * then the signature as an 8-bit-length binary. Undefined for bytes of another shape.
 */
function bodyEndOf(bytes: Uint8Array, tx: Tx): number | undefined {
  const bodyEnd = bytes.length - 2 - tx.signature.length;
  return bytes[0] === txListHeader &&
    tx.signature.length <= 0xff &&
    bytes[bodyEnd] === bin8Header &&
    bytes[bodyEnd + 1] === tx.signature.length
    ? bodyEnd
    : undefined;
}

/**
 * `txSignBytes(tx.body)` for `tx` decoded from `bytes`, without encoding the body again. The strict
 * decoder accepts only a value's canonical encoding, so the body's encoding is in `bytes` already:
 * between the list's header and the signature. The signed bytes are the list header of three, the
 * domain tag and the chain id — the same for every transaction of a chain, kept from the first
 * transaction signed bytes were built for — then those body bytes. Bytes of another shape get
 * `txSignBytes`.
 */
export function txSignBytesOf(bytes: Uint8Array, tx: Tx): Uint8Array {
  const bodyEnd = bodyEndOf(bytes, tx);
  if (bodyEnd === undefined) return txSignBytes(tx.body);
  const body = bytes.subarray(1, bodyEnd);
  const prefix = signPrefix?.chainId === tx.body.chainId ? signPrefix.bytes : undefined;
  if (prefix === undefined) {
    const full = txSignBytes(tx.body);
    const start = full.length - body.length;
    // Kept only if the encoding in `bytes` is the one the encoder makes, as decoding proved.
    if (start > 0 && equalBytes(full.subarray(start), body))
      signPrefix = { chainId: tx.body.chainId, bytes: full.slice(0, start) };
    return full;
  }
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

/**
 * Where `txSignatureVerifies` writes the signed bytes and the signature of the transaction it
 * verifies: reused, since a verification is synchronous and nothing keeps the bytes. At most the
 * largest transaction long (`maxTxBytes` and the chain's prefix), it grows by doubling from
 * `minVerifyScratchBytes`.
 */
let verifyScratch = new Uint8Array(0);
const minVerifyScratchBytes = 1024;

/**
 * Whether the signature of `tx` (decoded from `bytes`) verifies against its signer key: what
 * `verifyFast(tx.body.signer, txSignBytesOf(bytes, tx), tx.signature)` answers, without an array
 * per call. The signed bytes and the signature are copied into a reused scratch buffer and handed
 * to OpenSSL as views of it: each array over 64 bytes V8
 * gives a backing store of its own outside its heap (a `malloc`, then the collector's bookkeeping
 * to free it), and an on-heap one handed to OpenSSL is first moved out of the heap the same way.
 */
export function txSignatureVerifies(bytes: Uint8Array, tx: Tx): boolean {
  const { signature } = tx;
  const prefix = signPrefix?.chainId === tx.body.chainId ? signPrefix.bytes : undefined;
  const bodyEnd = prefix === undefined ? undefined : bodyEndOf(bytes, tx);
  if (prefix === undefined || bodyEnd === undefined)
    return verifyFast(tx.body.signer, txSignBytesOf(bytes, tx), signature);
  const length = prefix.length + bodyEnd - 1;
  const total = length + signature.length;
  if (verifyScratch.length < total)
    verifyScratch = new Uint8Array(Math.max(total, 2 * verifyScratch.length, minVerifyScratchBytes));
  verifyScratch.set(prefix);
  verifyScratch.set(bytes.subarray(1, bodyEnd), prefix.length);
  verifyScratch.set(signature, length);
  return verifyFast(tx.body.signer, verifyScratch.subarray(0, length), verifyScratch.subarray(length, total));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A transaction's id: SHA-256 of its bytes. */
export function txHash(tx: Uint8Array): Uint8Array {
  return sha256(tx);
}

/** A message of a given type, encoded for a transaction. */
export function txMessage<M>(type: MessageType<M>, message: M): TxMessage {
  return { type: type.type, value: encode(type.codec, message) };
}

/** Builds, signs and encodes a transaction. */
export function signTx(
  secretKey: Uint8Array,
  fields: { chainId: string; nonce: number; messages: readonly TxMessage[]; memo?: string },
): Uint8Array {
  const body: TxBody = {
    chainId: fields.chainId,
    signer: publicKeyOf(secretKey),
    nonce: fields.nonce,
    messages: fields.messages,
    memo: fields.memo ?? '',
  };
  return encode(txCodec, { body, signature: sign(secretKey, txSignBytes(body)) });
}

/** Decodes a transaction strictly (`DecodeError` on anything malformed). */
export function decodeTx(bytes: Uint8Array, maxBytes: number): Tx {
  return decode(txCodec, bytes, { maxBytes });
}
