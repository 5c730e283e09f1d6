import { concat } from './durable-fs.js';
import { walWriteBatchBytes } from './limits.js';

interface QueuedWrite {
  readonly frame: Uint8Array;
  readonly sync: boolean;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}
type QueuedTask = () => Promise<void>;

/**
 * The one queue a `FileWal` runs everything through, so records reach the file in call order even
 * when unsynced appends are fired and forgotten. Writes that pile up behind a write or an fsync
 * leave together: one `flush` of up to `walWriteBatchBytes`, with one fsync if any of them asked
 * for it (group commit: on an eMMC card the fsyncs are what cost). Tasks (markers, replays, close)
 * run alone, in their place in the order.
 */
export class WriteQueue {
  private readonly items: (QueuedWrite | QueuedTask)[] = [];
  private queued = 0;
  private draining = false;

  /** `flush` writes `data` at the end of the log, fsyncing first if `sync`, or throws. */
  constructor(private readonly flush: (data: Uint8Array, sync: boolean) => Promise<void>) {}

  /** Bytes of writes waiting for the disk. */
  get pendingBytes(): number {
    return this.queued;
  }

  /** Queues a frame; resolves once it is written (and fsynced, with `sync`). */
  write(frame: Uint8Array, sync: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.items.push({ frame, sync, resolve, reject });
      this.queued += frame.length;
      this.kick();
    });
  }

  /** Queues a task, which runs after everything queued before it and before anything after. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.items.push(async () => {
        try {
          resolve(await task());
        } catch (error) {
          reject(error);
        }
      });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    while (this.items.length > 0) {
      const head = this.items[0];
      if (typeof head === 'function') {
        this.items.shift();
        await head();
        continue;
      }
      const batch = this.takeBatch();
      try {
        const data = batch.length === 1 ? (batch[0] as QueuedWrite).frame : concat(batch.map((w) => w.frame));
        await this.flush(
          data,
          batch.some((w) => w.sync),
        );
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.draining = false;
  }

  /** The writes at the head of the queue, up to `walWriteBatchBytes` (at least one). */
  private takeBatch(): QueuedWrite[] {
    const batch: QueuedWrite[] = [];
    let bytes = 0;
    for (let next = this.items[0]; next !== undefined && typeof next !== 'function'; next = this.items[0]) {
      if (batch.length > 0 && bytes + next.frame.length > walWriteBatchBytes) break;
      batch.push(next);
      bytes += next.frame.length;
      this.items.shift();
    }
    this.queued -= bytes;
    return batch;
  }
}
