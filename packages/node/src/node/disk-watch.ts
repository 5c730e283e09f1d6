import { type DiskFullError, diskFullOf } from '@joule/consensus';
import type { KvOp, KvRange, KvStore, WriteOptions } from '@joule/state';

/**
 * The node's state database, watched for a full disk: a write that fails with `ENOSPC` (LevelDB
 * says "No space left on device") is reported to `onFull` before it is thrown as it was. Block sync
 * writes through this store outside the consensus driver, so without the watch a node whose disk
 * filled during a sync would retry forever with its in-memory state ahead of its block store.
 */
export class DiskWatchKvStore implements KvStore {
  constructor(
    private readonly inner: KvStore,
    private readonly onFull: (error: DiskFullError) => void,
  ) {}

  start(): Promise<void> {
    return this.#watch(this.inner.start());
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.inner.get(key);
  }
  getBlocking(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.inner.getBlocking(key);
  }
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.inner.getMany(keys);
  }
  write(ops: readonly KvOp[], options: WriteOptions): Promise<void> {
    return this.#watch(this.inner.write(ops, options));
  }
  entries(range: KvRange): AsyncIterable<readonly [Uint8Array, Uint8Array]> {
    return this.inner.entries(range);
  }
  compactRange(start: Uint8Array, end: Uint8Array): Promise<void> {
    return this.#watch(this.inner.compactRange(start, end));
  }
  approximateSize(start: Uint8Array, end: Uint8Array): Promise<number> {
    return this.inner.approximateSize(start, end);
  }

  async #watch<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      const full = diskFullOf(error);
      if (full !== null) this.onFull(full);
      throw error;
    }
  }
}
