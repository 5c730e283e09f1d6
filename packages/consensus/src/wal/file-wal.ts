import { type FileHandle, open, unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidValueError, type JouleError } from '../errors.js';
import type { Startable } from '../startable.js';
import { assertHeight, assertRecord, rejectUnless } from './assert.js';
import { fsyncDirectory, makeDirectory, writeFully } from './durable-fs.js';
import { WalError, walIoError } from './errors.js';
import { encodeFrame, encodeHeightFrame, RecordType } from './frame.js';
import { defaultWalMaxSegmentBytes, defaultWalMaxSegments, maxWalQueuedBytes } from './limits.js';
import { type MarkerPosition, type Recovery, recoverLog, type TruncatedTail } from './recover.js';
import { replaySegments } from './replay.js';
import { segmentPath } from './segments.js';
import type { Wal } from './wal.js';
import { WriteQueue } from './write-queue.js';

export interface FileWalOptions {
  /** Directory of the segments; created (mode 0700) if missing. */
  readonly dir: string;
  /** `startHeight` rotates once the current segment holds this many bytes (default 8 MiB). */
  readonly maxSegmentBytes?: number;
  /** Segments kept; older ones are deleted at rotation (default 4, at least 1). */
  readonly maxSegments?: number;
}

/**
 * The consensus WAL on disk: numbered segment files of CRC-framed records (see `frame.ts`).
 *
 * Every operation goes through one `WriteQueue`, so records reach the file in the order of the
 * calls even when unsynced appends are fired and forgotten, and appends that pile up share one
 * write and one fsync. Unsynced records sit in the OS page cache: they survive a crash of the process, not a power
 * cut; a height marker, likewise, is durable once a synced append follows it.
 *
 * Failure model: a failed write or fsync leaves the file in an unknown state, so the log fails for
 * good (every later call rejects with the same `WAL_IO` error) and the node must restart, which
 * cuts the torn tail off on open.
 */
export class FileWal implements Wal, Startable {
  /** What opening found and repaired: the torn tail cut off the last segment, if any. */
  readonly recovered: { readonly truncated: TruncatedTail | null };

  private readonly queue = new WriteQueue((data, sync) => this.writeData(data, sync));
  private handle: FileHandle | null;
  private size: number;
  private dirty = false;
  private failure: JouleError | null = null;
  private closing: Promise<void> | null = null;
  private latestMarker: MarkerPosition | null;
  /**
   * No marker in the log is above this height (null: no marker at all). It may overstate once
   * retention deleted the segment that held it, which only costs a scan, never a record.
   */
  private highestMarker: number | null;
  private readonly segments: number[];

  private constructor(
    private readonly dir: string,
    private readonly maxSegmentBytes: number,
    private readonly maxSegments: number,
    recovery: Recovery,
    handle: FileHandle,
  ) {
    this.segments = [...recovery.segments];
    this.size = recovery.tailSize;
    this.latestMarker = recovery.latestMarker;
    this.highestMarker = recovery.highestMarker;
    this.recovered = { truncated: recovery.truncated };
    this.handle = handle;
  }

  /**
   * Opens (or creates) the log in `options.dir`, cutting a torn tail off the last segment.
   * Throws `WalCorruptError` for damage elsewhere and `WAL_IO` when the file system fails.
   */
  static async open(options: FileWalOptions): Promise<FileWal> {
    const maxSegmentBytes = positiveInteger(
      options.maxSegmentBytes,
      defaultWalMaxSegmentBytes,
      'maxSegmentBytes',
    );
    const maxSegments = positiveInteger(options.maxSegments, defaultWalMaxSegments, 'maxSegments');
    if (typeof options.dir !== 'string' || options.dir === '') {
      throw new InvalidValueError('FileWal needs a directory', { got: String(options.dir) });
    }
    const dir = resolve(options.dir);
    try {
      await makeDirectory(dir);
      const recovery = await recoverLog(dir);
      const last = recovery.segments[recovery.segments.length - 1] as number;
      const handle = await open(segmentPath(dir, last), 'r+');
      const wal = new FileWal(dir, maxSegmentBytes, maxSegments, recovery, handle);
      try {
        await wal.enqueue(() => wal.enforceRetention());
      } catch (error) {
        await wal.close().catch(() => {});
        throw error;
      }
      return wal;
    } catch (error) {
      throw walIoError(error, 'open', dir);
    }
  }

  append(record: Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
    const refused = rejectUnless(() => assertRecord(record)) ?? this.refusal();
    const done = refused ?? this.queue.write(encodeFrame(RecordType.Data, record), options.sync === true);
    if (refused === undefined && this.queue.pendingBytes > maxWalQueuedBytes) {
      const message = `more than ${maxWalQueuedBytes} bytes of appends wait for the disk`;
      this.fail(new WalError('WAL_OVERLOADED', message, { limit: maxWalQueuedBytes }));
    }
    // Callers may fire and forget unsynced appends: never let their failure become an unhandled
    // rejection. The failure is not lost: the log is failed, and the next awaited call reports it.
    done.catch(() => {});
    return done;
  }

  /**
   * Writes the marker of `height`. It is not fsynced by itself (but for the first marker of a new
   * segment): the next synced append — the `signing` record before any signature at this height —
   * makes it durable, with the records before it. A power cut that loses it loses nothing signed at
   * the height: replay finds no marker and the height starts afresh, which is what it was.
   */
  startHeight(height: number): Promise<void> {
    return rejectUnless(() => assertHeight(height)) ?? this.enqueue(() => this.writeMarker(height));
  }

