import { open } from 'node:fs/promises';
import { WalCorruptError } from './errors.js';
import { RecordType } from './frame.js';
import { SegmentReader } from './segment-reader.js';
import { segmentPath } from './segments.js';

/**
 * The data records after the last marker of `height`, up to the next marker of another height or
 * the end of the log. Segments are searched newest first, since the height being replayed is
 * almost always the current one, and the search reads each segment once; the records of a height
 * may continue into later segments, so collection carries on across them.
 */
export async function replaySegments(
  dir: string,
  segments: readonly number[],
  height: number,
): Promise<Uint8Array[]> {
  for (let i = segments.length - 1; i >= 0; i--) {
    const found = await scanSegment(dir, segments[i] as number, height, false);
    if (!found.markerSeen) continue;
    const records = found.records;
    if (!found.stopped) {
      for (const later of segments.slice(i + 1)) {
        const more = await scanSegment(dir, later, height, true);
        records.push(...more.records);
        if (more.stopped) break;
      }
    }
    return records;
  }
  return [];
}

interface ScanResult {
  /** Whether a marker of the height was seen in this segment. */
  readonly markerSeen: boolean;
  /** The records after the last such marker (or, when continuing, from the start of the segment). */
  readonly records: Uint8Array[];
  /** Whether collection stopped at a marker of another height. */
  readonly stopped: boolean;
}

async function scanSegment(
  dir: string,
  index: number,
  height: number,
  continuing: boolean,
): Promise<ScanResult> {
  const file = segmentPath(dir, index);
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const reader = new SegmentReader(handle, size);
    let markerSeen = false;
    let collecting = continuing;
    let records: Uint8Array[] = [];
    for (;;) {
      const entry = await reader.next();
      if (entry.kind === 'end') return { markerSeen, records, stopped: !collecting };
      if (entry.kind === 'bad') {
        throw new WalCorruptError(
          `WAL segment ${file} is corrupt at offset ${entry.offset} (${entry.reason})`,
          {
            file,
            offset: entry.offset,
            reason: entry.reason,
          },
        );
      }
      if (entry.type === RecordType.Data) {
        if (collecting) records.push(entry.payload.slice());
      } else if (entry.height === height && !continuing) {
        markerSeen = true;
        collecting = true;
        records = [];
      } else if (collecting) {
        if (continuing) return { markerSeen, records, stopped: true };
        collecting = false;
      }
    }
  } finally {
    await handle.close();
  }
}
