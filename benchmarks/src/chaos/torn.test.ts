import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileWal } from '@joule/consensus';
import { SeededRng } from '@joule/consensus/sim';
import { ClassicKvStore } from '@joule/state';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  lastLevelRecord,
  lastWalFrame,
  newestLevelLog,
  newestWalSegment,
  tearFile,
  tearKinds,
} from './torn.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'joule-torn-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (i: number) => new Uint8Array(40 + i).fill(i);

describe('torn writes', () => {
  it('finds the last whole frame of a WAL segment and ignores a partial one after it', () => {
    const frame = (n: number) => {
      const f = new Uint8Array(9 + n);
      new DataView(f.buffer).setUint32(0, n);
      return f;
    };
    const bytes = new Uint8Array([...frame(3), ...frame(5), ...frame(2).subarray(0, 6)]);
    expect(lastWalFrame(bytes)).toEqual({ offset: 12, end: 26 });
    expect(lastWalFrame(new Uint8Array(4))).toBeNull();
  });

  it('finds the last LevelDB record, skipping a block trailer', () => {
    const block = new Uint8Array(32_768 + 20);
    // One record filling the first block but 3 bytes (a trailer), then one in the second block.
    const first = 32_768 - 3 - 7;
    block[4] = first & 0xff;
    block[5] = first >> 8;
    block[6] = 1;
    block[32_768 + 4] = 13;
    block[32_768 + 6] = 1;
    expect(lastLevelRecord(block)).toEqual({ offset: 32_768, end: 32_768 + 20 });
  });

  for (const kind of tearKinds)
    it(`a ${kind} WAL tail is cut off on open and every earlier record replays`, async () => {
      const walDir = join(dir, 'data', 'wal');
      const wal = await FileWal.open({ dir: walDir });
      await wal.startHeight(5);
      for (let i = 0; i < 4; i++) await wal.append(record(i), { sync: true });
      await wal.close();
      const file = (await newestWalSegment(dir)) as string;
      const tear = await tearFile(file, lastWalFrame, kind, new SeededRng(7));
      expect(tear).not.toBeNull();
      expect(tear?.bytes).toBeGreaterThan(0);
      const reopened = await FileWal.open({ dir: walDir });
      expect(reopened.recovered.truncated?.file).toBe(file);
      expect(await reopened.replay(5)).toEqual([0, 1, 2].map(record));
      await reopened.close();
    });

  for (const kind of tearKinds)
    it(`a ${kind} LevelDB log loses at most its last write batch`, async () => {
      const live = join(dir, 'live');
      const kv = new ClassicKvStore({ location: live });
      await kv.start();
      for (let i = 0; i < 5; i++)
        await kv.write([{ type: 'put', key: Uint8Array.of(i), value: record(i) }], { sync: true });
      // The files as a power cut leaves them: copied while the store is open (its log not yet
      // compacted into a table), then the copy's log torn.
      const crashed = join(dir, 'crashed', 'data', 'db');
      await cp(live, crashed, { recursive: true });
      await kv.stop();
      const log = (await newestLevelLog(join(dir, 'crashed'))) as string;
      expect(await tearFile(log, lastLevelRecord, kind, new SeededRng(3))).not.toBeNull();
      const reopened = new ClassicKvStore({ location: crashed });
      await reopened.start();
      for (let i = 0; i < 4; i++) expect(await reopened.get(Uint8Array.of(i))).toEqual(record(i));
      await reopened.stop();
    });
});
