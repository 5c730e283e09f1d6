/**
 * The byte-level key-value store every Joule store sits on. Implementations: `ClassicKvStore`
 * (LevelDB through classic-level, for nodes) and `MemoryKvStore` (memory-level, for unit tests).
 * Keys sort as unsigned bytes. Writes are only ever batches: a batch is atomic, and a synced batch is
 * on disk when the promise resolves.
 */
export interface KvStore {
  /** Opens the database; idempotent. */
  start(): Promise<void>;
  /** Closes the database and releases its file handles; idempotent. */
  stop(): Promise<void>;
  /** A point read, off the calling thread where the engine allows (LevelDB: libuv's thread pool). */
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * A point read of a small record (a state value or a tree node, at most `maxValueBytes`),
   * answered on the calling thread where the engine allows, in turns of the event loop: faster
   * than `get` from a cache, but a read that misses it holds the thread for the disk.
   */
  getBlocking(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Many keys in one read (one call into the engine), the answers in order. */
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** Applies all operations atomically; with `sync`, fsyncs before resolving. */
  write(ops: readonly KvOp[], options: WriteOptions): Promise<void>;
  /** Entries with `gte <= key < lt`, in key order (or reversed), at most `limit` of them. */
  entries(range: KvRange): AsyncIterable<readonly [Uint8Array, Uint8Array]>;
  /** Asks the engine to compact `[start, end)` so that deleted entries give their disk space back. */
  compactRange(start: Uint8Array, end: Uint8Array): Promise<void>;
  /** Approximate bytes on disk used by `[start, end)` (0 for memory stores). */
  approximateSize(start: Uint8Array, end: Uint8Array): Promise<number>;
}

export type KvOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

export interface WriteOptions {
  /** fsync before resolving (every committed height uses `true`). */
  readonly sync: boolean;
}

export interface KvRange {
  readonly gte: Uint8Array;
  readonly lt: Uint8Array;
  readonly reverse?: boolean;
  readonly limit?: number;
}

/**
 * Operations collected for one atomic write. Later operations on the same key win, as in LevelDB.
 */
export class WriteBatch {
  readonly ops: KvOp[] = [];

  put(key: Uint8Array, value: Uint8Array): this {
    this.ops.push({ type: 'put', key, value });
    return this;
  }

  del(key: Uint8Array): this {
    this.ops.push({ type: 'del', key });
    return this;
  }

  append(ops: readonly KvOp[]): this {
    for (const op of ops) this.ops.push(op);
    return this;
  }

  get length(): number {
    return this.ops.length;
  }
}
