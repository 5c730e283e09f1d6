/** Keys `lo <= k < hi` (`hi` null: every key from `lo` on). */
interface Gap {
  lo: Uint8Array;
  hi: Uint8Array | null;
  /** When the gap last answered or was added (for eviction, least recently used first). */
  used: number;
}

/**
 * Gaps of the latest state known to hold no key, as `VersionedStore.entries` finds them: a listing
 * that finds no key in its range also sees the first key after it, and everything between its start
 * and that key is a gap. So one listing of an empty table answers every later listing of a part of it
 * (the market's debt sweep lists one of 256 address buckets a block: one LevelDB iterator for the
 * lot instead of one a bucket). Gaps are disjoint and sorted by their start (overlapping or touching
 * ones merge: both are empty, so their union is), at most `maxEntries` of them (the least recently
 * used forgotten first). A written key splits the gap it falls in around itself (binary search), or
 * ends it when the cache is full; a deleted key only makes a gap wider than it knows, never wrong.
 */
export class EmptyRanges {
  readonly #maxEntries: number;
  /** Sorted by `lo`; `gaps[i].hi <= gaps[i + 1].lo`. */
  #gaps: Gap[] = [];
  #clock = 0;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#gaps.length;
  }

  /** Whether no key `start <= k < end` is held (`end` null: none from `start` on). */
  covers(start: Uint8Array, end: Uint8Array | null): boolean {
    const gap = this.#gaps[this.#last(start)];
    if (gap === undefined) return false;
    if (gap.hi !== null && (end === null || Buffer.compare(end, gap.hi) > 0)) return false;
    gap.used = ++this.#clock;
    return true;
  }

  /** Remembers that no key `lo <= k < hi` is held (`hi` null: none from `lo` on); keeps copies. */
  add(lo: Uint8Array, hi: Uint8Array | null): void {
    if (this.#maxEntries < 1 || (hi !== null && Buffer.compare(lo, hi) >= 0)) return;
    const gaps = this.#gaps;
    let from = this.#last(lo);
    // The gap that starts at or before `lo` merges only if it reaches `lo`.
    if (from < 0 || !reaches(gaps[from] as Gap, lo)) from += 1;
    let newLo: Uint8Array = lo.slice();
    let newHi: Uint8Array | null = hi === null ? null : hi.slice();
    let to = from;
    for (; to < gaps.length; to++) {
      const g = gaps[to] as Gap;
      if (newHi !== null && Buffer.compare(g.lo, newHi) > 0) break;
      if (Buffer.compare(g.lo, newLo) < 0) newLo = g.lo;
      if (g.hi === null) newHi = null;
      else if (newHi !== null && Buffer.compare(g.hi, newHi) > 0) newHi = g.hi;
    }
    const added: Gap = { lo: newLo, hi: newHi, used: ++this.#clock };
    gaps.splice(from, to - from, added);
    if (gaps.length > this.#maxEntries) this.#evictExcept(added);
  }

  /** `key` is written: the gap it falls in no longer holds it. */
  fill(key: Uint8Array): void {
    const i = this.#last(key);
    const gap = this.#gaps[i];
    if (gap === undefined || !inside(gap, key)) return;
    const parts: Gap[] = [];
    if (this.#gaps.length < this.#maxEntries) {
      if (Buffer.compare(gap.lo, key) < 0) parts.push({ lo: gap.lo, hi: key.slice(), used: gap.used });
      // The smallest key greater than `key` is `key ‖ 0x00`.
      const next = new Uint8Array(key.length + 1);
      next.set(key);
      if (gap.hi === null || Buffer.compare(next, gap.hi) < 0)
        parts.push({ lo: next, hi: gap.hi, used: gap.used });
    }
    this.#gaps.splice(i, 1, ...parts);
  }

  clear(): void {
    this.#gaps = [];
  }

  /** The index of the last gap that starts at or before `key` (-1: none does). */
  #last(key: Uint8Array): number {
    const gaps = this.#gaps;
    let lo = 0;
    let hi = gaps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare((gaps[mid] as Gap).lo, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  #evictExcept(keep: Gap): void {
    let oldest = -1;
    for (let i = 0; i < this.#gaps.length; i++) {
      const g = this.#gaps[i] as Gap;
      if (g !== keep && (oldest < 0 || g.used < (this.#gaps[oldest] as Gap).used)) oldest = i;
    }
    if (oldest >= 0) this.#gaps.splice(oldest, 1);
  }
}

/** Whether `gap` holds `key`. */
function inside(gap: Gap, key: Uint8Array): boolean {
  return Buffer.compare(gap.lo, key) <= 0 && (gap.hi === null || Buffer.compare(key, gap.hi) < 0);
}

/** Whether `gap` (which starts at or before `key`) reaches `key` or touches it. */
function reaches(gap: Gap, key: Uint8Array): boolean {
  return gap.hi === null || Buffer.compare(gap.hi, key) >= 0;
}
