import { latin1 } from '../crypto/native.js';
import { InvalidValueError } from '../errors.js';

export interface BoundedCacheOptions<K, V> {
  /** Most entries held; 0 makes a cache that keeps nothing. */
  readonly maxEntries: number;
  /** Most bytes held, as `sizeOf` counts them (default: no bound on bytes). */
  readonly maxBytes?: number;
  /** The bytes one entry counts for (default 0: only `maxEntries` bounds the cache). */
  readonly sizeOf?: (key: K, value: V) => number;
}

/** What a cache holds and how it served, for metrics. Counters only grow (`clear` keeps them). */
export interface BoundedCacheStats {
  readonly entries: number;
  readonly bytes: number;
  /** `get`/`has` calls that found their key. */
  readonly hits: number;
  /** `get`/`has` calls that did not. */
  readonly misses: number;
  /** Entries dropped to stay within the bounds (not those deleted or replaced by the caller). */
  readonly evictions: number;
}

const none = -1;

/**
 * A map bounded by entries and by bytes that evicts the least recently used entry: O(1) per
 * `get`, `has`, `set` and eviction, with no scan of the entries ever.
 *
 * LRU rather than FIFO because the caches of Joule hold things that are used again while they
 * matter — a validator's key at every height, a transaction hash gossiped back — and LRU keeps
 * them where FIFO would drop them on schedule. Recency lives in a doubly linked list of slot
 * indexes in two `Int32Array`s (no node object per entry), the `Map` only maps a key to its slot,
 * and freed slots are reused, so a full cache allocates nothing per insert but the map entry.
 * (Evicting by `map.keys().next()` instead costs a walk over the holes that deletes leave at
 * the front of a `Map`: O(size) per insert once the cache is full.)
 *
 * Keys should be compact: a string of raw bytes (`bytesKey`) is half the size of its hex.
 */