  /**
   * A height above every marker has no records: the driver asks this at every new height, so it
   * is answered without reading the log (reading it cost time that grew with the log's size).
   */
  replay(height: number): Promise<Uint8Array[]> {
    return (
      rejectUnless(() => assertHeight(height)) ??
      this.enqueue(async () => {
        if (this.highestMarker === null || height > this.highestMarker) return [];
        try {
          return await replaySegments(this.dir, this.segments, height);
        } catch (error) {
          // A failed read says nothing about what was written: report it, but do not fail the log.
          throw walIoError(error, 'replay', this.dir);
        }
      })
    );
  }

  /**
   * `Startable`: the log is open from `FileWal.open` on, so this only checks that it is still
   * open (a closed log rejects with `WAL_CLOSED`: open a new one, which repairs the tail).
   */
  start(): Promise<void> {
    if (this.closing === null) return Promise.resolve();
    return Promise.reject(new WalError('WAL_CLOSED', `the WAL in ${this.dir} is closed`));
  }

  /** `Startable`: `close`. */
  stop(): Promise<void> {
    return this.close();
  }

  /** Syncs what was appended and closes the file. Idempotent; later calls reject with `WAL_CLOSED`. */
  close(): Promise<void> {
    if (this.closing === null) {
      const closing = this.enqueue(async () => {
        const handle = this.handle;
        this.handle = null;
        if (handle === null) return;
        try {
          if (this.dirty && this.failure === null) await handle.sync();
        } finally {
          await handle.close();
        }
      }, true);
      this.closing = closing.catch(() => {});
      return closing;
    }
    return this.closing;
  }

  private async writeMarker(height: number): Promise<void> {
    try {
      const handle = this.currentHandle();
      if (this.latestMarker?.height === height) {
        // Re-entering the height (after a restart): keep the records since the first marker.
        if (this.dirty) await handle.sync();
        this.dirty = false;
        return;
      }
      const rotate = this.size >= this.maxSegmentBytes;
      const target = rotate ? await this.rotate() : handle;
      const frame = encodeHeightFrame(height);
      await writeFully(target, frame, this.size);
      this.size += frame.length;
      // A new segment's first marker is fsynced before retention deletes the oldest; otherwise the
      // marker waits for the next synced record (see `startHeight`).
      if (rotate) {
        await target.sync();
        this.dirty = false;
      } else this.dirty = true;
      this.latestMarker = { height, segment: this.segments[this.segments.length - 1] as number };
      if (this.highestMarker === null || height > this.highestMarker) this.highestMarker = height;
      if (rotate) await this.enforceRetention();
    } catch (error) {
      throw this.fail(walIoError(error, 'startHeight', this.dir));
    }
  }

  /** Makes the current segment durable, then starts the next one (and makes its name durable). */
  private async rotate(): Promise<FileHandle> {
    const old = this.currentHandle();
    if (this.dirty) await old.sync();
    this.dirty = false;
    this.handle = null;
    await old.close();
    const next = (this.segments[this.segments.length - 1] as number) + 1;
    this.handle = await open(segmentPath(this.dir, next), 'wx+', 0o600);
    this.segments.push(next);
    this.size = 0;
    await fsyncDirectory(this.dir);
    return this.handle;
  }

  /** Deletes the oldest segments beyond `maxSegments`, never the one with the latest marker. */
  private async enforceRetention(): Promise<void> {
    let deleted = false;
    while (this.segments.length > this.maxSegments) {
      const oldest = this.segments[0] as number;
      if (this.latestMarker !== null && oldest >= this.latestMarker.segment) break;
      await unlink(segmentPath(this.dir, oldest));
      this.segments.shift();
      deleted = true;
    }
    if (deleted) await fsyncDirectory(this.dir);
  }

  private async writeData(data: Uint8Array, sync: boolean): Promise<void> {
    if (this.failure !== null) throw this.failure;
    try {
      const handle = this.currentHandle();
      await writeFully(handle, data, this.size);
      this.size += data.length;
      this.dirty = true;
      if (sync) {
        await handle.sync();
        this.dirty = false;
      }
    } catch (error) {
      throw this.fail(walIoError(error, 'append', this.dir));
    }
  }

  /** Runs `run` in its place in the queue, unless the log is closed or failed. */
  private enqueue<T>(run: () => Promise<T>, closing = false): Promise<T> {
    const refused = closing ? undefined : this.refusal();
    if (refused !== undefined) return refused;
    return this.queue.run(async () => {
      if (!closing && this.failure !== null) throw this.failure;
      return run();
    });
  }

  private refusal(): Promise<never> | undefined {
    if (this.closing !== null)
      return Promise.reject(new WalError('WAL_CLOSED', `the WAL in ${this.dir} is closed`));
    if (this.failure !== null) return Promise.reject(this.failure);
    return undefined;
  }

  private fail(error: JouleError): JouleError {
    this.failure ??= error;
    return this.failure;
  }

  private currentHandle(): FileHandle {
    if (this.handle === null) throw new WalError('WAL_CLOSED', `the WAL in ${this.dir} has no open segment`);
    return this.handle;
  }
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidValueError(`FileWal option ${name} must be a positive integer`, { got: String(value) });
  }
  return value;
}
