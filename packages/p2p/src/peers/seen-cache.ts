/**
 * A bounded set of recently seen keys (hex hashes), least recently added evicted first. A `Map`
 * iterates in insertion order, so the first key is the oldest: O(1) per operation.
 */
export class BoundedSeenSet {
  readonly #capacity: number;
  readonly #keys = new Map<string, true>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Adds `key`; returns `false` if it was already there (a duplicate). */
  add(key: string): boolean {
    if (this.#keys.has(key)) return false;
    this.#keys.set(key, true);
    if (this.#keys.size > this.#capacity) {
      const oldest = this.#keys.keys().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
    return true;
  }

  delete(key: string): void {
    this.#keys.delete(key);
  }

  get size(): number {
    return this.#keys.size;
  }
}
