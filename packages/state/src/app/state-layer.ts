import { maxBlockWrites, maxIterateEntries } from '../constants.js';
import { StoreLimitError } from '../errors.js';
import { bytesId, prefixEnd } from '../keys.js';

/** Read access to application state: the committed store, or a layer of pending writes over it. */
export interface StateReader {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * The value of `key` when the reader knows it without I/O (`null`: known absent), else
   * `undefined`; `id` is `bytesId(key)`. Optional: a reader without it is always read with `get`.
   */
  cached?(key: Uint8Array, id: string): Uint8Array | null | undefined;
  /** Entries whose key starts with `prefix` (and is greater than `after`, when given), in key order, at most `limit`. */
  entries(prefix: Uint8Array, limit: number, after?: Uint8Array): Promise<[Uint8Array, Uint8Array][]>;
}

/**
 * Pending writes over a parent reader: the block's writes over the committed state, a transaction's
 * over the block's. `flushInto` keeps them (a transaction succeeded), dropping the layer discards
 * them (it failed) — which is how a failing message reverts the whole transaction. A layer holds at
 * most `maxKeys` distinct keys; callers check `fits` before a flush so that the bound fails a
 * transaction, never the block.
 */
export class StateLayer implements StateReader {
  private readonly writes = new Map<string, PendingWrite>();

  constructor(
    private readonly parent: StateReader,
    readonly maxKeys: number = maxBlockWrites,
  ) {}

  /**
   * The nearest layer's pending write of `key`, else the store's value: what `cached` knows (the
   * layers walked in one call, the key's id made once: a transaction's read crosses 3–4 layers on
   * a hot path), and only for the rest a read of the store.
   */
  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const known = this.cached(key);
    if (known !== undefined) return Promise.resolve(known ?? undefined);
    // Only the store below can tell: no layer holds the key.
    let reader: StateReader = this;
    while (reader instanceof StateLayer) reader = reader.parent;
    return reader.get(key);
  }

  /**
   * `key`'s value when known without I/O — the nearest layer's pending write, else what the store
   * below holds in memory (`null`: deleted or known absent) — or `undefined` when only `get` can
   * tell. Synchronous: a read that hits costs no promise of its own.
   */
  cached(key: Uint8Array, id: string = bytesId(key)): Uint8Array | null | undefined {
    let reader: StateReader = this;
    while (reader instanceof StateLayer) {
      const pending = reader.writes.get(id);
      if (pending !== undefined) return pending.value;
      reader = reader.parent;
    }
    return reader.cached?.(key, id);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.record(key, value);
  }

  /** As `set`, keeping `key` and `value` as they are: for arrays the caller made for this write alone. */
  setOwned(key: Uint8Array, value: Uint8Array): void {
    this.put(bytesId(key), key, value, false);
  }

  delete(key: Uint8Array): void {
    this.record(key, null);
  }

  async entries(prefix: Uint8Array, limit: number, after?: Uint8Array): Promise<[Uint8Array, Uint8Array][]> {
    // Nothing pending (a hook's or a query's reads): the parent's page as it is, without a merge.
    if (this.writes.size === 0) return this.parent.entries(prefix, Math.min(limit, maxIterateEntries), after);
    const end = prefixEnd(prefix);
    const mine = [...this.writes.values()].filter(
      (w) =>
        Buffer.compare(w.key, prefix) >= 0 &&
        Buffer.compare(w.key, end) < 0 &&
        (after === undefined || Buffer.compare(w.key, after) > 0),
    );
    const asked = Math.min(limit, maxIterateEntries) + mine.length;
    const below = await this.parent.entries(prefix, asked, after);
    if (mine.length === 0) return below.length > limit ? below.slice(0, limit) : below;
    const merged = new Map<string, [Uint8Array, Uint8Array | null]>();
    for (const [key, value] of below) merged.set(bytesId(key), [key, value]);
    for (const w of mine) merged.set(bytesId(w.key), [w.key, w.value]);
    // When the parent was cut short, nothing past its last key is known to be complete.
    const last = below.length === asked ? below[below.length - 1]?.[0] : undefined;
    const out: [Uint8Array, Uint8Array][] = [];
    for (const [key, value] of [...merged.values()].sort((a, b) => Buffer.compare(a[0], b[0]))) {
      if (last !== undefined && Buffer.compare(key, last) > 0) break;
      if (value !== null) out.push([key, value]);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Whether `target` can take this layer's writes within its `maxKeys`. */
  fitsInto(target: StateLayer): boolean {
    let added = 0;
    for (const k of this.writes.keys()) if (!target.writes.has(k)) added++;
    return target.writes.size + added <= target.maxKeys;
  }

  /**
   * Moves this layer's writes into `target` (in the order they were made); check `fitsInto` first.
   * The key and value arrays move as they are: this layer's own, copied by `record` or handed over
   * by `setOwned`.
   */
  flushInto(target: StateLayer): void {
    for (const [k, w] of this.writes) target.put(k, w.key, w.value, false);
    this.writes.clear();
  }

  /** The pending writes: key → value, or `null` for a delete. */
  changes(): [Uint8Array, Uint8Array | null][] {
    return [...this.writes.values()].map((w) => [w.key, w.value]);
  }

  get size(): number {
    return this.writes.size;
  }

  private record(key: Uint8Array, value: Uint8Array | null): void {
    this.put(bytesId(key), key, value === null ? null : value.slice(), true);
  }

  /**
   * Writes `value` under `key` (id `k`), within `maxKeys`. A key written before keeps the record
   * and key array it has and takes the new value: a measure rewrites its group and its slot's
   * totals once per message, and the first key array, which has lived long enough to be promoted
   * to V8's old space, stays the one held, so the new one dies young. `copyKey`: the key is the
   * caller's (copied if kept), not one made for this write alone.
   */
  private put(k: string, key: Uint8Array, value: Uint8Array | null, copyKey: boolean): void {
    const pending = this.writes.get(k);
    if (pending !== undefined) {
      pending.value = value;
      return;
    }
    if (this.writes.size >= this.maxKeys) {
      throw new StoreLimitError(`more than ${this.maxKeys} keys written in one block`, {
        maxKeys: this.maxKeys,
      });
    }
    this.writes.set(k, new PendingWrite(copyKey ? key.slice() : key, value));
  }
}

/**
 * A pending write: a key and its value (`null` for a delete). A class, not an object literal: V8
 * tracks where each literal is allocated and, when most of one site's objects are alive at a
 * scavenge (a block's or the checks' writes are), allocates that site's next objects straight in
 * its old space. A layer's records live a transaction or a block; once one is dead in old space
 * (until the next full collection), every key and value it pointed to survives the young
 * generation's scavenges as if alive and is promoted: each transaction's nonce, balance and slot
 * writes were, ~2 KiB. An instance of a class is allocated young.
 */
class PendingWrite {
  constructor(
    readonly key: Uint8Array,
    public value: Uint8Array | null,
  ) {}
}
