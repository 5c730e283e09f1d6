import { describe, expect, it } from 'vitest';
import { MemoryWal } from './memory-wal.js';

const rec = (n: number): Uint8Array => new Uint8Array([n]);

describe('MemoryWal', () => {
  it('a crash keeps synced records and everything before them, and drops only the unsynced tail', async () => {
    const wal = new MemoryWal();
    await wal.startHeight(1);
    void wal.append(rec(1));
    await wal.append(rec(2), { sync: true });
    void wal.append(rec(3));
    void wal.append(rec(4));
    expect(wal.pendingCount()).toBe(2);
    const after = wal.crash();
    expect(await after.replay(1)).toEqual([rec(1), rec(2)]);
    expect(after.pendingCount()).toBe(0);
  });

  it('a height marker, like an unsynced record, is durable once a synced append follows it', async () => {
    const wal = new MemoryWal();
    await wal.startHeight(1);
    void wal.append(rec(1));
    await wal.append(rec(2), { sync: true });
    await wal.startHeight(2);
    void wal.append(rec(3));
    const after = wal.crash();
    expect(await after.replay(1), 'the sync kept the marker of 1 and both records').toEqual([rec(1), rec(2)]);
    expect(await after.replay(2), 'the marker of 2 was lost with its record').toEqual([]);
    await after.startHeight(2);
    await after.append(rec(4), { sync: true });
    expect(await after.crash().replay(2), 'a synced append made the marker durable').toEqual([rec(4)]);
  });

  it('a crashed log refuses its late calls, so a dead node cannot write into its successor', async () => {
    const wal = new MemoryWal();
    await wal.startHeight(1);
    const after = wal.crash();
    await expect(wal.append(rec(1), { sync: true })).rejects.toMatchObject({ code: 'WAL_CLOSED' });
    await expect(wal.startHeight(2)).rejects.toMatchObject({ code: 'WAL_CLOSED' });
    expect(await after.replay(1)).toEqual([]);
  });

  it('keeps retainedHeights heights, like rotation', async () => {
    const wal = new MemoryWal({ retainedHeights: 2 });
    for (let h = 1; h <= 5; h++) {
      await wal.startHeight(h);
      await wal.append(rec(h), { sync: true });
    }
    expect(await wal.replay(5)).toEqual([rec(5)]);
    expect(await wal.replay(4)).toEqual([rec(4)]);
    expect(await wal.replay(3)).toEqual([]);
  });

  it('copies records in and out, so callers may reuse their buffers', async () => {
    const wal = new MemoryWal();
    await wal.startHeight(1);
    const buffer = rec(1);
    await wal.append(buffer);
    buffer[0] = 9;
    const [first] = await wal.replay(1);
    expect(first).toEqual(rec(1));
    (first as Uint8Array)[0] = 7;
    expect(await wal.replay(1)).toEqual([rec(1)]);
  });
});
