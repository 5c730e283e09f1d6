import { pruneBatchEntries } from '../constants.js';
import { concatBytes, prefixes, tableRange } from '../keys.js';
import { type KvStore, WriteBatch } from '../kv/kv-store.js';
import { BatchArena } from '../store/arena.js';
import { appTables, type StoredTxResult } from './results.js';
import { directStoredTxResultSize, writeStoredTxResult } from './tx-result-bytes.js';

const id = (hash: Uint8Array): string => Buffer.from(hash).toString('hex');

/**
 * Puts a block's transaction results into `batch`, indexed by tx hash. A hash can be included again
 * (a proposer may re-include a committed transaction; it then fails on its nonce), so a result
 * never replaces a success (code 0) with a failure: the index keeps a transaction's first success,
 * or else its latest failure.
 */
export async function indexTxResults(
  kv: KvStore,
  batch: WriteBatch,
  hashes: readonly Uint8Array[],
  results: readonly StoredTxResult[],
): Promise<void> {
  // The usual block, all successes: nothing to weigh against an earlier result. Keys and values
  // are cut from shared chunks (see `BatchArena`): the batch copies them out as it is written.
  if (results.every((stored) => stored.result.code === 0)) {
    const arena = new BatchArena();
    for (const stored of results) {
      const hash = hashes[stored.index] as Uint8Array;
      const key = arena.take(1 + hash.length);
      key[0] = prefixes.txResult;
      key.set(hash, 1);
      const size = directStoredTxResultSize(stored);
      let value: Uint8Array;
      if (size < 0) value = appTables.txResult.encode(stored);
      else {
        value = arena.take(size);
        writeStoredTxResult(value, stored);
      }
      batch.put(key, value);
    }
    return;
  }
  const written = new Map<string, StoredTxResult>();
  for (const stored of results) {
    const hash = hashes[stored.index] as Uint8Array;
    const key = id(hash);
    if (stored.result.code !== 0) {
      const prior = written.get(key) ?? (await appTables.txResult.get(kv, hash));
      if (prior?.result.code === 0) continue;
    }
    written.set(key, stored);
    appTables.txResult.put(batch, hash, stored);
  }
}

/**
 * Deletes the block results below `retainHeight` and the tx results they wrote — a tx result only
 * if it is still the one of that height (a later inclusion may have replaced it) — in bounded
 * batches, then compacts the key ranges it emptied.
 */
export async function pruneResults(kv: KvStore, retainHeight: number): Promise<void> {
  const { gte } = tableRange(prefixes.blockResults);
  const end = appTables.blockResults.key(retainHeight);
  let lowest: Uint8Array | undefined;
  let highest: Uint8Array | undefined;
  let first: Uint8Array | undefined;
  for (;;) {
    const batch = new WriteBatch();
    for await (const [key, value] of kv.entries({ gte, lt: end, limit: pruneBatchEntries })) {
      first ??= key;
      const results = appTables.blockResults.decode(value);
      for (const hash of results.txHashes) {
        if ((await appTables.txResult.get(kv, hash))?.height !== results.height) continue;
        appTables.txResult.del(batch, hash);
        const txKey = appTables.txResult.key(hash);
        if (lowest === undefined || Buffer.compare(txKey, lowest) < 0) lowest = txKey;
        if (highest === undefined || Buffer.compare(txKey, highest) > 0) highest = txKey;
      }
      batch.del(key);
    }
    if (batch.length === 0) break;
    await kv.write(batch.ops, { sync: true });
  }
  if (first !== undefined) await kv.compactRange(first, end);
  if (lowest !== undefined && highest !== undefined)
    await kv.compactRange(lowest, concatBytes(highest, new Uint8Array([0])));
}
