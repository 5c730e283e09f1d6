import type { KvOp } from '../kv/kv-store.js';

/**
 * Writes staged by one store to be flushed in another's atomic batch. The chain store stages
 * `saveBlock` here and the application's `commit()` writes it with the state of the same height, in
 * one synced LevelDB batch (the contract of consensus's `ChainStore`).
 */
export class PendingWrites {
  private ops: KvOp[] = [];
  private readonly flushed: (() => void)[] = [];

  stage(ops: readonly KvOp[], onFlushed?: () => void): void {
    for (const op of ops) this.ops.push(op);
    if (onFlushed !== undefined) this.flushed.push(onFlushed);
  }

  /** The staged writes, emptied; call `flushed()` once they are durable. */
  take(): KvOp[] {
    const ops = this.ops;
    this.ops = [];
    return ops;
  }

  /** Tells the stagers that their writes are durable. */
  flushedAll(): void {
    for (const callback of this.flushed.splice(0)) callback();
  }

  get size(): number {
    return this.ops.length;
  }
}
