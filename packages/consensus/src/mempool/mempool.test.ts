import { describe, expect, it } from 'vitest';
import type { CheckTxRequest, CheckTxResponse } from '../app/application.js';
import { maxTxBytes } from '../constants.js';
import { InvalidValueError } from '../errors.js';
import { MempoolError } from './errors.js';
import { Mempool, type MempoolOptions, txHash } from './mempool.js';

const ok = (gasWanted = 1): CheckTxResponse => ({ code: 0, codespace: '', log: '', gasWanted });

/** An application whose verdict is a function of the request; it records every call. */
function appOf(verdict: (request: CheckTxRequest) => CheckTxResponse = () => ok()) {
  const calls: CheckTxRequest[] = [];
  return {
    calls,
    checkTx: async (request: CheckTxRequest): Promise<CheckTxResponse> => {
      calls.push(request);
      return verdict(request);
    },
  };
}

/** An application whose answers the test releases by hand, to observe what waits for what. */
function gatedApp() {
  const waiting: { request: CheckTxRequest; answer: (r: CheckTxResponse) => void }[] = [];
  return {
    waiting,
    checkTx: (request: CheckTxRequest): Promise<CheckTxResponse> =>
      new Promise((answer) => waiting.push({ request, answer })),
  };
}

const tx = (...bytes: number[]): Uint8Array => new Uint8Array(bytes);
const sized = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);
const pool = (options: MempoolOptions = {}, app = appOf()) => new Mempool(options, { app });

async function refusal(promise: Promise<unknown>): Promise<MempoolError> {
  try {
    await promise;
  } catch (error) {
    expect(error, 'a refusal is a MempoolError').toBeInstanceOf(MempoolError);
    return error as MempoolError;
  }
  throw new Error('expected the mempool to refuse');
}

