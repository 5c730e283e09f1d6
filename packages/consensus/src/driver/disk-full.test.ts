import { describe, expect, it } from 'vitest';
import type { Application } from '../app/application.js';
import { addressOf } from '../crypto/address.js';
import { toHex } from '../crypto/hash.js';
import { JouleError } from '../errors.js';
import { SignerStoreIoError } from '../signer/errors.js';
import { MemorySignerStore } from '../signer/memory-signer-store.js';
import { KvApp, type KvDurable } from '../sim/kv-app.js';
import { delegateApp } from '../testkit/cluster.js';
import { type Harness, proposalOf, setupDriver } from '../testkit/lone-driver.js';
import { walIoError } from '../wal/errors.js';
import { MemoryWal } from '../wal/memory-wal.js';
import { DiskFullError, diskFullOf, haltFor, WalFailedError } from './disk-full.js';

/**
 * A full disk stops the driver with `DISK_FULL`, naming the path, wherever the write failed: a WAL
 * append, the double-sign guard's state, the application's commit (LevelDB's words). Before, the
 * first two were logged as warnings and the node ran on without voting (its WAL failed for good),
 * and the last was a generic commit failure.
 */

/** An `ENOSPC` as `node:fs` throws it. */
function enospc(path: string): NodeJS.ErrnoException {
  const error = new Error(`ENOSPC: no space left on device, write '${path}'`) as NodeJS.ErrnoException;
  error.code = 'ENOSPC';
  error.path = path;
  return error;
}

/** A WAL whose appends fail with a full disk once `full` is set. */
class FillingWal extends MemoryWal {
  full = false;
  override append(record: Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
    if (this.full) return Promise.reject(walIoError(enospc('/data/wal/000002.wal'), 'append', '/data/wal'));
    return super.append(record, options);
  }
}

const ownVotes = (h: Harness) =>
  h.transport.broadcasts.filter(
    (m) => m.kind === 'vote' && toHex(m.vote.validatorAddress) === toHex(addressOf(h.self.publicKey)),
  );

describe('a full disk halts the driver with DISK_FULL', () => {
  it('when a WAL append fails: no vote is signed, the halt names the WAL', async () => {
    const base = await setupDriver();
    const wal = new FillingWal();
    const h = await setupDriver({ disk: { ...base.disk, wal } });
    await base.driver.stop();
    wal.full = true;
    h.deliver('p0', proposalOf(h, h.goodBlock(), { round: 0 }));
    await h.run(5_000);
    expect(
      h.halts.map((e) => [e.name, e.code]),
      'one halt',
    ).toEqual([['DiskFullError', 'DISK_FULL']]);
    expect(h.halts[0]?.context.path, 'names the WAL').toBe('/data/wal');
    expect(ownVotes(h), 'nothing signed without its WAL record').toEqual([]);
  });

  it("when the signer's state cannot be saved: the vote is not sent, the halt names the file", async () => {
    const base = await setupDriver();
    const signerStore = new MemorySignerStore();
    const h = await setupDriver({ disk: { ...base.disk, wal: new MemoryWal(), signerStore } });
    await base.driver.stop();
    const path = '/data/signer_state.bin';
    signerStore.failSaves(
      new SignerStoreIoError(
        `signer state save failed on ${path}: ENOSPC`,
        { operation: 'save', path, errno: 'ENOSPC' },
        enospc(`${path}.tmp`),
      ),
    );
    h.deliver('p0', proposalOf(h, h.goodBlock(), { round: 0 }));
    await h.run(5_000);
    expect(h.halts.map((e) => e.code)).toEqual(['DISK_FULL']);
    expect(h.halts[0]?.context.path).toBe(path);
    expect(ownVotes(h), 'no vote left the node').toEqual([]);
  });

  it("when the application's commit fails in LevelDB's words: DISK_FULL with LevelDB's file, not a generic commit failure", async () => {
    const app = (kv: KvDurable): Application =>
      delegateApp(new KvApp(kv), {
        commit: () => Promise.reject(new Error('IO error: /data/db/000003.log: No space left on device')),
      });
    const h = await setupDriver({ app });
    h.deliver('p1', h.decision(h.goodBlock(), [0, 1, 2]));
    await h.run(100);
    expect(h.halts.map((e) => [e.name, e.code, e.context.path])).toEqual([
      ['DiskFullError', 'DISK_FULL', '/data/db/000003.log'],
    ]);
    expect(h.halts[0]?.cause, 'the commit failure is kept as the cause').toBeInstanceOf(Error);
    expect(h.driver.height, 'still at height 1').toBe(1);
  });
});

describe('diskFullOf and haltFor', () => {
  it('find ENOSPC through causes, errno fields and LevelDB messages, and nothing else', () => {
    expect(diskFullOf(enospc('/x'))?.context.path).toBe('/x');
    expect(diskFullOf(walIoError(enospc('/w/1'), 'append', '/w'))?.context.path).toBe('/w');
    const outer = new Error('block sync round failed', {
      cause: new Error('IO error: /db/9.log: No space left on device'),
    });
    expect(diskFullOf(outer)?.context.path).toBe('/db/9.log');
    expect(diskFullOf(new Error('EACCES: permission denied'))).toBeNull();
    expect(diskFullOf(null)).toBeNull();
    expect(diskFullOf('ENOSPC somewhere')).toBeNull();
  });

  it('do not take text that only mentions ENOSPC for a full disk (a meter id, a memo, a peer’s words)', () => {
    const echoed = new JouleError('MARKET_UNKNOWN_METER', 'no meter "ENOSPC: no space left on device"');
    expect(diskFullOf(echoed)).toBeNull();
    expect(haltFor(new Error('a peer sent ENOSPC'))).toBeNull();
    expect(haltFor(new Error('apply failed', { cause: new Error('tx memo: ENOSPC') }))).toBeNull();
    expect(diskFullOf(new Error('bad block: IO error: /db/1.log: No space left on device'))).toBeNull();
  });

  it('halt on a WAL that failed for another reason, and let ordinary failures pass', () => {
    const eio = Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    const halt = haltFor(walIoError(eio, 'fsync', '/data/wal'));
    expect(halt).toBeInstanceOf(WalFailedError);
    expect(halt?.code).toBe('CONSENSUS_WAL_FAILED');
    expect(haltFor(new Error('a peer sent garbage'))).toBeNull();
    expect(haltFor(enospc('/y'))).toBeInstanceOf(DiskFullError);
  });
});
