import { mkdtemp, open, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JouleError } from '../errors.js';
import { WalCorruptError } from './errors.js';
import { FileWal } from './file-wal.js';
import { encodeFrame, frameHeaderBytes, RecordType } from './frame.js';
import { maxWalRecordBytes } from './limits.js';
import { segmentName } from './segments.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'joule-wal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rec = (n: number, size = 20): Uint8Array => new Uint8Array(size).fill(n & 0xff);
const seg = (index: number): string => join(dir, segmentName(index));

/** Height 1 with records 1..count, synced, then closed: a segment whose layout the test knows. */
async function writeHeight(count: number, size = 20): Promise<void> {
  const wal = await FileWal.open({ dir });
  await wal.startHeight(1);
  for (let i = 1; i <= count; i++) await wal.append(rec(i, size), { sync: true });
  await wal.close();
}
const markerBytes = frameHeaderBytes + 8;
const recordEnd = (i: number, size = 20): number => markerBytes + i * (frameHeaderBytes + size);

describe('FileWal round trip', () => {
  it('replays the records of a height across a reopen, synced or not', async () => {
    const wal = await FileWal.open({ dir });
    await wal.startHeight(5);
    void wal.append(rec(1));
    void wal.append(rec(2));
    await wal.append(rec(3), { sync: true });
    await wal.startHeight(6);
    void wal.append(rec(4));
    await wal.close();
    const again = await FileWal.open({ dir });
    expect(again.recovered.truncated).toBeNull();
    expect(await again.replay(5)).toEqual([rec(1), rec(2), rec(3)]);
    expect(await again.replay(6)).toEqual([rec(4)]);
    expect(await again.replay(7)).toEqual([]);
    await again.append(rec(5), { sync: true });
    expect(await again.replay(6)).toEqual([rec(4), rec(5)]);
    await again.close();
  });

  it('keeps fire-and-forget appends in call order, and sees them in a replay before any sync', async () => {
    const wal = await FileWal.open({ dir });
    await wal.startHeight(1);
    for (let i = 0; i < 200; i++) void wal.append(rec(i, 1 + (i % 50)));
    const replayed = await wal.replay(1);
    expect(replayed.map((r) => r[0])).toEqual(Array.from({ length: 200 }, (_, i) => i & 0xff));
    await wal.close();
  });

  it('startHeight of the current height again keeps the records since the first marker', async () => {
    const wal = await FileWal.open({ dir });
    await wal.startHeight(3);
    await wal.append(rec(1), { sync: true });
    await wal.close();
    const again = await FileWal.open({ dir });
    await again.startHeight(3);
    await again.append(rec(2), { sync: true });
    expect(await again.replay(3)).toEqual([rec(1), rec(2)]);
    await again.close();
  });

  it('refuses an oversized record without failing the log, and bad heights with a typed error', async () => {
    const wal = await FileWal.open({ dir });
    await wal.startHeight(1);
    await expect(wal.append(new Uint8Array(maxWalRecordBytes + 1))).rejects.toMatchObject({
      code: 'WAL_RECORD_TOO_LARGE',
    });
    await expect(wal.startHeight(0)).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(wal.replay(1.5)).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await wal.append(rec(1), { sync: true });
    expect(await wal.replay(1)).toEqual([rec(1)]);
    await wal.close();
  });

  it('close is idempotent and later calls reject with WAL_CLOSED', async () => {
    const wal = await FileWal.open({ dir });
    await Promise.all([wal.close(), wal.close()]);
    await wal.close();
    await expect(wal.append(rec(1))).rejects.toMatchObject({ code: 'WAL_CLOSED' });
    await expect(wal.startHeight(1)).rejects.toMatchObject({ code: 'WAL_CLOSED' });
    await expect(wal.replay(1)).rejects.toMatchObject({ code: 'WAL_CLOSED' });
  });

  it('creates files 0600 in a directory it creates', async () => {
    const nested = join(dir, 'a', 'wal');
    const wal = await FileWal.open({ dir: nested });
    await wal.close();
    expect((await stat(join(nested, segmentName(1)))).mode & 0o777).toBe(0o600);
    expect(await readdir(nested)).toEqual([segmentName(1)]);
  });
});

