import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SeededRng } from '@joule/consensus/sim';

/**
 * Torn writes: what a power cut in the middle of a write leaves at the end of an append-only log.
 * Only the last record is touched — the one being written when the power went — because the bytes
 * of earlier records were on the disk already (both logs fsync before a write is acknowledged).
 * `cut` ends the file inside that record, `garble` overwrites its tail with noise (a sector half
 * written), `zero` with zeros (a file extended before its data reached the disk).
 */
export type TearKind = 'cut' | 'garble' | 'zero';
export const tearKinds: readonly TearKind[] = ['cut', 'garble', 'zero'];

export interface Tear {
  readonly file: string;
  readonly kind: TearKind;
  /** Where the last record starts and the file's size before the tear. */
  readonly recordOffset: number;
  readonly sizeBefore: number;
  /** Bytes cut off, or overwritten. */
  readonly bytes: number;
}

/** Joule's WAL frames: u32 BE length, u32 BE CRC, u8 type, payload. Offset of the last whole frame. */
export function lastWalFrame(data: Uint8Array): { offset: number; end: number } | null {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  let last: { offset: number; end: number } | null = null;
  while (offset + 9 <= data.length) {
    const end = offset + 9 + view.getUint32(offset);
    if (end > data.length) break;
    last = { offset, end };
    offset = end;
  }
  return last;
}

/** LevelDB's log: 32 KiB blocks of records, each a 7-byte header (CRC, u16 LE length, type). */
const levelBlockBytes = 32_768;
const levelHeaderBytes = 7;

/** Offset of the last whole physical record of a LevelDB log (a fragment of a write batch). */
export function lastLevelRecord(data: Uint8Array): { offset: number; end: number } | null {
  let offset = 0;
  let last: { offset: number; end: number } | null = null;
  while (offset < data.length) {
    const leftInBlock = levelBlockBytes - (offset % levelBlockBytes);
    if (leftInBlock < levelHeaderBytes) {
      offset += leftInBlock;
      continue;
    }
    if (offset + levelHeaderBytes > data.length) break;
    const length = (data[offset + 4] as number) | ((data[offset + 5] as number) << 8);
    const type = data[offset + 6] as number;
    if (type === 0 && length === 0) break;
    const end = offset + levelHeaderBytes + length;
    if (end > data.length) break;
    last = { offset, end };
    offset = end;
  }
  return last;
}

/**
 * Tears the last record of `file` in place (`find` locates it); null when the file has no whole
 * record to tear (an empty log just after a start).
 */
export async function tearFile(
  file: string,
  find: (data: Uint8Array) => { offset: number; end: number } | null,
  kind: TearKind,
  rng: SeededRng,
): Promise<Tear | null> {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    if (size === 0) return null;
    const data = new Uint8Array(size);
    await handle.read(data, 0, size, 0);
    const record = find(data);
    if (record === null || record.end - record.offset < 2) return null;
    // Keep at least one byte of the record: a cut exactly at its start is a clean end, not a tear.
    const keep = record.offset + rng.int(1, record.end - record.offset - 1);
    if (kind === 'cut') {
      await handle.truncate(keep);
      return { file, kind, recordOffset: record.offset, sizeBefore: size, bytes: size - keep };
    }
    const noise = kind === 'zero' ? new Uint8Array(size - keep) : rng.bytes(size - keep);
    await handle.write(noise, 0, noise.length, keep);
    return { file, kind, recordOffset: record.offset, sizeBefore: size, bytes: noise.length };
  } finally {
    await handle.close();
  }
}

/** The newest segment of a home's consensus WAL (`data/wal/wal-NNNNNN.log`), or null. */
export async function newestWalSegment(home: string): Promise<string | null> {
  const dir = join(home, 'data', 'wal');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^wal-\d{6,}\.log$/.test(n));
  names.sort((a, b) => Number(a.slice(4, -4)) - Number(b.slice(4, -4)));
  const last = names.at(-1);
  return last === undefined ? null : join(dir, last);
}

/** The newest LevelDB log of a home (`data/db/NNNNNN.log`, the highest number), or null. */
export async function newestLevelLog(home: string): Promise<string | null> {
  const dir = join(home, 'data', 'db');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^\d+\.log$/.test(n));
  names.sort((a, b) => Number(a.slice(0, -4)) - Number(b.slice(0, -4)));
  const last = names.at(-1);
  if (last === undefined) return null;
  const path = join(dir, last);
  return (await stat(path)).size > 0 ? path : null;
}
