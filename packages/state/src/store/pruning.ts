import { pruneBatchEntries } from '../constants.js';
import { concatBytes, prefixed, prefixes, u64 } from '../keys.js';
import { type KvStore, WriteBatch } from '../kv/kv-store.js';

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
 * Deletes the root records below `retain` and every tree node stale since a version ≤ `retain` (no
 * version ≥ `retain` reaches it), with their stale records, in batches of `pruneBatchEntries`; then
 * compacts only the key ranges it emptied, so LevelDB gives that disk back without rewriting the
 * live part of the tree tables. `forget` is told each deleted node key. Returns the nodes deleted.
 */
export async function pruneTree(
  kv: KvStore,
  retain: number,
  forget: (nodeKey: Uint8Array) => void,
): Promise<number> {
  const staleStart = new Uint8Array([prefixes.staleNode]);
  const staleEnd = concatBytes(staleStart, u64(retain + 1));
  const rootEnd = prefixed(prefixes.treeRoot, u64(retain));
  const spans = { stale: new Span(), node: new Span(), root: new Span() };
  let deleted = 0;
  for (;;) {
    const batch = new WriteBatch();
    for await (const [key] of kv.entries({ gte: staleStart, lt: staleEnd, limit: pruneBatchEntries })) {
      const node = prefixed(prefixes.treeNode, key.subarray(9));
      batch.del(key);
      batch.del(node);
      spans.stale.add(key);
      spans.node.add(node);
      forget(key.subarray(9));
      deleted++;
    }
    const rootStart = prefixed(prefixes.treeRoot, u64(0));
    for await (const [key] of kv.entries({ gte: rootStart, lt: rootEnd, limit: pruneBatchEntries })) {
      batch.del(key);
      spans.root.add(key);
    }
    if (batch.length === 0) break;
    await kv.write(batch.ops, { sync: true });
  }
  for (const span of [spans.node, spans.stale, spans.root]) await span.compact(kv);
  return deleted;
}
