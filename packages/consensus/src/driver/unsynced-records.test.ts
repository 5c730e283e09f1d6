import { describe, expect, it } from 'vitest';
import { addressOf } from '../crypto/address.js';
import { toHex } from '../crypto/hash.js';
import { type Harness, proposalOf, setupDriver } from '../testkit/lone-driver.js';
import { VoteType } from '../vote/vote.js';
import { MemoryWal } from '../wal/memory-wal.js';
import { decodeWalRecord } from './wal-records.js';

/**
 * The driver does not wait for an unsynced WAL record (a peer's message, a timeout, its own vote)
 * to reach the disk: the log keeps call order, and the synced `signing` record that precedes every
 * signature makes the records before it durable.
 */

/** A WAL whose synced appends wait for `flush()`, as on a slow disk. */
class SlowSyncWal extends MemoryWal {
  readonly waiting: (() => void)[] = [];
  override append(record: Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
    const done = super.append(record, options);
    if (options.sync !== true) return done;
    return new Promise<void>((resolve) => this.waiting.push(() => resolve(done)));
  }
  flush(): void {
    for (const release of this.waiting.splice(0)) release();
  }
}

/** A WAL on a disk that never finishes an unsynced write: those appends never resolve. */
class StalledWal extends MemoryWal {
  stalled = 0;
  override append(record: Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
    const done = super.append(record, options);
    if (options.sync === true) return done;
    this.stalled++;
    return new Promise<void>(() => {});
  }
}

const ownPrevotes = (h: Harness) =>
  h.transport.broadcasts.filter(
    (m) =>
      m.kind === 'vote' &&
      m.vote.type === VoteType.Prevote &&
      toHex(m.vote.validatorAddress) === toHex(addressOf(h.self.publicKey)),
  );

describe('unsynced WAL records', () => {
  it('do not hold the input queue, and the signing record makes them durable before the vote leaves', async () => {
    const base = await setupDriver();
    const wal = new StalledWal();
    const h = await setupDriver({ disk: { ...base.disk, wal } });
    await base.driver.stop();
    h.deliver('p0', proposalOf(h, h.goodBlock(), { round: 0 }));
    await h.run(1_000);
    expect(wal.stalled, 'the peer proposal was an unsynced append').toBeGreaterThan(0);
    expect(ownPrevotes(h).length, 'the driver prevoted although no unsynced append resolved').toBe(1);
    expect(h.failures(), 'no input failed').toEqual([]);
    // A power cut now keeps what the synced records covered: the peer's proposal, then the signing record.
    const kinds = (await wal.crash().replay(1)).map((bytes) => decodeWalRecord(bytes).kind);
    const proposal = kinds.indexOf('proposal');
    expect(proposal, `the proposal is durable (${kinds.join(', ')})`).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('signing', proposal), 'a signing record follows it').toBeGreaterThan(proposal);
    await h.driver.stop();
  });

  it('the guard is asked only once the signing record is durable, so a replay always re-derives what it signed', async () => {
    const base = await setupDriver();
    const wal = new SlowSyncWal();
    const h = await setupDriver({ disk: { ...base.disk, wal } });
    await base.driver.stop();
    h.deliver('p0', proposalOf(h, h.goodBlock(), { round: 0 }));
    await h.run(50);
    expect(wal.waiting.length, 'the signing record waits for its fsync').toBe(1);
    expect(await h.disk.signerStore.load(), 'the guard has not saved yet').toBeNull();
    expect(ownPrevotes(h), 'no vote yet').toEqual([]);
    wal.flush();
    await h.run(50);
    expect((await h.disk.signerStore.load())?.height, 'the guard saved after the flush').toBe(1);
    expect(ownPrevotes(h).length, 'the prevote left').toBe(1);
    await h.driver.stop();
  });
});
