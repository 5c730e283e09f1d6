/**
 * A bounded cache with two generations: new entries go to the young map; when it is full, the old
 * map is dropped and the young one becomes old. A hit in the old map moves the entry back to the
 * young one. Every operation is O(1) and the cache holds at most `maxEntries` — without the
 * `Map.keys().next()` eviction of a classic LRU, which V8 makes slow after many deletes.
 */
export class LruCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly generation: number;

  constructor(maxEntries: number) {
    this.generation = Math.max(0, Math.floor(maxEntries / 2));
  }

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: string, value: V): void {
    if (this.generation === 0) return;
    if (!this.young.has(key) && this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  delete(key: string): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
