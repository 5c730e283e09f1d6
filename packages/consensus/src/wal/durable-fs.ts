import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WalError } from './errors.js';

/**
 * The small file-system steps that make a write durable on Linux. A new file, a rename or an
 * unlink is only durable once its directory is fsynced: without it a power cut can leave the
 * data on disk and the name pointing nowhere (or at the old file).
 */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes all of `data` at `position`, looping over short writes (which a full disk can cause). */
export async function writeFully(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    if (bytesWritten === 0)
      throw new WalError('WAL_IO', `short write at offset ${position + done}`, { offset: position + done });
    done += bytesWritten;
  }
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
