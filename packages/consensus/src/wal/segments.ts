import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Segment files are named `wal-000001.log`, `wal-000002.log`, … (six digits at least, more when
 * the count outgrows them). The numbers of the retained segments are contiguous: old ones are
 * deleted from the front, new ones added at the back, so a gap means a file went missing.
 */
const segmentPattern = /^wal-(\d{6,})\.log$/;

/** The file name of segment `index` (1-based). */
export function segmentName(index: number): string {
  return `wal-${String(index).padStart(6, '0')}.log`;
}

/** The path of segment `index` in `dir`. */
export function segmentPath(dir: string, index: number): string {
  return join(dir, segmentName(index));
}

/** The indexes of the segment files in `dir`, ascending. Other files are left alone. */
export async function listSegments(dir: string): Promise<number[]> {
  const indexes: number[] = [];
  for (const name of await readdir(dir)) {
    const match = segmentPattern.exec(name);
    if (match === null) continue;
    const index = Number(match[1]);
    // Only the canonical spelling counts: `wal-0000001.log` is not segment 1.
    if (Number.isSafeInteger(index) && index >= 1 && segmentName(index) === name) indexes.push(index);
  }
  return indexes.sort((a, b) => a - b);
}
