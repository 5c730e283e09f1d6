import { open, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidValueError, JouleError } from '../errors.js';
import { fsyncDirectory, hasErrnoCode, makeDirectory, writeFully } from '../wal/durable-fs.js';
import { SignerStateCorruptError, SignerStoreIoError } from './errors.js';
import { maxSignerStateFileBytes } from './limits.js';
import { decodeSignerStateFile, encodeSignerStateFile } from './signer-state-codec.js';
import type { SignerState, SignerStore } from './signer-store.js';

export interface FileSignerStoreOptions {
  /** The state file; its directory is created (mode 0700) if missing. */
  readonly path: string;
}

/**
 * The double-sign guard's state in one small file, replaced atomically: the new state is written
 * to `<path>.tmp` (mode 0600), fsynced, renamed over `<path>`, and the directory is fsynced, and
 * only then does `save` resolve. A power cut at any point leaves either the old state or the new
 * one, never a mix; a leftover temp file is ignored (its `save` never resolved, so no signature
 * based on it left the process) and replaced by the next save.
 *
 * `load` never resets: a missing file is "nothing signed yet", but a file that does not decode or
 * fails its checksum is a `SignerStateCorruptError`.
 */
export class FileSignerStore implements SignerStore {
  private readonly path: string;
  private readonly tempPath: string;
  private tail: Promise<unknown> = Promise.resolve();
  private directoryReady = false;

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
      const bytes = encodeSignerStateFile(state); // refuses an invalid state before touching the disk
      try {
        await this.write(bytes);
      } catch (error) {
        throw ioError(error, 'save', this.path);
      }
    });
  }

  private async read(): Promise<SignerState | null> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (hasErrnoCode(error, 'ENOENT')) return null;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size > maxSignerStateFileBytes) {
        throw new SignerStateCorruptError(
          `signer state ${this.path} is ${size} bytes, more than maxSignerStateFileBytes (${maxSignerStateFileBytes})`,
          { source: this.path, reason: 'size' },
        );
      }
      const bytes = await handle.readFile();
      return decodeSignerStateFile(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), this.path);
    } finally {
      await handle.close();
    }
  }

  private async write(bytes: Uint8Array): Promise<void> {
    const dir = dirname(this.path);
    if (!this.directoryReady) {
      await makeDirectory(dir);
      this.directoryReady = true;
    }
    // A temp file left by a crash may have any mode: start afresh so the new one is created 0600.
    await rm(this.tempPath, { force: true });
    const handle = await open(this.tempPath, 'wx', 0o600);
    try {
      await writeFully(handle, bytes, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.tempPath, this.path);
    await fsyncDirectory(dir);
  }

  /** Loads and saves run one at a time, so a load never sees a save half done in this process. */
  private serialize<T>(run: () => Promise<T>): Promise<T> {
    const result = this.tail.then(run);
    this.tail = result.catch(() => {});
    return result;
  }
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
