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
