/** The keys with `prefix` that are greater than `after` (all of them without `after`). */
interface EmptyRange {
  readonly prefix: string;
  readonly after: Uint8Array | undefined;
}

/**
 * Prefix ranges of the latest state known to hold no key, as `VersionedStore.entries` lists them
 * (the keys with a prefix, after a key when given), at most `maxEntries` (the oldest forgotten
 * first). A written key ends every range it falls in: `fill` looks up the key's own prefixes of
 * the lengths the ranges have (a handful), so a block's writes cost a few map look-ups each
 * however many ranges are remembered.
 */
export class EmptyRanges {
  readonly #maxEntries: number;
  /** By id (`rangeId`), oldest first. */
  readonly #ranges = new Map<string, EmptyRange>();
  /** Ids by the range's prefix (Latin-1). */
  readonly #byPrefix = new Map<string, Set<string>>();
  /** How many ranges have a prefix of each length. */
  readonly #lengths = new Map<number, number>();

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#ranges.size;
  }

  has(prefix: Uint8Array, after: Uint8Array | undefined): boolean {
    return this.#ranges.has(rangeId(prefix, after));
  }

  add(prefix: Uint8Array, after: Uint8Array | undefined): void {
    if (this.#maxEntries < 1) return;
    const id = rangeId(prefix, after);
    if (this.#ranges.has(id)) return;
    if (this.#ranges.size >= this.#maxEntries) this.#delete(this.#ranges.keys().next().value as string);
    const key = latin1(prefix, prefix.length);
    this.#ranges.set(id, { prefix: key, after: after?.slice() });
    let ids = this.#byPrefix.get(key);
    if (ids === undefined) {
      ids = new Set();
      this.#byPrefix.set(key, ids);
    }
    ids.add(id);
    this.#lengths.set(prefix.length, (this.#lengths.get(prefix.length) ?? 0) + 1);
  }

  /** Forgets every range `key` falls in: the key is written. */
  fill(key: Uint8Array): void {
    let filled: string[] | undefined;
    for (const length of this.#lengths.keys()) {
      if (length > key.length) continue;
      const ids = this.#byPrefix.get(latin1(key, length));
      if (ids === undefined) continue;
      for (const id of ids) {
        const after = (this.#ranges.get(id) as EmptyRange).after;
        if (after !== undefined && Buffer.compare(key, after) <= 0) continue;
        filled ??= [];
        filled.push(id);
      }
    }
    if (filled !== undefined) for (const id of filled) this.#delete(id);
  }

  clear(): void {
    this.#ranges.clear();
    this.#byPrefix.clear();
    this.#lengths.clear();
  }

  #delete(id: string): void {
    const range = this.#ranges.get(id);
    if (range === undefined) return;
    this.#ranges.delete(id);
    const ids = this.#byPrefix.get(range.prefix) as Set<string>;
    ids.delete(id);
    if (ids.size === 0) this.#byPrefix.delete(range.prefix);
    const length = range.prefix.length;
    const count = (this.#lengths.get(length) as number) - 1;
    if (count === 0) this.#lengths.delete(length);
    else this.#lengths.set(length, count);
  }
}

/** The first `length` bytes of `bytes` as a Latin-1 string (one character a byte). */
function latin1(bytes: Uint8Array, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('latin1');
}

/** A range's id: its prefix's length, the prefix, then `>` and the key it starts after, if any. */
function rangeId(prefix: Uint8Array, after: Uint8Array | undefined): string {
  const head = `${prefix.length}:${latin1(prefix, prefix.length)}`;
  return after === undefined ? head : `${head}>${latin1(after, after.length)}`;
}
