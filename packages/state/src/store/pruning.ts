import { pruneBatchEntries } from '../constants.js';
import { StoreCorruptionError } from '../errors.js';
import { concatBytes, prefixed, prefixes, u64 } from '../keys.js';
import { type KvStore, WriteBatch } from '../kv/kv-store.js';
import { nodeKeyBytes, valueKeyBytes, writeNodeKey, writeValueKey } from './node.js';

/** A key range `[start, end)` grown to cover every key added. */
class Span {
  start: Uint8Array | undefined;
  last: Uint8Array | undefined;

  add(key: Uint8Array): void {
    if (this.start === undefined || Buffer.compare(key, this.start) < 0) this.start = key;
    if (this.last === undefined || Buffer.compare(key, this.last) > 0) this.last = key;
  }

  async compact(kv: KvStore): Promise<void> {
    if (this.start === undefined || this.last === undefined) return;
    await kv.compactRange(this.start, concatBytes(this.last, new Uint8Array([0])));
  }
}

/**
 * A version's stale list, written as the tree update finds the records it replaces: each key is
 * laid out in place in one growing buffer, with no array per key.
 */
export class StaleList {
  private bytes = new Uint8Array(4096);
  private at = 0;
  /** Keys listed. */
  count = 0;

  /** Lists the node at (`version`, `depth`, the first `depth` nibbles of `path`). */
  node(version: number, depth: number, path: Uint8Array): void {
    const length = nodeKeyBytes(depth);
    this.reserve(1 + length);
    this.bytes[this.at] = length;
    this.at = writeNodeKey(this.bytes, this.at + 1, version, depth, path);
    this.count++;
  }

  /** Lists the value record (`version`, `keyHash`). */
  value(version: number, keyHash: Uint8Array): void {
    this.reserve(1 + valueKeyBytes);
    this.bytes[this.at] = valueKeyBytes;
    this.at = writeValueKey(this.bytes, this.at + 1, version, keyHash);
    this.count++;
  }

  /** The list's encoding: the keys in the order listed, each after a length byte. */
  encoded(): Uint8Array {
    return this.bytes.subarray(0, this.at);
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.at + bytes));
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
  }
}

/** Decodes a version's stale list: full database keys, each after a length byte. */
export function decodeStaleList(bytes: Uint8Array): Uint8Array[] {
  const keys: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const length = bytes[at] as number;
    if (length === 0 || at + 1 + length > bytes.length) throw new StoreCorruptionError('bad stale list');
    keys.push(bytes.subarray(at + 1, at + 1 + length));
    at += 1 + length;
  }
  return keys;
}

/**
 * Deletes the root records below `retain` and every tree node and value record stale since a
 * version ≤ `retain` (no version ≥ `retain` reaches it), with their stale lists, in batches of about
 * `pruneBatchEntries` keys (a version's list is never split); then compacts only the key ranges it
 * emptied, so LevelDB gives that disk back without rewriting the live part of the tree tables.
 * `forget` is told each deleted node's database key. Returns the records deleted.
 */
export async function pruneTree(
  kv: KvStore,
  retain: number,
  forget: (nodeKey: Uint8Array) => void,
): Promise<number> {
  const staleStart = new Uint8Array([prefixes.staleRecords]);
  const staleEnd = prefixed(prefixes.staleRecords, u64(retain + 1));
  const rootStart = prefixed(prefixes.treeRoot, u64(0));
  const rootEnd = prefixed(prefixes.treeRoot, u64(retain));
  const spans = { stale: new Span(), node: new Span(), value: new Span(), root: new Span() };
  let deleted = 0;
  for (;;) {
    const batch = new WriteBatch();
    for await (const [key, list] of kv.entries({ gte: staleStart, lt: staleEnd, limit: pruneBatchEntries })) {
      batch.del(key);
      spans.stale.add(key);
      for (const stale of decodeStaleList(list)) {
        batch.del(stale);
        if (stale[0] === prefixes.treeNode) {
          spans.node.add(stale);
          forget(stale);
        } else spans.value.add(stale);
        deleted++;
      }
      if (batch.length >= pruneBatchEntries) break;
    }
    for await (const [key] of kv.entries({ gte: rootStart, lt: rootEnd, limit: pruneBatchEntries })) {
      batch.del(key);
      spans.root.add(key);
    }
    if (batch.length === 0) break;
    await kv.write(batch.ops, { sync: true });
  }
  for (const span of [spans.node, spans.value, spans.stale, spans.root]) await span.compact(kv);
  return deleted;
}
