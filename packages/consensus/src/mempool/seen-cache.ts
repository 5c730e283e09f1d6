/**
 * A bounded LRU set of transaction hashes (hex keys), as CometBFT's mempool cache: it stops the
 * same transaction from being checked again and again when peers gossip it back, and keeps
 * recently committed transactions out. A `Map` iterates in insertion order, so re-inserting a key
 * on each touch makes the first key the least recently used one: O(1) per operation.
 *
 * The cache is an optimisation, not the guard against replays: once a hash is evicted, the
 * application's `checkTx` (nonces) must refuse a committed transaction.
 */
export class SeenCache {
  readonly #capacity: number;
  readonly #keys = new Map<string, true>();

  /** `capacity` 0 disables the cache (every `push` is forgotten at once). */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Whether `key` is cached. Does not refresh its recency: only what the node sees again does. */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Adds `key` (or refreshes it) as the most recent entry, evicting the least recent if full. */
  push(key: string): void {
    if (this.#capacity === 0) return;
    this.#keys.delete(key);
    this.#keys.set(key, true);
    if (this.#keys.size > this.#capacity) {
      const oldest = this.#keys.keys().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
  }

  remove(key: string): void {
    this.#keys.delete(key);
  }

  clear(): void {
    this.#keys.clear();
  }

  get size(): number {
    return this.#keys.size;
  }
}