describe('FileWal torn tails of the last segment', () => {
  const cases: [string, (file: string) => Promise<void>, number][] = [
    ['an incomplete header', (f) => truncate(f, recordEnd(3) + 4), 3],
    ['a length past the end of the file', (f) => truncate(f, recordEnd(4) - 5), 3],
    ['a CRC mismatch in the last record', (f) => flipByte(f, recordEnd(4) - 1), 3],
    ['a zero-filled tail', (f) => appendBytes(f, new Uint8Array(4096)), 4],
    ['random garbage after the last record', (f) => appendBytes(f, new Uint8Array([7, 1, 2, 3, 4, 5, 6])), 4],
    ['a header that claims more than maxWalRecordBytes', (f) => appendBytes(f, hugeHeader()), 4],
    [
      'an unknown record type with a valid CRC',
      (f) => appendBytes(f, withType(encodeFrame(RecordType.Data, rec(9)), 7)),
      4,
    ],
  ];

  it.each(cases)('cuts off %s, and later appends work', async (_name, tear, survivors) => {
    await writeHeight(4);
    await tear(seg(1));
    const wal = await FileWal.open({ dir });
    expect(wal.recovered.truncated, 'a repair is reported').toMatchObject({
      file: seg(1),
      offset: recordEnd(survivors),
    });
    expect((await stat(seg(1))).size).toBe(recordEnd(survivors));
    const expected = Array.from({ length: survivors }, (_, i) => rec(i + 1));
    expect(await wal.replay(1)).toEqual(expected);
    await wal.append(rec(99), { sync: true });
    await wal.close();
    const again = await FileWal.open({ dir });
    expect(again.recovered.truncated).toBeNull();
    expect(await again.replay(1)).toEqual([...expected, rec(99)]);
    await again.close();
  });

  it('a CRC flip in the middle of the last segment truncates from that record on', async () => {
    await writeHeight(10);
    await flipByte(seg(1), recordEnd(4) + frameHeaderBytes + 3); // inside record 5's payload
    const wal = await FileWal.open({ dir });
    expect(wal.recovered.truncated).toMatchObject({ offset: recordEnd(4), reason: 'CRC mismatch' });
    expect(await wal.replay(1)).toEqual([rec(1), rec(2), rec(3), rec(4)]);
    await wal.close();
  });

  it('an empty last segment (a crash right after a rotation) is fine', async () => {
    await writeHeight(2);
    await writeFile(seg(2), new Uint8Array(0));
    const wal = await FileWal.open({ dir });
    expect(await wal.replay(1)).toEqual([rec(1), rec(2)]);
    await wal.close();
  });
});

