import { BoundedCache, type BoundedCacheStats, bytesKey } from '@joule/consensus';

/**
 * A bounded set of recently seen hashes, least recently added evicted first: the gossip layers'
 * de-duplication. Hashes are kept as one-character-per-byte strings (32 characters for a SHA-256,
 * half its hex), in a `BoundedCache` that evicts in O(1).
 */
export class BoundedSeenSet {
  readonly #keys: BoundedCache<string, true>;

  constructor(capacity: number) {
    this.#keys = new BoundedCache({ maxEntries: capacity });
  }

  has(hash: Uint8Array): boolean {
    return this.#keys.has(bytesKey(hash));
  }

  /** Adds `hash`; returns `false` if it was already there (a duplicate). */
  add(hash: Uint8Array): boolean {
    const key = bytesKey(hash);
    if (this.#keys.has(key)) return false;
    this.#keys.set(key, true);
    return true;
  }

  delete(hash: Uint8Array): void {
    this.#keys.delete(bytesKey(hash));
  }

  get size(): number {
    return this.#keys.size;
  }

  /** What the set holds and how it served (for metrics). */
  stats(): BoundedCacheStats {
    return this.#keys.stats();
  }
}
