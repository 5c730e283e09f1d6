import { nodeCacheTopDepths, nodeCacheTopShare } from '../constants.js';

/** The bounds of an `LruCache`: entries and bytes, whichever is reached first. */
export interface CacheBounds {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/**
 * A bounded cache with two generations: new entries go to the young map; when it is full (half the
 * entries or half the bytes), the old map is dropped and the young one becomes old. A hit in the old
 * map moves the entry back to the young one. Every operation is O(1) and the cache holds at most
 * `maxEntries` entries and `maxBytes` bytes as `sizeOf` counts them — without the
 * `Map.keys().next()` eviction of a classic LRU, which V8 makes slow after many deletes. An entry
 * larger than half the bytes is not cached, and setting one drops the key's present entry.
 */
export class LruCache<V, K extends string | number = string> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private youngBytes = 0;
  private oldBytes = 0;
  private readonly generationEntries: number;
  private readonly generationBytes: number;

  constructor(
    bounds: CacheBounds,
    private readonly sizeOf: (value: V) => number,
  ) {
    this.generationEntries = Math.max(0, Math.floor(bounds.maxEntries / 2));
    this.generationBytes = Math.max(0, Math.floor(bounds.maxBytes / 2));
  }

  get(key: K): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: K, value: V): void {
    const size = this.sizeOf(value);
    if (this.generationEntries === 0 || size > this.generationBytes) {
      // Not cached: nor is what the key held before.
      this.delete(key);
      return;
    }
    const prior = this.young.get(key);
    if (prior !== undefined) {
      // Replaced in place (one map operation) when the young generation still has room for it.
      const bytes = this.youngBytes - this.sizeOf(prior) + size;
      if (bytes <= this.generationBytes) {
        this.young.set(key, value);
        this.youngBytes = bytes;
        return;
      }
    }
    this.delete(key);
    if (this.young.size >= this.generationEntries || this.youngBytes + size > this.generationBytes) {
      this.old = this.young;
      this.oldBytes = this.youngBytes;
      this.young = new Map();
      this.youngBytes = 0;
    }
    this.young.set(key, value);
    this.youngBytes += size;
  }

  delete(key: K): void {
    const young = this.young.get(key);
    if (young !== undefined) {
      this.young.delete(key);
      this.youngBytes -= this.sizeOf(young);
    }
    const old = this.old.get(key);
    if (old !== undefined) {
      this.old.delete(key);
      this.oldBytes -= this.sizeOf(old);
    }
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** Bytes held, as `sizeOf` counts them. */
  get bytes(): number {
    return this.youngBytes + this.oldBytes;
  }
}

/** A cached tree node's cost in bytes, as the cache counts it. */
export interface Sized {
  readonly bytes: number;
}

/**
 * The tree's node cache, by place (`NodePlace`). The top `nodeCacheTopDepths` levels (places below
 * `topPlaces`: 4 369 nodes, which every write passes through) live in an array indexed by place,
 * never evicted by deeper nodes, up to `nodeCacheTopShare` of the entries and of the bytes; deeper
 * nodes, and top ones beyond that share, live in a two-generation `LruCache` with the rest. With one
 * LRU for all, a block's bottom nodes (most of what a block of 1 000 writes reads and writes at
 * 100 000 keys, each touched again about once in 25 blocks) pushed out upper nodes that the next
 * blocks need again: 267 of a block's 1 022 node reads were at depth 3; with the top apart, 725
 * reads, 2 at depth 3. Bounded by `maxEntries` and `maxBytes` in all; the array itself is 4 369
 * slots (~35 KB).
 */
export class NodeCache<V extends Sized> {
  private readonly top: (V | undefined)[] = new Array<V | undefined>(topPlaces).fill(undefined);
  private topCount = 0;
  private topBytes = 0;
  private readonly topMaxEntries: number;
  private readonly topMaxBytes: number;
  private readonly deep: LruCache<V, string | number>;

  constructor(bounds: CacheBounds) {
    this.topMaxEntries = Math.min(topPlaces, Math.floor(bounds.maxEntries * nodeCacheTopShare));
    this.topMaxBytes = Math.floor(bounds.maxBytes * nodeCacheTopShare);
    this.deep = new LruCache(
      { maxEntries: bounds.maxEntries - this.topMaxEntries, maxBytes: bounds.maxBytes - this.topMaxBytes },
      (v) => v.bytes,
    );
  }

  get(place: string | number): V | undefined {
    if (typeof place === 'number' && place < topPlaces) {
      const hit = this.top[place];
      if (hit !== undefined) return hit;
    }
    return this.deep.get(place);
  }

  set(place: string | number, value: V): void {
    if (typeof place === 'number' && place < topPlaces) {
      const prior = this.top[place];
      const count = this.topCount + (prior === undefined ? 1 : 0);
      const bytes = this.topBytes - (prior?.bytes ?? 0) + value.bytes;
      if (count <= this.topMaxEntries && bytes <= this.topMaxBytes) {
        this.top[place] = value;
        this.topCount = count;
        this.topBytes = bytes;
        if (prior === undefined) this.deep.delete(place);
        return;
      }
      this.deleteTop(place);
    }
    this.deep.set(place, value);
  }

  delete(place: string | number): void {
    if (typeof place === 'number' && place < topPlaces) this.deleteTop(place);
    this.deep.delete(place);
  }

  get size(): number {
    return this.topCount + this.deep.size;
  }

  /** Bytes held, as the entries count them. */
  get bytes(): number {
    return this.topBytes + this.deep.bytes;
  }

  private deleteTop(place: number): void {
    const prior = this.top[place];
    if (prior === undefined) return;
    this.top[place] = undefined;
    this.topCount--;
    this.topBytes -= prior.bytes;
  }
}

/** Places of the top `nodeCacheTopDepths` levels in level order: (16^4 − 1) / 15 = 4 369. */
export const topPlaces = (16 ** nodeCacheTopDepths - 1) / 15;
