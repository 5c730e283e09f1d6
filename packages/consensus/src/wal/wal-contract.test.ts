import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileWal } from './file-wal.js';
import { maxWalRecordBytes } from './limits.js';
import { MemoryWal } from './memory-wal.js';
import type { Wal } from './wal.js';

/** The semantics every `Wal` shares, run against both implementations so the simulator tells the truth. */
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const implementations: [string, () => Promise<Wal>][] = [
  [
    'FileWal',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'joule-wal-contract-'));
      dirs.push(dir);
      return FileWal.open({ dir });
    },
  ],
  ['MemoryWal', async () => new MemoryWal()],
];

const rec = (n: number): Uint8Array => new Uint8Array([n, n, n]);

describe.each(implementations)('%s (Wal contract)', (_name, make) => {
  it('replays the records after the last marker of a height, up to the next marker', async () => {
    const wal = await make();
    expect(await wal.replay(1)).toEqual([]);
    await wal.append(rec(0), { sync: true }); // before any marker: never replayed
    await wal.startHeight(1);
    await wal.append(rec(1));
    await wal.startHeight(2);
    await wal.append(rec(2));
    await wal.append(rec(3), { sync: true });
    await wal.startHeight(3);
    expect(await wal.replay(1)).toEqual([rec(1)]);
    expect(await wal.replay(2)).toEqual([rec(2), rec(3)]);
    expect(await wal.replay(3)).toEqual([]);
    expect(await wal.replay(4)).toEqual([]);
    await wal.close();
  });

  it('startHeight of the latest height again is a no-op; an earlier height starts a new run', async () => {
    const wal = await make();
    await wal.startHeight(7);
    await wal.append(rec(1));
    await wal.startHeight(7);
    await wal.append(rec(2));
    expect(await wal.replay(7)).toEqual([rec(1), rec(2)]);
    await wal.startHeight(8);
    await wal.startHeight(7);
    await wal.append(rec(3));
    expect(await wal.replay(7), 'the last marker of 7 wins').toEqual([rec(3)]);
    await wal.close();
  });

  it('accepts empty and maximal records and refuses the same bad input', async () => {
    const wal = await make();
    await wal.startHeight(1);
    await wal.append(new Uint8Array(0));
    await expect(wal.append('x' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(wal.append(new Uint8Array(maxWalRecordBytes + 1))).rejects.toMatchObject({
      code: 'WAL_RECORD_TOO_LARGE',
    });
    await expect(wal.startHeight(-1)).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    expect(await wal.replay(1)).toEqual([new Uint8Array(0)]);
    await wal.close();
    await wal.close();
    await expect(wal.replay(1)).rejects.toMatchObject({ code: 'WAL_CLOSED' });
  });
});