describe('FileWal damage that is not a torn tail', () => {
  async function twoSegments(): Promise<void> {
    const wal = await FileWal.open({ dir, maxSegmentBytes: 1 });
    await wal.startHeight(1);
    for (let i = 1; i <= 4; i++) await wal.append(rec(i), { sync: true });
    await wal.startHeight(2);
    await wal.append(rec(5), { sync: true });
    await wal.close();
    expect(await readdir(dir)).toEqual([segmentName(1), segmentName(2)]);
  }

  it('corruption in an older segment gives WAL_CORRUPT naming file and offset, and repairs nothing', async () => {
    await twoSegments();
    await flipByte(seg(1), recordEnd(2) + frameHeaderBytes);
    const before = await readFile(seg(1));
    const error = await FileWal.open({ dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WalCorruptError);
    expect(error).toMatchObject({ code: 'WAL_CORRUPT', context: { file: seg(1), offset: recordEnd(2) } });
    expect(await readFile(seg(1)), 'the older segment is left as it was').toEqual(before);
  });

  it('a torn tail in an older segment is corruption too', async () => {
    await twoSegments();
    await truncate(seg(1), recordEnd(4) - 1);
    await expect(FileWal.open({ dir })).rejects.toMatchObject({
      code: 'WAL_CORRUPT',
      context: { offset: recordEnd(3) },
    });
  });

  it('a segment missing from the sequence gives WAL_CORRUPT', async () => {
    await twoSegments();
    await writeFile(seg(3), encodeFrame(RecordType.Data, rec(1)));
    await rm(seg(2));
    await expect(FileWal.open({ dir })).rejects.toMatchObject({
      code: 'WAL_CORRUPT',
      context: { file: seg(2) },
    });
  });
});

describe('FileWal rotation', () => {
  it('keeps at most maxSegments files, bounded in size, and still replays', async () => {
    const maxSegmentBytes = 1000;
    const maxSegments = 3;
    const wal = await FileWal.open({ dir, maxSegmentBytes, maxSegments });
    for (let h = 1; h <= 60; h++) {
      await wal.startHeight(h);
      for (let i = 0; i < 5; i++) void wal.append(rec(h * 10 + i, 50));
      await wal.append(rec(h, 30), { sync: true });
      const files = await readdir(dir);
      expect(files.length, `height ${h}`).toBeLessThanOrEqual(maxSegments);
    }
    let total = 0;
    for (const file of await readdir(dir)) total += (await stat(join(dir, file))).size;
    // Each segment ends at the first height that took it past maxSegmentBytes.
    const perHeight = 17 + 5 * 59 + 39;
    expect(total).toBeLessThanOrEqual(maxSegments * (maxSegmentBytes + perHeight));
    const latest = [...Array.from({ length: 5 }, (_, i) => rec(600 + i, 50)), rec(60, 30)];
    expect(await wal.replay(60)).toEqual(latest);
    expect(await wal.replay(1), 'a rotated-away height replays as nothing').toEqual([]);
    await wal.close();
    const again = await FileWal.open({ dir, maxSegmentBytes, maxSegments });
    expect(await again.replay(60)).toEqual(latest);
    await again.close();
  });

  it('deletes old segments on open when maxSegments shrank', async () => {
    const wal = await FileWal.open({ dir, maxSegmentBytes: 1, maxSegments: 10 });
    for (let h = 1; h <= 5; h++) {
      await wal.startHeight(h);
      await wal.append(rec(h), { sync: true });
    }
    await wal.close();
    expect((await readdir(dir)).length).toBe(5);
    const again = await FileWal.open({ dir, maxSegments: 2 });
    expect((await readdir(dir)).sort()).toEqual([segmentName(4), segmentName(5)]);
    expect(await again.replay(5)).toEqual([rec(5)]);
    expect(await again.replay(4)).toEqual([rec(4)]);
    await again.close();
  });

  it('replays records of a height that continue into a later segment', async () => {
    // A torn tail repaired on open leaves the records of a height split across segments when the
    // next marker rotates; replay must follow them.
    const wal = await FileWal.open({ dir, maxSegmentBytes: 1 });
    await wal.startHeight(1);
    await wal.append(rec(1), { sync: true });
    await wal.close();
    await writeFile(seg(2), encodeFrame(RecordType.Data, rec(2)));
    const again = await FileWal.open({ dir, maxSegmentBytes: 1 });
    expect(await again.replay(1)).toEqual([rec(1), rec(2)]);
    await again.close();
  });
});

describe('FileWal errors', () => {
  it('a failed write fails the log for good with WAL_IO, fire-and-forget appends included', async () => {
    const wal = await FileWal.open({ dir });
    await wal.startHeight(1);
    // Pull the file out from under the log, as a dying disk would.
    await (wal as unknown as { handle: { close(): Promise<void> } }).handle.close();
    const forgotten = wal.append(rec(1));
    await expect(wal.append(rec(2), { sync: true })).rejects.toMatchObject({ code: 'WAL_IO' });
    await expect(forgotten).rejects.toMatchObject({ code: 'WAL_IO' });
    await expect(wal.startHeight(2)).rejects.toMatchObject({ code: 'WAL_IO' });
    await wal.close().catch(() => {});
  });

  it('a disk that cannot keep up fails the log with WAL_OVERLOADED rather than drop records', async () => {
    const wal = await FileWal.open({ dir });
    const big = new Uint8Array(maxWalRecordBytes);
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => wal.append(big)));
    expect(
      results.some((r) => r.status === 'rejected' && (r.reason as JouleError).code === 'WAL_OVERLOADED'),
    ).toBe(true);
    await expect(wal.append(rec(1), { sync: true })).rejects.toMatchObject({ code: 'WAL_OVERLOADED' });
    await wal.close();
  });

  it('every failure is a JouleError', async () => {
    await writeFile(join(dir, 'not-a-dir'), 'x');
    const error = await FileWal.open({ dir: join(dir, 'not-a-dir', 'wal') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JouleError);
    expect(error).toMatchObject({ code: 'WAL_IO' });
  });
});

async function flipByte(file: string, offset: number): Promise<void> {
  const handle = await open(file, 'r+');
  const byte = new Uint8Array(1);
  await handle.read(byte, 0, 1, offset);
  byte[0] = (byte[0] as number) ^ 0x10;
  await handle.write(byte, 0, 1, offset);
  await handle.close();
}

async function appendBytes(file: string, bytes: Uint8Array): Promise<void> {
  await writeFile(file, bytes, { flag: 'a' });
}

function hugeHeader(): Uint8Array {
  const header = new Uint8Array(frameHeaderBytes + 16);
  new DataView(header.buffer).setUint32(0, maxWalRecordBytes + 1);
  header[8] = RecordType.Data;
  return header;
}

/** A frame whose type byte is replaced and whose CRC is recomputed to match. */
function withType(frame: Uint8Array, type: number): Uint8Array {
  const payload = frame.subarray(frameHeaderBytes);
  const fixed = encodeFrame(RecordType.Data, payload);
  fixed[8] = type;
  const view = new DataView(fixed.buffer);
  let crc = crc32(fixed.subarray(0, 4));
  crc = crc32(fixed.subarray(8, 9), crc);
  view.setUint32(4, crc32(payload, crc));
  return fixed;
}
