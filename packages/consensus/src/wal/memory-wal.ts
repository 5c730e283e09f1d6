import { InvalidValueError } from '../errors.js';
import type { Startable } from '../startable.js';
import { assertHeight, assertRecord } from './assert.js';
import { WalError } from './errors.js';
import { defaultMemoryWalRetainedHeights } from './limits.js';
import type { Wal } from './wal.js';

export interface MemoryWalOptions {
  /** Heights whose records are kept (default 4): older ones are dropped, as rotation drops segments. */
  readonly retainedHeights?: number;
}

/** A height marker (`payload` null) or a data record (`height` 0). */
type Entry =
  | { readonly height: number; readonly payload: null }
  | { readonly height: 0; readonly payload: Uint8Array };

/**
 * The WAL of the in-process simulator, with the durability rules of `FileWal` made explicit: a
 * record appended without `sync`, and a height marker, is pending until the next synced append
 * makes it (and everything before it) durable. `crash()` models a power cut: it returns a new log that
 * holds only the durable records, and retires this one, so a crashed node's late calls cannot
 * leak into its successor.
 */
export class MemoryWal implements Wal, Startable {
  private entries: Entry[] = [];
  private durable = 0;
  private closed = false;
  private readonly retainedHeights: number;

  constructor(options: MemoryWalOptions = {}) {
    const retained = options.retainedHeights ?? defaultMemoryWalRetainedHeights;
    if (!Number.isSafeInteger(retained) || retained < 1) {
      throw new InvalidValueError('MemoryWal option retainedHeights must be a positive integer', {
        got: String(retained),
      });
    }
    this.retainedHeights = retained;
  }

  append(record: Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
    const done = (async () => {
      assertRecord(record);
      this.assertOpen();
      this.entries.push({ height: 0, payload: record.slice() });
      if (options.sync === true) this.durable = this.entries.length;
    })();
    // As with FileWal, a fire-and-forget append must not become an unhandled rejection.
    done.catch(() => {});
    return done;
  }

  async startHeight(height: number): Promise<void> {
    assertHeight(height);
    this.assertOpen();
    if (this.latestMarker() !== height) {
      this.entries.push({ height, payload: null });
      this.dropOldHeights();
    }
  }

  async replay(height: number): Promise<Uint8Array[]> {
    assertHeight(height);
    this.assertOpen();
    let start = -1;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i]?.height === height) {
        start = i;
        break;
      }
    }
    if (start < 0) return [];
    const records: Uint8Array[] = [];
    for (const entry of this.entries.slice(start + 1)) {
      if (entry.payload === null) break;
      records.push(entry.payload.slice());
    }
    return records;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** `Startable`: the log is open from construction; a closed (or crashed) one rejects with `WAL_CLOSED`. */
  async start(): Promise<void> {
    if (this.closed) throw new WalError('WAL_CLOSED', 'the WAL is closed');
  }

  /** `Startable`: `close`. */
  stop(): Promise<void> {
    return this.close();
  }

  /**
   * A power cut: returns the log a restarted node finds (durable records only) and retires this
   * one (its later calls reject with `WAL_CLOSED`).
   */
  crash(): MemoryWal {
    this.closed = true;
    const next = new MemoryWal({ retainedHeights: this.retainedHeights });
    next.entries = this.entries.slice(0, this.durable);
    next.durable = next.entries.length;
    return next;
  }

  /** Records appended without sync and not yet made durable (for the simulator's assertions). */
  pendingCount(): number {
    return this.entries.length - this.durable;
  }

  private latestMarker(): number {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i] as Entry;
      if (entry.payload === null) return entry.height;
    }
    return 0;
  }

  /** Keeps the entries from the `retainedHeights`-th newest marker on. */
  private dropOldHeights(): void {
    let markers = 0;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if ((this.entries[i] as Entry).payload !== null) continue;
      markers += 1;
      if (markers === this.retainedHeights) {
        if (i > 0) {
          this.entries = this.entries.slice(i);
          this.durable = Math.max(0, this.durable - i);
        }
        return;
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new WalError('WAL_CLOSED', 'the MemoryWal is closed (or crashed)');
  }
}
