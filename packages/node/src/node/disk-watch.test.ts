import type { DiskFullError } from '@joule/consensus';
import { MemoryKvStore } from '@joule/state';
import { describe, expect, it } from 'vitest';
import { DiskWatchKvStore } from './disk-watch.js';

/** A memory store whose writes fail with `error` while it is set. */
class FailingKv extends MemoryKvStore {
  error: Error | null = null;
  override write(...args: Parameters<MemoryKvStore['write']>): Promise<void> {
    return this.error === null ? super.write(...args) : Promise.reject(this.error);
  }
}

describe('DiskWatchKvStore', () => {
  it('reports a full disk in LevelDB words with its file, rethrows it, and ignores other failures', async () => {
    const inner = new FailingKv();
    const heard: DiskFullError[] = [];
    const kv = new DiskWatchKvStore(inner, (e) => heard.push(e));
    await kv.start();
    const put = () =>
      kv.write([{ type: 'put', key: new Uint8Array([1]), value: new Uint8Array([2]) }], { sync: true });
    await put();
    expect(heard, 'nothing on a good write').toEqual([]);
    inner.error = new Error('IO error: /home/n/data/db/000007.log: No space left on device');
    await expect(put(), 'the write still fails').rejects.toThrow('No space left');
    expect(heard.map((e) => [e.code, e.context.path])).toEqual([['DISK_FULL', '/home/n/data/db/000007.log']]);
    inner.error = new Error('IO error: /home/n/data/db/000007.log: Input/output error');
    await expect(put()).rejects.toThrow('Input/output');
    expect(heard.length, 'another I/O error is not a full disk').toBe(1);
    await kv.stop();
  });
});