/** Lets queued promise callbacks run (the lane hops a few microtasks per task). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('Mempool.add refusals', () => {
  it('TX_TOO_LARGE: one byte over maxTxBytes, default and configured', async () => {
    const err = await refusal(pool().add(sized(maxTxBytes + 1, 1)));
    expect(err.code, 'default limit is the consensus maxTxBytes').toBe('TX_TOO_LARGE');
    expect(err.context).toMatchObject({ bytes: maxTxBytes + 1, limit: maxTxBytes });
    const small = pool({ maxTxBytes: 10 });
    expect((await refusal(small.add(sized(11, 1)))).code, 'configured limit').toBe('TX_TOO_LARGE');
    await expect(small.add(sized(10, 1)), 'a tx of exactly the limit is admitted').resolves.toBeDefined();
  });

  it('MEMPOOL_FULL by count: refused loudly, the pool unchanged, the tx not remembered', async () => {
    const mp = pool({ maxTxs: 2 });
    await mp.add(tx(1));
    await mp.add(tx(2));
    const err = await refusal(mp.add(tx(3)));
    expect(err.code).toBe('MEMPOOL_FULL');
    expect(err.context).toMatchObject({ txs: 2, maxTxs: 2 });
    expect(mp.size(), 'nothing dropped to make room').toBe(2);
    expect(mp.reap(-1, -1)).toEqual([tx(1), tx(2)]);
    await mp.update(1, [tx(1)]);
    await expect(mp.add(tx(3)), 'a refused tx may come back once there is room').resolves.toBeDefined();
  });

  it('MEMPOOL_FULL by bytes', async () => {
    const mp = pool({ maxBytes: 100 });
    await mp.add(sized(60, 1));
    const err = await refusal(mp.add(sized(41, 2)));
    expect(err.code).toBe('MEMPOOL_FULL');
    expect(err.context).toMatchObject({ bytes: 60, maxBytes: 100, txBytes: 41 });
    await expect(mp.add(sized(40, 3)), 'exactly filling the byte bound is fine').resolves.toBeDefined();
    expect(mp.bytes()).toBe(100);
  });

  it('MEMPOOL_FULL counts transactions still being checked', async () => {
    const app = gatedApp();
    const mp = new Mempool({ maxTxs: 2 }, { app });
    const first = mp.add(tx(1));
    const second = mp.add(tx(2));
    const err = await refusal(mp.add(tx(3)));
    expect(err.code, 'two checks in flight fill a pool of two').toBe('MEMPOOL_FULL');
    await settle();
    app.waiting.shift()?.answer(ok());
    await settle();
    app.waiting.shift()?.answer(ok());
    await Promise.all([first, second]);
    expect(mp.size()).toBe(2);
  });

  it('MEMPOOL_SENDER_FULL: one sender cannot fill the pool; it frees as its txs leave', async () => {
    // The sender is the transaction's first byte; a zero first byte names none.
    const app = {
      ...appOf(),
      txSender: (t: Uint8Array) => (t[0] === 0 ? undefined : t.subarray(0, 1)),
    };
    const mp = pool({ maxTxsPerSender: 2 }, app);
    await mp.add(tx(1, 1));
    await mp.add(tx(1, 2));
    const err = await refusal(mp.add(tx(1, 3)));
    expect(err.code).toBe('MEMPOOL_SENDER_FULL');
    expect(err.context).toMatchObject({ txs: 2, maxTxsPerSender: 2 });
    expect(app.calls.length, 'refused before its check').toBe(2);
    await expect(mp.add(tx(2, 1)), 'another sender is admitted').resolves.toBeDefined();
    for (let i = 0; i < 3; i++) await mp.add(tx(0, i));
    expect(mp.size(), 'no sender, no quota').toBe(6);
    // Concurrent adds of one sender pass the first count; the second count refuses the extra one.
    const burst = await Promise.allSettled([mp.add(tx(3, 1)), mp.add(tx(3, 2)), mp.add(tx(3, 3))]);
    expect(burst.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    await mp.update(1, [tx(1, 1)]);
    await expect(mp.add(tx(1, 3)), 'a committed tx frees its slot').resolves.toBeDefined();
    expect(() => pool({ maxTxsPerSender: 0 })).toThrow(InvalidValueError);
  });

  it('a full pool refuses before it decodes the sender or copies the tx; hasRoom says so first', async () => {
    let decoded = 0;
    const app = {
      ...appOf(),
      txSender: (t: Uint8Array) => {
        decoded++;
        return t.subarray(0, 1);
      },
    };
    const mp = pool({ maxTxs: 2, maxBytes: 100 }, app);
    expect(mp.hasRoom(100), 'an empty pool takes a tx of maxBytes').toBe(true);
    expect(mp.hasRoom(101), 'not one byte more').toBe(false);
    await mp.add(tx(1));
    await mp.add(tx(2));
    expect(mp.hasRoom(1), 'two of two held').toBe(false);
    expect(decoded, 'one sender decode per admitted tx').toBe(2);
    expect((await refusal(mp.add(tx(3)))).code).toBe('MEMPOOL_FULL');
    expect(decoded, 'MEMPOOL_FULL came before the sender decode').toBe(2);
    expect((await refusal(mp.add(tx(1)))).code, 'a known tx is still TX_IN_CACHE when full').toBe(
      'TX_IN_CACHE',
    );
    const given = await mp.add(tx(3), txHash(tx(3))).catch((e: MempoolError) => e.code);
    expect(given, 'a caller-given hash takes the same path').toBe('MEMPOOL_FULL');
  });

  it('a refusal carries its name, code and message but no stack frames; the stack limit is restored', async () => {
    const limit = Error.stackTraceLimit;
    const mp = pool({ maxTxs: 1 });
    await mp.add(tx(1));
    const err = await refusal(mp.add(tx(2)));
    expect([err.name, err.code], 'typed as before').toEqual(['MempoolFullError', 'MEMPOOL_FULL']);
    expect(err.stack?.split('\n'), 'the first line only').toEqual([`MempoolFullError: ${err.message}`]);
    expect(Error.stackTraceLimit, 'restored for every other error').toBe(limit);
    expect(new Error('x').stack?.split('\n').length, 'other errors keep their stack').toBeGreaterThan(1);
  });

  it('TX_IN_CACHE: in the mempool, being checked, or committed', async () => {
    const mp = pool();
    await mp.add(tx(1));
    const inPool = await refusal(mp.add(tx(1)));
    expect([inPool.code, inPool.context.state], 'already admitted').toEqual(['TX_IN_CACHE', 'in-mempool']);
    await mp.update(1, [tx(1)]);
    const committed = await refusal(mp.add(tx(1)));
    expect([committed.code, committed.context.state], 'committed').toEqual(['TX_IN_CACHE', 'seen']);
  });

  it('concurrent adds of one transaction call checkTx once', async () => {
    const app = appOf();
    const mp = pool({}, app);
    const results = await Promise.allSettled([mp.add(tx(7)), mp.add(tx(7)), mp.add(tx(7))]);
    expect(app.calls.length, 'one check for three adds').toBe(1);
    expect(results[0]).toEqual({ status: 'fulfilled', value: txHash(tx(7)) });
    for (const r of results.slice(1)) {
      expect(r.status === 'rejected' && (r.reason as MempoolError).context.state, 'duplicate add').toBe(
        'checking',
      );
    }
  });

  it('TX_REJECTED carries the application code, codespace and log; the tx may be resubmitted', async () => {
    let accept = false;
    const app = appOf(() =>
      accept ? ok() : { code: 5, codespace: 'TX_BAD_NONCE', log: 'nonce 3, want 2', gasWanted: 0 },
    );
    const mp = pool({}, app);
    const err = await refusal(mp.add(tx(9)));
    expect(err.code).toBe('TX_REJECTED');
    expect(err.context).toMatchObject({ appCode: 5, codespace: 'TX_BAD_NONCE', log: 'nonce 3, want 2' });
    expect(err.toJSON().context.hash, 'context serializes').toBe(Buffer.from(txHash(tx(9))).toString('hex'));
    expect(mp.size()).toBe(0);
    accept = true;
    await expect(mp.add(tx(9)), 'a rejected tx is not kept in the seen-cache').resolves.toEqual(
      txHash(tx(9)),
    );
  });

  it('TX_GAS_TOO_HIGH when gasWanted exceeds maxTxGas, so FIFO reaping can never stall', async () => {
    const mp = pool(
      { maxTxGas: 10 },
      appOf((r) => ok(r.tx[0])),
    );
    expect((await refusal(mp.add(tx(11)))).code).toBe('TX_GAS_TOO_HIGH');
    await expect(mp.add(tx(10))).resolves.toBeDefined();
  });

  it('an application bug (bad gasWanted) is an InvalidValueError, and releases the reservation', async () => {
    const mp = pool(
      { maxTxs: 1 },
      appOf((r) => (r.tx[0] === 1 ? ok(-1) : ok())),
    );
    await expect(mp.add(tx(1))).rejects.toBeInstanceOf(InvalidValueError);
    await expect(mp.add(tx(2)), 'the slot was given back').resolves.toBeDefined();
  });

  it('keeps its own copy of the bytes', async () => {
    const mp = pool();
    const buffer = tx(1, 2, 3);
    const hash = await mp.add(buffer);
    buffer[0] = 9;
    expect(mp.reap(-1, -1)).toEqual([tx(1, 2, 3)]);
    expect(mp.has(hash)).toBe(true);
  });

  it('refuses bad options', () => {
    expect(() => pool({ maxTxBytes: maxTxBytes + 1 })).toThrow(InvalidValueError);
    expect(() => pool({ maxTxs: 0 })).toThrow(InvalidValueError);
    expect(() => pool({ cacheSize: -1 })).toThrow(InvalidValueError);
  });
});

describe('Mempool.reap', () => {
  const filled = async (sizes: number[], gas: number[] = sizes.map(() => 1)) => {
    const mp = pool(
      {},
      appOf((r) => ok(gas[r.tx[0] as number])),
    );
    for (let i = 0; i < sizes.length; i++) {
      const t = sized(sizes[i] as number, 0);
      t[0] = i;
      await mp.add(t);
    }
    return mp;
  };
  const lengths = (txs: Uint8Array[]) => txs.map((t) => t.length);

  it('returns transactions in arrival order', async () => {
    const mp = await filled([3, 1, 2]);
    expect(mp.reap(-1, -1).map((t) => t[0])).toEqual([0, 1, 2]);
  });

  it('stops at the first transaction that does not fit the bytes, even if a later one would', async () => {
    const mp = await filled([4, 10, 1]);
    expect(lengths(mp.reap(13, -1)), 'the 10-byte tx does not fit; the 1-byte one behind it waits').toEqual([
      4,
    ]);
    expect(lengths(mp.reap(14, -1)), 'exact fit').toEqual([4, 10]);
    expect(mp.reap(0, -1), 'zero bytes').toEqual([]);
  });

  it('stops at the first transaction that does not fit the gas; -1 is no limit', async () => {
    const mp = await filled([1, 1, 1], [5, 7, 1]);
    expect(lengths(mp.reap(-1, 11)), '5 + 7 > 11').toEqual([1]);
    expect(lengths(mp.reap(-1, 12)), 'exact gas').toEqual([1, 1]);
    expect(lengths(mp.reap(-1, -1))).toEqual([1, 1, 1]);
    expect(lengths(mp.reap(2, 100)), 'bytes bind first').toEqual([1, 1]);
  });

  it('does not remove what it returns, and refuses bad limits', async () => {
    const mp = await filled([1, 1]);
    mp.reap(-1, -1);
    expect(mp.size()).toBe(2);
    expect(() => mp.reap(-2, -1)).toThrow(InvalidValueError);
    expect(() => mp.reap(1.5, -1)).toThrow(InvalidValueError);
  });
});

/** A nonce app: tx = [account, nonce, payload]; valid while nonce ≥ the account's committed next nonce. */
function nonceApp() {
  const next = new Map<number, number>();
  const app = appOf(({ tx: t }) =>
    (t[1] as number) >= (next.get(t[0] as number) ?? 0)
      ? ok()
      : { code: 3, codespace: 'TX_BAD_NONCE', log: 'nonce used', gasWanted: 0 },
  );
  const commit = (txs: Uint8Array[]) => {
    for (const t of txs) next.set(t[0] as number, (t[1] as number) + 1);
  };
  return { app, commit };
}