export class BoundedCache<K, V> {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #sizeOf: ((key: K, value: V) => number) | undefined;
  readonly #slots = new Map<K, number>();
  #keys: (K | undefined)[] = [];
  #values: (V | undefined)[] = [];
  #sizes: number[] = [];
  #prev = new Int32Array(0);
  #next = new Int32Array(0);
  /** Most recently used slot. */
  #head = none;
  /** Least recently used slot: the next to go. */
  #tail = none;
  /** Freed slots, chained through `#next`. */
  #free = none;
  /** Slots ever handed out (the arrays' used length). */
  #used = 0;
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(options: BoundedCacheOptions<K, V>) {
    const { maxEntries, maxBytes = Number.POSITIVE_INFINITY, sizeOf } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
      throw new InvalidValueError('BoundedCache maxEntries must be a non-negative integer', {
        got: String(maxEntries),
      });
    }
    if (!(maxBytes >= 0)) {
      throw new InvalidValueError('BoundedCache maxBytes must be non-negative', { got: String(maxBytes) });
    }
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
    this.#sizeOf = sizeOf;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Bytes held, as `sizeOf` counts them. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The value of `key`, which becomes the most recently used entry. */
  get(key: K): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) {
      this.#misses += 1;
      return undefined;
    }
    this.#hits += 1;
    this.#touch(slot);
    return this.#values[slot];
  }

  /** Whether `key` is held; does not change its recency (only `get` and `set` do). */
  has(key: K): boolean {
    const found = this.#slots.has(key);
    if (found) this.#hits += 1;
    else this.#misses += 1;
    return found;
  }

  /** The value of `key` without touching its recency or the statistics. */
  peek(key: K): V | undefined {
    const slot = this.#slots.get(key);
    return slot === undefined ? undefined : this.#values[slot];
  }

  /**
   * Sets `key` as the most recently used entry, then evicts least recently used ones until the
   * cache is within its bounds. An entry larger than `maxBytes` on its own is not kept (and
   * returns `false`), nor is any entry when `maxEntries` is 0.
   */
  set(key: K, value: V): boolean {
    const size = this.#sizeOf === undefined ? 0 : this.#sizeOf(key, value);
    if (!(size >= 0 && size !== Number.POSITIVE_INFINITY)) {
      throw new InvalidValueError('BoundedCache sizeOf must return a finite non-negative number', {
        got: String(size),
      });
    }
    const existing = this.#slots.get(key);
    if (existing !== undefined) {
      if (size > this.#maxBytes) {
        this.#remove(key, existing);
        return false;
      }
      this.#bytes += size - (this.#sizes[existing] as number);
      this.#values[existing] = value;
      this.#sizes[existing] = size;
      this.#touch(existing);
    } else {
      if (this.#maxEntries === 0 || size > this.#maxBytes) return false;
      if (this.#slots.size === this.#maxEntries) this.#evictOne();
      const slot = this.#allocate();
      this.#keys[slot] = key;
      this.#values[slot] = value;
      this.#sizes[slot] = size;
      this.#slots.set(key, slot);
      this.#bytes += size;
      this.#linkFront(slot);
    }
    while (this.#bytes > this.#maxBytes) this.#evictOne();
    return true;
  }

  /** Removes `key`; returns whether it was held. */
  delete(key: K): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) return false;
    this.#remove(key, slot);
    return true;
  }

  /** Removes every entry and returns the memory of the slots; the statistics' counters stay. */
  clear(): void {
    this.#slots.clear();
    this.#keys = [];
    this.#values = [];
    this.#sizes = [];
    this.#prev = new Int32Array(0);
    this.#next = new Int32Array(0);
    this.#head = none;
    this.#tail = none;
    this.#free = none;
    this.#used = 0;
    this.#bytes = 0;
  }

  /** The keys from the least to the most recently used (for tests and inspection: O(size)). */
  *keys(): IterableIterator<K> {
    for (let slot = this.#tail; slot !== none; slot = this.#prev[slot] as number) yield this.#keys[slot] as K;
  }

  stats(): BoundedCacheStats {
    return {
      entries: this.#slots.size,
      bytes: this.#bytes,
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
    };
  }

  #evictOne(): void {
    const slot = this.#tail;
    this.#evictions += 1;
    this.#remove(this.#keys[slot] as K, slot);
  }

  #remove(key: K, slot: number): void {
    this.#slots.delete(key);
    this.#unlink(slot);
    this.#bytes -= this.#sizes[slot] as number;
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#next[slot] = this.#free;
    this.#free = slot;
  }

  /** A free slot: a freed one, else the next unused one (growing the arrays by doubling). */
  #allocate(): number {
    if (this.#free !== none) {
      const slot = this.#free;
      this.#free = this.#next[slot] as number;
      return slot;
    }
    if (this.#used === this.#next.length) {
      const capacity = Math.min(this.#maxEntries, Math.max(16, this.#used * 2));
      const prev = new Int32Array(capacity);
      const next = new Int32Array(capacity);
      prev.set(this.#prev);
      next.set(this.#next);
      this.#prev = prev;
      this.#next = next;
    }
    const slot = this.#used;
    this.#used += 1;
    return slot;
  }

  #touch(slot: number): void {
    if (slot === this.#head) return;
    this.#unlink(slot);
    this.#linkFront(slot);
  }

  #linkFront(slot: number): void {
    this.#prev[slot] = none;
    this.#next[slot] = this.#head;
    if (this.#head !== none) this.#prev[this.#head] = slot;
    this.#head = slot;
    if (this.#tail === none) this.#tail = slot;
  }

  #unlink(slot: number): void {
    const prev = this.#prev[slot] as number;
    const next = this.#next[slot] as number;
    if (prev === none) this.#head = next;
    else this.#next[prev] = next;
    if (next === none) this.#tail = prev;
    else this.#prev[next] = prev;
  }
}

/**
 * A compact `Map` key for raw bytes: one character per byte (code points 0–255), so a 32-byte
 * hash is a 32-character one-byte string — half its hex, and nothing to encode. Lossless: two
 * byte strings give the same key only if they are equal. Made by `latin1` (a short key in
 * JavaScript, a long one in one native call; no argument list of the bytes).
 */
export function bytesKey(bytes: Uint8Array): string {
  return latin1(bytes);
}
