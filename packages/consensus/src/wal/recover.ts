import { open } from 'node:fs/promises';
import { fsyncDirectory } from './durable-fs.js';
import { WalCorruptError } from './errors.js';
import { RecordType } from './frame.js';
import { SegmentReader } from './segment-reader.js';
import { listSegments, segmentName, segmentPath } from './segments.js';

/** Where the newest height marker of the log is. */
export interface MarkerPosition {
  readonly height: number;
  readonly segment: number;
}

/** What `recoverLog` found, and what it repaired. */
export interface Recovery {
  /** Indexes of the segments, ascending and contiguous; the last one is where appends go. */
  readonly segments: number[];
  /** Valid bytes in the last segment (its size after any repair). */
  readonly tailSize: number;
  readonly latestMarker: MarkerPosition | null;
  /** The highest height of any marker in the log (null when there is none). */
  readonly highestMarker: number | null;
  /** The torn tail that was cut off the last segment, if there was one. */
  readonly truncated: TruncatedTail | null;
}

export interface TruncatedTail {
  readonly file: string;
  readonly offset: number;
  /** How many bytes were cut off. */
  readonly bytes: number;
  readonly reason: string;
}

/**
 * Checks every segment of the log in `dir` and repairs what a crash can legitimately leave
 * behind. A crash can only tear the end of the last segment (a rotation fsyncs the old segment
 * before the next one exists), so a bad frame there is cut off (ftruncate + fsync) and the log
 * carries on from the last good record. A bad frame anywhere else, or a segment missing from the
 * sequence, is real damage and throws `WalCorruptError` naming the file and offset. An empty
 * directory gets its first segment.
 */
export async function recoverLog(dir: string): Promise<Recovery> {
  const segments = await listSegments(dir);
  if (segments.length === 0) {
    const handle = await open(segmentPath(dir, 1), 'wx', 0o600);
    await handle.close();
    await fsyncDirectory(dir);
    return { segments: [1], tailSize: 0, latestMarker: null, highestMarker: null, truncated: null };
  }
  checkContiguous(dir, segments);
  let latestMarker: MarkerPosition | null = null;
  let highestMarker: number | null = null;
  let tailSize = 0;
  let truncated: TruncatedTail | null = null;
  for (const [i, index] of segments.entries()) {
    const isLast = i === segments.length - 1;
    const file = segmentPath(dir, index);
    const handle = await open(file, isLast ? 'r+' : 'r');
    try {
      const { size } = await handle.stat();
      const reader = new SegmentReader(handle, size);
      for (;;) {
        const entry = await reader.next();
        if (entry.kind === 'record') {
          if (entry.type === RecordType.Height) {
            latestMarker = { height: entry.height, segment: index };
            if (highestMarker === null || entry.height > highestMarker) highestMarker = entry.height;
          }
          continue;
        }
        if (entry.kind === 'end') {
          tailSize = size;
          break;
        }
        if (!isLast) {
          throw new WalCorruptError(
            `WAL segment ${file} is corrupt at offset ${entry.offset} (${entry.reason}); only the last ` +
              'segment may have a torn tail. Move this segment and all older ones away if the node is past their heights.',
            { file, offset: entry.offset, reason: entry.reason },
          );
        }
        await handle.truncate(entry.offset);
        await handle.sync();
        truncated = { file, offset: entry.offset, bytes: size - entry.offset, reason: entry.reason };
        tailSize = entry.offset;
        break;
      }
    } finally {
      await handle.close();
    }
  }
  return { segments, tailSize, latestMarker, highestMarker, truncated };
}

function checkContiguous(dir: string, segments: readonly number[]): void {
  for (let i = 1; i < segments.length; i++) {
    const expected = (segments[i - 1] as number) + 1;
    if (segments[i] !== expected) {
      const file = segmentPath(dir, expected);
      throw new WalCorruptError(`WAL segment ${segmentName(expected)} is missing from ${dir}`, {
        file,
        offset: 0,
        reason: 'missing segment',
      });
    }
  }
}