describe('Mempool.update', () => {
  it('removes committed txs, rechecks the rest, and drops those the app now refuses', async () => {
    const { app, commit } = nonceApp();
    const mp = pool({}, app);
    const a0 = tx(1, 0, 1);
    const a0Rival = tx(1, 0, 2); // same account and nonce, other payload: invalid once a0 commits
    const a1 = tx(1, 1, 1);
    const b0 = tx(2, 0, 1);
    for (const t of [a0, a0Rival, a1, b0]) await mp.add(t);
    commit([a0]);
    app.calls.length = 0;
    await mp.update(1, [a0]);
    expect(mp.reap(-1, -1), 'a0 committed, its rival refused on recheck').toEqual([a1, b0]);
    expect(
      app.calls.map((c) => c.kind),
      'one recheck per remaining tx',
    ).toEqual(['recheck', 'recheck', 'recheck']);
    expect(mp.has(txHash(a0)) || mp.has(txHash(a0Rival))).toBe(false);
    expect((await refusal(mp.add(a0))).code, 'committed tx stays in the cache').toBe('TX_IN_CACHE');
    expect((await refusal(mp.add(a0Rival))).code, 'rechecked-out tx is checked again').toBe('TX_REJECTED');
  });

  it("hands every check and recheck the transaction's hash, computed once on arrival", async () => {
    const app = appOf();
    const mp = pool({}, app);
    const a = tx(1, 2, 3);
    const b = tx(4, 5, 6);
    await mp.add(a);
    await mp.add(b, txHash(b));
    await mp.update(1, []);
    expect(app.calls.map((c) => c.kind)).toEqual(['new', 'new', 'recheck', 'recheck']);
    for (const [i, expected] of [a, b, a, b].entries())
      expect(app.calls[i]?.hash, `call ${i}`).toEqual(txHash(expected));
  });

  it('with recheck off only removes committed txs', async () => {
    const app = appOf();
    const mp = pool({ recheck: false }, app);
    await mp.add(tx(1));
    await mp.add(tx(2));
    await mp.update(1, [tx(1), tx(99)]);
    expect(mp.reap(-1, -1)).toEqual([tx(2)]);
    expect(app.calls.length, 'no recheck calls').toBe(2);
  });

  it('refuses heights that do not increase', async () => {
    const mp = pool();
    await mp.update(5, []);
    await expect(mp.update(5, [])).rejects.toBeInstanceOf(InvalidValueError);
    await expect(mp.update(4, [])).rejects.toBeInstanceOf(InvalidValueError);
    expect(mp.height()).toBe(5);
  });

  it('an add during a recheck waits for it, then runs against the new state', async () => {
    const app = gatedApp();
    const mp = new Mempool({}, { app });
    const first = mp.add(tx(1));
    await settle();
    app.waiting.shift()?.answer(ok());
    await first;
    const order: string[] = [];
    const updating = mp.update(1, []).then(() => order.push('update'));
    await settle();
    const adding = mp.add(tx(2)).then(() => order.push('add'));
    await settle();
    expect(
      app.waiting.map((w) => w.request.kind),
      'only the recheck is at the app',
    ).toEqual(['recheck']);
    app.waiting.shift()?.answer(ok());
    await settle();
    expect(app.waiting.map((w) => w.request.kind)).toEqual(['new']);
    app.waiting.shift()?.answer(ok());
    await Promise.all([updating, adding]);
    expect(order).toEqual(['update', 'add']);
  });

  it('commitWith: an add arriving during the commit is checked only after the recheck', async () => {
    // A sender's nonce lives in the app's check state: the commit resets it to the committed
    // state, and the recheck of the pool's transactions restores the pending nonces. A check in
    // between would refuse the sender's next transaction.
    const app = gatedApp();
    const mp = new Mempool({}, { app });
    const first = mp.add(tx(1));
    await settle();
    app.waiting.shift()?.answer(ok());
    await first;
    let release = () => {};
    const order: string[] = [];
    const committing = mp.commitWith(1, [], async () => {
      order.push('commit');
      await new Promise<void>((r) => {
        release = r;
      });
      return 'done';
    });
    await settle();
    const adding = mp.add(tx(2)).then(() => order.push('add'));
    await settle();
    expect(app.waiting.length, 'no check while the application commits').toBe(0);
    release();
    await settle();
    expect(
      app.waiting.map((w) => w.request.kind),
      'the recheck comes first',
    ).toEqual(['recheck']);
    app.waiting.shift()?.answer(ok());
    await settle();
    expect(app.waiting.map((w) => w.request.kind)).toEqual(['new']);
    app.waiting.shift()?.answer(ok());
    await expect(committing).resolves.toEqual({ result: 'done', updateError: null });
    await adding;
    expect(order).toEqual(['commit', 'add']);
    expect(mp.height()).toBe(1);
  });

  it('commitWith: a failed commit rejects and skips the update; a failed update is returned', async () => {
    const mp = pool();
    await expect(
      mp.commitWith(1, [], async () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(mp.height(), 'no update after a failed commit').toBe(0);
    await mp.update(2, []);
    const late = await mp.commitWith(1, [], async () => 7);
    expect(late.result).toBe(7);
    expect(late.updateError, 'a height that does not increase').toBeInstanceOf(InvalidValueError);
  });

  it('a tx committed while its check waited in the lane is refused as seen, without a check', async () => {
    const app = gatedApp();
    const mp = new Mempool({ recheck: false }, { app });
    const busy = mp.add(tx(1)); // holds the lane
    await settle();
    const updating = mp.update(1, [tx(2)]);
    const late = mp.add(tx(2)); // admitted for checking before the update ran
    app.waiting.shift()?.answer(ok());
    await busy;
    await updating;
    const err = await refusal(late);
    expect([err.code, err.context.state]).toEqual(['TX_IN_CACHE', 'seen']);
    expect(app.waiting.length, 'no checkTx for it').toBe(0);
  });
});

/**
 * A nonce app (as `nonceApp`) whose answers the test releases by hand; each verdict is taken when
 * the check starts, against the committed nonces of that moment.
 */
function gatedNonceApp() {
  const next = new Map<number, number>();
  const calls: CheckTxRequest[] = [];
  const waiting: { request: CheckTxRequest; release: () => void }[] = [];
  const app = {
    calls,
    waiting,
    checkTx: (request: CheckTxRequest): Promise<CheckTxResponse> => {
      calls.push(request);
      const t = request.tx;
      const verdict =
        (t[1] as number) >= (next.get(t[0] as number) ?? 0)
          ? ok()
          : { code: 3, codespace: 'TX_BAD_NONCE', log: 'nonce used', gasWanted: 0 };
      return new Promise((answer) => waiting.push({ request, release: () => answer(verdict) }));
    },
  };
  const commit = (txs: Uint8Array[]) => {
    for (const t of txs) next.set(t[0] as number, (t[1] as number) + 1);
  };
  return { app, commit };
}

describe('Mempool: a block update goes ahead of queued checks', () => {
  it('commitWith runs after the running check, before the queued ones, which see the new state', async () => {
    const { app, commit } = gatedNonceApp();
    const mp = new Mempool({ maxTxs: 5 }, { app });
    const x = tx(9, 0, 0);
    const a0 = tx(1, 0, 1); // the block's transaction, also arriving by gossip
    const a0Rival = tx(1, 0, 2); // same account and nonce: valid before the block, not after
    const b0 = tx(2, 0, 1);
    const order: string[] = [];
    const running = mp.add(x).then(() => order.push('add x'));
    await settle();
    expect(app.waiting.map((w) => w.request.tx)).toEqual([x]);
    // Queued behind the running check, before the block commits.
    const rival = mp.add(a0Rival).then(
      () => order.push('add rival'),
      (error: MempoolError) => error,
    );
    const echo = mp.add(a0).then(
      () => order.push('add a0'),
      (error: MempoolError) => error,
    );
    const other = mp.add(b0).then(() => order.push('add b0'));
    const committing = mp.commitWith(1, [a0], async () => {
      order.push('commit');
      commit([a0]);
      return 'done';
    });
    await settle();
    expect(order, 'the running check is not interrupted').toEqual([]);
    app.waiting.shift()?.release();
    await running;
    await settle();
    expect(order, 'the commit comes before every queued check').toEqual(['add x', 'commit']);
    expect(
      app.waiting.map((w) => [w.request.kind, w.request.tx]),
      'then the recheck of what the pool held',
    ).toEqual([['recheck', x]]);
    app.waiting.shift()?.release();
    await expect(committing).resolves.toEqual({ result: 'done', updateError: null });
    expect(mp.height()).toBe(1);
    // The queued checks, in their order, against the committed state.
    await settle();
    expect(app.waiting.map((w) => [w.request.kind, w.request.tx])).toEqual([['new', a0Rival]]);
    app.waiting.shift()?.release();
    const refused = (await rival) as MempoolError;
    expect([refused.code, refused.context.codespace], 'judged against the new state').toEqual([
      'TX_REJECTED',
      'TX_BAD_NONCE',
    ]);
    const seen = (await echo) as MempoolError;
    expect([seen.code, seen.context.state], 'committed meanwhile: refused without a check').toEqual([
      'TX_IN_CACHE',
      'seen',
    ]);
    await settle();
    expect(app.waiting.map((w) => [w.request.kind, w.request.tx])).toEqual([['new', b0]]);
    app.waiting.shift()?.release();
    await other;
    expect(order).toEqual(['add x', 'commit', 'add b0']);
    expect(
      app.calls.map((c) => [c.kind, c.tx[0]]),
      'one call per check, none for the committed echo',
    ).toEqual([
      ['new', 9],
      ['recheck', 9],
      ['new', 1],
      ['new', 2],
    ]);
    expect(mp.reap(-1, -1), 'nothing lost, nothing twice').toEqual([x, b0]);
    expect(mp.stale(1, 10), 'admitted before the block').toEqual([x]);
    // Every reservation released: three more fit a pool of five, a fourth does not.
    for (let i = 0; i < 3; i++) {
      const more = mp.add(tx(3, i, 0));
      await settle();
      app.waiting.shift()?.release();
      await more;
    }
    expect((await refusal(mp.add(tx(4, 0, 0)))).code).toBe('MEMPOOL_FULL');
  });

  it('update goes ahead of queued checks; a queued tx is admitted at the new height', async () => {
    const { app } = gatedNonceApp();
    const mp = new Mempool({}, { app });
    const first = mp.add(tx(1, 0, 0));
    await settle();
    const queued = mp.add(tx(2, 0, 0));
    const updating = mp.update(1, []);
    await settle();
    app.waiting.shift()?.release();
    await settle();
    expect(
      app.waiting.map((w) => [w.request.kind, w.request.tx[0]]),
      'the recheck before the queued check',
    ).toEqual([['recheck', 1]]);
    app.waiting.shift()?.release();
    await updating;
    await settle();
    app.waiting.shift()?.release();
    await Promise.all([first, queued]);
    expect(mp.reap(-1, -1)).toEqual([tx(1, 0, 0), tx(2, 0, 0)]);
    expect(mp.stale(1, 10), 'only the first was admitted before the update').toEqual([tx(1, 0, 0)]);
  });

  it('updates keep their own order, heights increasing', async () => {
    const { app } = gatedNonceApp();
    const mp = new Mempool({ recheck: false }, { app });
    const busy = mp.add(tx(1, 0, 0));
    await settle();
    const queued = mp.add(tx(2, 0, 0));
    const heights: number[] = [];
    const one = mp.update(1, []).then(() => heights.push(mp.height()));
    const two = mp.update(2, []).then(() => heights.push(mp.height()));
    app.waiting.shift()?.release();
    await busy;
    await settle();
    expect(heights, 'both updates before the queued check').toEqual([1, 2]);
    expect(
      app.waiting.map((w) => w.request.tx[0]),
      'then the queued check',
    ).toEqual([2]);
    await Promise.all([one, two]);
    app.waiting.shift()?.release();
    await queued;
    expect(mp.size()).toBe(2);
  });
});

describe('Mempool.stale', () => {
  it('returns what waited minHeights heights or more, oldest first, at most maxTxs', async () => {
    const mp = pool();
    await mp.add(tx(1));
    await mp.update(1, []);
    await mp.add(tx(2));
    await mp.add(tx(3));
    await mp.update(2, []);
    expect(mp.stale(2, 10), 'tx 1 was admitted at height 0').toEqual([tx(1)]);
    expect(mp.stale(1, 10), 'one height or more').toEqual([tx(1), tx(2), tx(3)]);
    expect(mp.stale(1, 2), 'bounded').toEqual([tx(1), tx(2)]);
    await mp.update(3, [tx(1)]);
    expect(mp.stale(1, 10), 'committed ones are gone').toEqual([tx(2), tx(3)]);
  });
});

describe('Mempool seen-cache, notifications and flush', () => {
  it('the seen-cache holds at most cacheSize hashes, least recently used out first', async () => {
    const mp = pool({ cacheSize: 2 });
    await mp.update(1, [tx(1), tx(2), tx(3)]);
    await expect(
      mp.add(tx(1)),
      'evicted: admitted again (the app is the replay guard)',
    ).resolves.toBeDefined();
    expect((await refusal(mp.add(tx(3)))).code, 'still cached').toBe('TX_IN_CACHE');
    expect(mp.seenCacheStats(), 'bounded at 2: tx 1 evicted by tx 3, then tx 2 by tx 1 again').toMatchObject({
      entries: 2,
      evictions: 2,
    });
  });

  it('fires txsAvailable once per height when the pool is non-empty', async () => {
    const mp = pool();
    let fired = 0;
    const off = mp.onTxsAvailable(() => fired++);
    await mp.update(1, []);
    expect(fired, 'empty pool: no notification').toBe(0);
    await mp.add(tx(1));
    await mp.add(tx(2));
    expect(fired, 'once for two adds at one height').toBe(1);
    await mp.update(2, [tx(1)]);
    expect(fired, 'txs remain after the block').toBe(2);
    await mp.add(tx(3));
    expect(fired, 'already notified at this height').toBe(2);
    await mp.update(3, [tx(2), tx(3)]);
    expect(fired, 'nothing left').toBe(2);
    off();
    await mp.add(tx(4));
    expect(fired, 'unsubscribed').toBe(2);
  });

  it('flush empties the pool and the cache', async () => {
    const mp = pool();
    await mp.add(tx(1));
    await mp.update(1, [tx(2)]);
    await mp.flush();
    expect([mp.size(), mp.bytes()]).toEqual([0, 0]);
    await expect(mp.add(tx(2)), 'cache cleared').resolves.toBeDefined();
  });
});
