import { closeSync, openSync, rmSync } from 'node:fs';
import { type FileHandle, open, rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidValueError, JouleError } from '../errors.js';
import {
  datasyncFile,
  fsyncDirectory,
  fsyncFile,
  hasErrnoCode,
  makeDirectory,
  writeFullySync,
} from '../wal/durable-fs.js';
import { SignerStateCorruptError, SignerStoreIoError } from './errors.js';
import { maxSignerStateFileBytes, signerStateFileBytes } from './limits.js';
import { decodeSignerStateFile, encodeSignerStateFile } from './signer-state-codec.js';
import type { SignerState, SignerStore } from './signer-store.js';

export interface FileSignerStoreOptions {
  /** The state file; its directory is created (mode 0700) if missing. */
  readonly path: string;
}

/** Bytes of a copy's length prefix (big-endian). */
const lengthBytes = 4;
/** Where each copy starts: the first is always written (and made durable) first. */
const copyOffsets = [0, maxSignerStateFileBytes] as const;

/**
 * The double-sign guard's state in one small file (mode 0600) that holds it twice: two copies of
 * `maxSignerStateFileBytes`, each the state record after its 4-byte length. A save overwrites the
 * first copy and fdatasyncs it, then the second and fdatasyncs it, and only then resolves: the
 * file's size and name never change, so each save is two data writes and two data flushes, where
 * replacing the file (a temp file, its fsync, a rename and the directory's fsync, each a journal
 * commit on ext4) cost twice the disk work and four more file-system calls, two or three times a
 * height.
 *
 * A power cut during a save leaves at least one whole copy: the first is torn and the second holds
 * the previous state, or the first holds the new state; `load` takes the first copy if it verifies,
 * else the second. Either is safe: the save had not resolved, so no signature based on the new
 * state left the process. A copy damaged later (a flipped bit) is recovered from the other, which
 * holds the same state once a save resolved; while the copies differ (one damaged, or a save cut
 * between them) the next save replaces the file whole (as below) rather than overwrite the copy
 * that holds the state loaded. `load` never resets: a file where neither copy
 * decodes and passes its checksum, or of another size, is a `SignerStateCorruptError`.
 *
 * The file is created (and a file of the first format, one record alone, is replaced) atomically:
 * written as `<path>.tmp`, fsynced, renamed over `<path>`, the directory fsynced. A leftover temp
 * file is ignored (its save never resolved) and replaced.
 */
export class FileSignerStore implements SignerStore {
  private readonly path: string;
  private readonly tempPath: string;
  private tail: Promise<unknown> = Promise.resolve();
  private directoryReady = false;
  /** `path` is known to hold two copies (this store loaded or wrote them), so saves overwrite it in place. */
  private inPlace = false;

