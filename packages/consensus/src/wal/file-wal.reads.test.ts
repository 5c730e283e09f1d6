import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileWal } from './file-wal.js';

/** Counts the segment files opened read-only (what a replay opens), passing every call through. */
const reads = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    open: (...args: Parameters<typeof actual.open>) => {
      if (args[1] === 'r' && /wal-\d+\.log$/.test(String(args[0]))) reads.count += 1;
      return actual.open(...args);
    },
  };
});

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'joule-wal-reads-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const rec = (n: number): Uint8Array => new Uint8Array(200).fill(n & 0xff);

/** Heights 1..count with a few records each, rotating often so that the log has several segments. */
async function fill(wal: FileWal, count: number): Promise<void> {
  for (let h = 1; h <= count; h++) {
    await wal.startHeight(h);
    for (let i = 0; i < 5; i++) await wal.append(rec(h + i));
  }
}

describe('FileWal replay reads', () => {
  it('answers a height above every marker without opening a segment, before and after a reopen', async () => {
    const wal = await FileWal.open({ dir, maxSegmentBytes: 2048, maxSegments: 4 });
    await fill(wal, 40);
    try {
      reads.count = 0;
      expect(await wal.replay(41)).toEqual([]);
      expect(reads.count, 'segments read for a new height').toBe(0);
    } finally {
      await wal.close();
    }

    const again = await FileWal.open({ dir, maxSegmentBytes: 2048, maxSegments: 4 });
    try {
      reads.count = 0;
      expect(await again.replay(41)).toEqual([]);
      expect(reads.count, 'segments read for a new height after a reopen').toBe(0);
      await again.startHeight(41);
      await again.append(rec(7), { sync: true });
      expect(await again.replay(42)).toEqual([]);
      expect(reads.count, 'segments read once height 41 has a marker').toBe(0);
    } finally {
      await again.close();
    }
  });

  it('still reads the log for a height that has a marker (crash recovery is unchanged)', async () => {
    const wal = await FileWal.open({ dir, maxSegmentBytes: 2048, maxSegments: 4 });
    await fill(wal, 40);
    await wal.close();
    const again = await FileWal.open({ dir, maxSegmentBytes: 2048, maxSegments: 4 });
    try {
      reads.count = 0;
      const replayed = await again.replay(40);
      expect(replayed.map((r) => r[0])).toEqual([40, 41, 42, 43, 44]);
      expect(reads.count, 'segments read for the current height').toBeGreaterThan(0);
    } finally {
      await again.close();
    }
  });
});
