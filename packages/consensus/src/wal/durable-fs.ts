import { closeSync, fdatasync, fsync, openSync, writeSync } from 'node:fs';
import { type FileHandle, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { WalError } from './errors.js';
import { maxBlockingWriteBytes } from './limits.js';

const fsyncFd = promisify(fsync);
const fdatasyncFd = promisify(fdatasync);

/*
 * The small file-system steps that make a write durable on Linux. A new file, a rename or an
 * unlink is only durable once its directory is fsynced: without it a power cut can leave the
 * data on disk and the name pointing nowhere (or at the old file).
 *
 * Only the fsyncs, which wait for the disk, go to libuv's thread pool. Opening or closing a file
 * and a write of at most `maxBlockingWriteBytes` into the page cache take microseconds, and are
 * blocking calls on the calling thread: a thread-pool round trip (a wake-up of a worker, a
 * completion event back) cost more CPU than the call itself, and a consensus height made a dozen.
 */

/** Fsyncs the directory `dir`, so the names created, renamed or unlinked in it survive a power cut. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}

/** Fsyncs the open file `fd` (on the thread pool). */
export function fsyncFile(fd: number): Promise<void> {
  return fsyncFd(fd);
}

/**
 * Fdatasyncs the open file `fd` (on the thread pool): its data, and its metadata only where reading
 * the data needs it (the size). For bytes overwritten in place that is the data alone.
 */
export function datasyncFile(fd: number): Promise<void> {
  return fdatasyncFd(fd);
}

/**
 * Writes all of `data` at `position`, looping over short writes (which a full disk can cause): a
 * blocking call up to `maxBlockingWriteBytes`, a thread-pool write above.
 */
export async function writeFully(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  if (data.length <= maxBlockingWriteBytes) return writeFullySync(handle.fd, data, position);
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    if (bytesWritten === 0) throw shortWrite(position + done);
    done += bytesWritten;
  }
}

/** `writeFully` on a file descriptor, as blocking calls. */
export function writeFullySync(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) {
    const bytesWritten = writeSync(fd, data, done, data.length - done, position + done);
    if (bytesWritten === 0) throw shortWrite(position + done);
    done += bytesWritten;
  }
}

function shortWrite(offset: number): WalError {
  return new WalError('WAL_IO', `short write at offset ${offset}`, { offset });
}

/** True when `error` is a `node:fs` error with errno code `code` (such as 'ENOENT'). */
export function hasErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * Creates `dir` and any missing parents (mode 0700), fsyncing each new directory's parent so the
 * path survives a power cut.
 */
export async function makeDirectory(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (first === undefined) return;
  for (let created = dir; ; created = dirname(created)) {
    await fsyncDirectory(dirname(created));
    if (created === first || dirname(created) === created) break;
  }
}

/** The bytes of `parts`, one after another, in one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