  constructor(options: FileSignerStoreOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new InvalidValueError('FileSignerStore needs a file path', { got: String(options.path) });
    }
    this.path = resolve(options.path);
    this.tempPath = `${this.path}.tmp`;
  }

  load(): Promise<SignerState | null> {
    return this.serialize(async () => {
      try {
        return await this.read();
      } catch (error) {
        throw ioError(error, 'load', this.path);
      }
    });
  }

  save(state: SignerState): Promise<void> {
    return this.serialize(async () => {
      const record = encodeSignerStateFile(state); // refuses an invalid state before touching the disk
      try {
        if (this.inPlace) await this.overwrite(copyOf(record));
        else await this.replace(copyOf(record));
      } catch (error) {
        throw ioError(error, 'save', this.path);
      }
    });
  }

  private async read(): Promise<SignerState | null> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (hasErrnoCode(error, 'ENOENT')) return null;
      throw error;
    }
    let bytes: Uint8Array;
    try {
      const { size } = await handle.stat();
      if (size > signerStateFileBytes || (size > maxSignerStateFileBytes && size < signerStateFileBytes)) {
        throw new SignerStateCorruptError(
          `signer state ${this.path} is ${size} bytes: neither ${signerStateFileBytes} (two copies) nor at most ${maxSignerStateFileBytes} (one record)`,
          { source: this.path, reason: 'size' },
        );
      }
      const data = await handle.readFile();
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
    } finally {
      await handle.close();
    }
    // The first format: one record, replaced whole by the next save.
    if (bytes.length <= maxSignerStateFileBytes) return decodeSignerStateFile(bytes, this.path);
    let firstError: unknown;
    for (const offset of copyOffsets) {
      try {
        const state = decodeCopy(bytes.subarray(offset, offset + maxSignerStateFileBytes), this.path, offset);
        // Overwritten in place only while both copies hold the same state: after a save torn in
        // its second copy, or cut before it, the next save replaces the file (both copies at once,
        // atomically) — a power cut while it overwrote the first copy would leave none, or only
        // the second copy's older state, below the one loaded (whose signature may leave again).
        this.inPlace = firstError === undefined && sameCopies(bytes);
        return state;
      } catch (error) {
        if (!(error instanceof SignerStateCorruptError)) throw error;
        firstError ??= error;
      }
    }
    throw firstError;
  }

  /** Writes both copies over the file's, each made durable before the next. */
  private async overwrite(copy: Uint8Array): Promise<void> {
    // Open, write and close are blocking calls of microseconds; the flushes wait for the disk on
    // the thread pool (see durable-fs.ts).
    const fd = openSync(this.path, 'r+');
    try {
      for (const offset of copyOffsets) {
        writeFullySync(fd, copy, offset);
        await datasyncFile(fd);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Replaces the file (missing, or of the first format) with one holding two copies, atomically. */
  private async replace(copy: Uint8Array): Promise<void> {
    const dir = dirname(this.path);
    if (!this.directoryReady) {
      await makeDirectory(dir);
      this.directoryReady = true;
    }
    const fd = this.createTemp();
    try {
      for (const offset of copyOffsets) writeFullySync(fd, copy, offset);
      await fsyncFile(fd);
    } finally {
      closeSync(fd);
    }
    await rename(this.tempPath, this.path);
    await fsyncDirectory(dir);
    this.inPlace = true;
  }

  /** A new, empty temp file (mode 0600): one left by a crash may have any mode, so it is removed, not reused. */
  private createTemp(): number {
    try {
      return openSync(this.tempPath, 'wx', 0o600);
    } catch (error) {
      if (!hasErrnoCode(error, 'EEXIST')) throw error;
    }
    rmSync(this.tempPath, { force: true });
    return openSync(this.tempPath, 'wx', 0o600);
  }

  /** Loads and saves run one at a time, so a load never sees a save half done in this process. */
  private serialize<T>(run: () => Promise<T>): Promise<T> {
    const result = this.tail.then(run);
    this.tail = result.catch(() => {});
    return result;
  }
}

/** Whether the file's two copies are the same bytes (the first one verified, so both do). */
function sameCopies(bytes: Uint8Array): boolean {
  const [first, second] = copyOffsets;
  for (let i = 0; i < maxSignerStateFileBytes; i++) {
    if (bytes[first + i] !== bytes[second + i]) return false;
  }
  return true;
}

/** One copy: the record's length (big-endian), the record, zeros up to `maxSignerStateFileBytes`. */
function copyOf(record: Uint8Array): Uint8Array {
  if (record.length > maxSignerStateFileBytes - lengthBytes) {
    throw new InvalidValueError('signer state record too large for its copy', { got: String(record.length) });
  }
  const copy = new Uint8Array(maxSignerStateFileBytes);
  new DataView(copy.buffer).setUint32(0, record.length);
  copy.set(record, lengthBytes);
  return copy;
}

/** The state in one copy, or a `SignerStateCorruptError` naming the copy's offset. */
function decodeCopy(copy: Uint8Array, path: string, offset: number): SignerState {
  const length = new DataView(copy.buffer, copy.byteOffset, copy.length).getUint32(0);
  if (length === 0 || length > copy.length - lengthBytes) {
    throw new SignerStateCorruptError(`signer state ${path}: the copy at ${offset} has no valid length`, {
      source: path,
      reason: 'length',
      offset,
    });
  }
  return decodeSignerStateFile(copy.subarray(lengthBytes, lengthBytes + length), `${path}@${offset}`);
}

function ioError(cause: unknown, operation: string, path: string): JouleError {
  if (cause instanceof JouleError) return cause;
  const errno = (cause as { code?: unknown } | null)?.code;
  return new SignerStoreIoError(
    `signer state ${operation} failed on ${path}: ${String(cause)}`,
    { operation, path, errno: typeof errno === 'string' ? errno : undefined },
    cause,
  );
}
