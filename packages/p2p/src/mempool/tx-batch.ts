import { bytes, type Codec, decode, encode, list, maxTxBytes } from '@joule/consensus';
import { maxMempoolBatchBytes, maxMempoolBatchTxs } from '../constants.js';

/** A mempool gossip frame: transactions in the order the sender admitted them. */
export const txBatchCodec: Codec<Uint8Array[]> = list(bytes({ min: 1, max: maxTxBytes }), maxMempoolBatchTxs);

export function encodeTxBatch(txs: readonly Uint8Array[]): Uint8Array {
  return encode(txBatchCodec, txs as Uint8Array[]);
}

/** Decodes a frame strictly; throws the codec's `DecodeError` on any other bytes. */
export function decodeTxBatch(frame: Uint8Array): Uint8Array[] {
  return decode(txBatchCodec, frame);
}

/**
 * Splits `txs` into batches of at most `maxMempoolBatchTxs` transactions and `maxBatchBytes`
 * transaction bytes (a larger transaction alone), keeping their order.
 */
export function splitTxBatches(
  txs: readonly Uint8Array[],
  maxBatchBytes: number = maxMempoolBatchBytes,
): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  let batch: Uint8Array[] = [];
  let size = 0;
  for (const tx of txs) {
    if (batch.length > 0 && (size + tx.length > maxBatchBytes || batch.length >= maxMempoolBatchTxs)) {
      out.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(tx);
    size += tx.length;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}
