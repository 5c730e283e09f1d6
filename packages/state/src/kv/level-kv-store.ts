import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import {
  defaultCacheBytes,
  defaultMaxOpenFiles,
  defaultWriteBufferBytes,
  maxSyncReadsPerTurn,
} from '../constants.js';
import { StoreStateError } from '../errors.js';
import type { KvOp, KvRange, KvStore, WriteOptions } from './kv-store.js';

/** The part of abstract-level both engines share that this store uses. */
interface Level {
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  batch(): LevelBatch;
  iterator(options: {
    gte: Uint8Array;
    lt: Uint8Array;
    reverse: boolean;
    limit: number;
  }): AsyncIterable<[Uint8Array, Uint8Array]> & { close(): Promise<void> };
}
/** abstract-level's chained batch: operations handed to the engine one call each, written at once. */
interface LevelBatch {
  put(key: Uint8Array, value: Uint8Array): void;
  del(key: Uint8Array): void;
  write(options: { sync: boolean }): Promise<void>;
  close(): Promise<void>;
}
const viewEncoding = { keyEncoding: 'view', valueEncoding: 'view' } as const;

/** The shared part of the two abstract-level stores. */
abstract class LevelKvStore implements KvStore {
  protected abstract readonly db: Level;
  private started = false;

  async start(): Promise<void> {
    if (this.started) return;
    await this.db.open();
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.db.close();
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.assertOpen();
    const value = await this.db.get(key);
    return value === undefined ? undefined : plain(value);
  }

  getBlocking(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.get(key);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.assertOpen();
    if (keys.length === 0) return [];
    const values = await this.db.getMany(keys as Uint8Array[]);
    return values.map((v) => (v === undefined ? undefined : plain(v)));
  }

  async write(ops: readonly KvOp[], options: WriteOptions): Promise<void> {
    this.assertOpen();
    if (ops.length === 0) return;
    // A chained batch: classic-level takes each key and value as arguments, where an array batch
    // has its native code look up every operation's fields by name — half the CPU of a version's
    // thousands of operations. It is the same atomic LevelDB write.
    const batch = this.db.batch();
    try {
      for (const op of ops) {
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
    } catch (error) {
      await batch.close();
      throw error;
    }
    await batch.write({ sync: options.sync });
  }

  async *entries(range: KvRange): AsyncIterable<readonly [Uint8Array, Uint8Array]> {
    this.assertOpen();
    const iterator = this.db.iterator({
      gte: range.gte,
      lt: range.lt,
      reverse: range.reverse ?? false,
      limit: range.limit ?? -1,
    });
    try {
      for await (const [key, value] of iterator) yield [plain(key), plain(value)] as const;
    } finally {
      await iterator.close();
    }
  }

  abstract compactRange(start: Uint8Array, end: Uint8Array): Promise<void>;
  abstract approximateSize(start: Uint8Array, end: Uint8Array): Promise<number>;

  protected assertOpen(): void {
    if (!this.started) throw new StoreStateError('the key-value store is not started');
  }
}

/** Options of the LevelDB store; sizes in bytes. Defaults suit a 1 GB board. */
export interface ClassicKvOptions {
  /** Directory of the database. */
  readonly location: string;
  /** Block cache, bytes (default `defaultCacheBytes`, 2 MiB). */
  readonly cacheBytes?: number;
  /** Memtable size, bytes (default `defaultWriteBufferBytes`, 1 MiB). */
  readonly writeBufferBytes?: number;
  /** Most open table files (default `defaultMaxOpenFiles`, 128). */
  readonly maxOpenFiles?: number;
}

/** LevelDB through classic-level: keys and values are `Uint8Array`s, Snappy compression on. */
export class ClassicKvStore extends LevelKvStore {
  private readonly level: ClassicLevel<Uint8Array, Uint8Array>;
  protected readonly db: Level;

  constructor(options: ClassicKvOptions) {
    super();
    this.level = new ClassicLevel<Uint8Array, Uint8Array>(options.location, {
      ...viewEncoding,
      cacheSize: options.cacheBytes ?? defaultCacheBytes,
      writeBufferSize: options.writeBufferBytes ?? defaultWriteBufferBytes,
      maxOpenFiles: options.maxOpenFiles ?? defaultMaxOpenFiles,
      createIfMissing: true,
    });
    this.db = this.level as unknown as Level;
  }

  /**
   * A blocking read (`getSync`: ~5 µs from LevelDB's block cache or the page cache, against ~38 µs
   * of CPU for a thread-pool round trip), for the store's small records only: once
   * `maxSyncReadsPerTurn` reads have been answered in one turn of the event loop, every further
   * read waits for a later turn, so a long chain of reads (a block's execution, a mempool
   * re-check) or many concurrent ones still let votes, proposals and sockets in between. Blocks,
   * commits and other large records are read with `get`, off the thread.
   */
  override async getBlocking(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.assertOpen();
    while (this.readsThisTurn >= maxSyncReadsPerTurn) {
      await nextTurn();
      this.assertOpen(); // stopped while this read waited for its turn
    }
    if (this.readsThisTurn++ === 0) setImmediate(this.endTurn);
    const value = this.level.getSync(key);
    return value === undefined ? undefined : plain(value);
  }

  private readsThisTurn = 0;
  private readonly endTurn = (): void => {
    this.readsThisTurn = 0;
  };

  async compactRange(start: Uint8Array, end: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.level.compactRange(start, end);
  }

  async approximateSize(start: Uint8Array, end: Uint8Array): Promise<number> {
    this.assertOpen();
    return this.level.approximateSize(start, end);
  }
}

/** memory-level, for unit tests and the simulator: same semantics, nothing on disk. */
export class MemoryKvStore extends LevelKvStore {
  protected readonly db = new MemoryLevel<Uint8Array, Uint8Array>({
    ...viewEncoding,
    storeEncoding: 'view',
  }) as unknown as Level;

  async compactRange(_start: Uint8Array, _end: Uint8Array): Promise<void> {
    this.assertOpen();
  }

  async approximateSize(_start: Uint8Array, _end: Uint8Array): Promise<number> {
    this.assertOpen();
    return 0;
  }
}

/** Resolves in the check phase of the event loop, after pending I/O has been polled. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** classic-level hands back Buffers: callers get plain `Uint8Array` views, so values compare equal. */
function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
