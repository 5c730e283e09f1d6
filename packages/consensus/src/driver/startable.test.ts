import { describe, expect, it } from 'vitest';
import { DoubleSignGuard } from '../signer/guard.js';
import { MemorySignerStore } from '../signer/memory-signer-store.js';
import { SignStep } from '../signer/signer-store.js';
import { chainId, testKeys } from '../testkit/cluster.js';
import { setupDriver } from '../testkit/lone-driver.js';
import { MemoryWal } from '../wal/memory-wal.js';
import type { TxPool } from './ports.js';

/** A mempool whose `onTxsAvailable` subscriptions are counted while they are live. */
function countingPool(inner: TxPool, counter: { live: number }): TxPool {
  return {
    reap: (maxBytes, maxGas) => inner.reap(maxBytes, maxGas),
    update: (height, committed) => inner.update(height, committed),
    commitWith: (height, committed, commit) => inner.commitWith(height, committed, commit),
    size: () => inner.size(),
    onTxsAvailable(callback) {
      counter.live++;
      const off = inner.onTxsAvailable(callback);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        counter.live--;
        off();
      };
    },
  };
}

describe('Startable: the driver, the WAL and the double-sign guard', () => {
  it('a driver started and stopped again and again (as block sync does) holds one mempool subscription', async () => {
    const counter = { live: 0 };
    const h = await setupDriver({ mempool: (pool) => countingPool(pool, counter) });
    expect(counter.live, 'after the first start').toBe(1);
    for (let i = 0; i < 5; i++) {
      await h.driver.stop();
      expect(counter.live, `stopped, cycle ${i}`).toBe(0);
      await h.driver.start();
      await h.driver.start(); // idempotent
      expect(counter.live, `started again, cycle ${i}`).toBe(1);
    }
    await h.driver.stop();
    await h.driver.stop(); // idempotent
    expect(counter.live, 'after the last stop').toBe(0);
  });

  it('onCommit and onEvidence return a function that unsubscribes', async () => {
    const h = await setupDriver();
    const seen: number[] = [];
    const off = h.driver.onCommit((event) => seen.push(event.block.header.height));
    const offEvidence = h.driver.onEvidence(() => {});
    const decision = h.decision(h.goodBlock(), [0, 1, 2]);
    off();
    offEvidence();
    h.deliver('peer', decision);
    await h.run(1_000);
    expect(h.driver.chainState.lastBlockHeight, 'the decision was committed').toBe(1);
    expect(seen, 'an unsubscribed listener hears nothing').toEqual([]);
    await h.driver.stop();
  });

  it('a WAL starts while open, stops by closing (idempotent), and a closed one refuses to start', async () => {
    const wal = new MemoryWal();
    await wal.start();
    await wal.startHeight(1);
    await wal.stop();
    await wal.stop();
    await expect(wal.start(), 'a closed WAL').rejects.toMatchObject({ code: 'WAL_CLOSED' });
    await expect(wal.append(new Uint8Array([1])), 'no append after stop').rejects.toMatchObject({
      code: 'WAL_CLOSED',
    });
  });

  it('the guard loads its state on start and its stop waits for the signature in progress', async () => {
    const [key] = testKeys(1);
    if (key === undefined) throw new Error('no key');
    const guard = new DoubleSignGuard(
      { chainId },
      { store: new MemorySignerStore(), secretKey: key.secretKey },
    );
    await guard.start();
    await guard.start();
    expect(guard.lastSigned(), 'a fresh guard signed nothing').toBeNull();
    const signing = guard.signProposal({
      height: 1,
      round: 0,
      polRound: -1,
      blockId: { hash: new Uint8Array(32).fill(1) },
      timestamp: 1,
    });
    await guard.stop();
    expect(guard.lastSigned(), 'stop returned after the signature was saved').toEqual({
      height: 1,
      round: 0,
      step: SignStep.Propose,
    });
    await signing;
  });
});
