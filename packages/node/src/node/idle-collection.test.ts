import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { coreModules } from '@joule/state';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { profiles } from '../constants.js';
import { initHome } from '../home/init.js';
import { standaloneNetwork } from '../network/network.js';
import { IdleCollection, memoryReducingCollection } from './idle-collection.js';
import { createNode, type JouleNode } from './node.js';

describe('IdleCollection', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setUp(delayMs: number, busy = () => false) {
    const collect = vi.fn(() => Promise.resolve());
    const collected = vi.fn();
    const idle = new IdleCollection(delayMs, {
      collect,
      busy,
      collected,
      now: () => Date.now(),
      maxCpuShare: 0.01,
    });
    return { idle, collect, collected };
  }

  it('collects once the delay has passed after a commit', async () => {
    const { idle, collect, collected } = setUp(250);
    idle.committed();
    await vi.advanceTimersByTimeAsync(249);
    expect(collect).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(collect).toHaveBeenCalledTimes(1);
    expect(collected).toHaveBeenCalledTimes(1);
  });

  it('waits again when another block commits within the delay: one collection after the last', async () => {
    const { idle, collect } = setUp(250);
    for (let i = 0; i < 5; i++) {
      idle.committed();
      await vi.advanceTimersByTimeAsync(200);
    }
    expect(collect).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(50);
    expect(collect).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('does not collect while transactions wait in the mempool', async () => {
    let waiting = 3;
    const { idle, collect } = setUp(250, () => waiting > 0);
    idle.committed();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(collect).not.toHaveBeenCalled();
    waiting = 0;
    idle.committed();
    await vi.advanceTimersByTimeAsync(250);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('never collects with a delay of 0, nor after stop()', async () => {
    const off = setUp(0);
    off.idle.committed();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(off.collect).not.toHaveBeenCalled();

    const stopped = setUp(250);
    stopped.idle.committed();
    stopped.idle.stop();
    stopped.idle.committed();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(stopped.collect).not.toHaveBeenCalled();
  });

  it('runs one collection at a time, and a failed one reports and does not stop later ones', async () => {
    let finish: () => void = () => {};
    const collect = vi
      .fn<() => Promise<void>>()
      .mockImplementationOnce(() => new Promise<void>((resolve) => (finish = resolve)))
      .mockImplementationOnce(() => Promise.reject(new Error('no')))
      .mockImplementation(() => Promise.resolve());
    const failed = vi.fn();
    const idle = new IdleCollection(10, {
      collect,
      busy: () => false,
      failed,
      now: () => Date.now(),
      maxCpuShare: 1, // the time bound is tested below
    });
    idle.committed();
    await vi.advanceTimersByTimeAsync(10);
    idle.committed();
    await vi.advanceTimersByTimeAsync(10);
    expect(collect).toHaveBeenCalledTimes(1);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    idle.committed();
    await vi.advanceTimersByTimeAsync(10);
    expect(collect).toHaveBeenCalledTimes(2);
    expect(failed).toHaveBeenCalledTimes(1);
    idle.committed();
    await vi.advanceTimersByTimeAsync(10);
    expect(collect).toHaveBeenCalledTimes(3);
  });
});

describe('IdleCollection under a trickle of transactions', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Collections that each take 50 ms of the clock the rule reads, at most 1 % of the time. */
  function timedCollections() {
    let spent = 0;
    const collect = vi.fn(() => {
      spent += 50;
      return Promise.resolve();
    });
    const idle = new IdleCollection(250, {
      collect,
      busy: () => false,
      now: () => Date.now() + spent,
      maxCpuShare: 0.01,
    });
    return { idle, collect };
  }

  it('takes at most its share of the time: a collection of 50 ms is followed by none for 5 s', async () => {
    // One transaction every 3 s: a block and its proof block 1.5 s later, the mempool empty after
    // both.
    const { idle, collect } = timedCollections();
    for (let t = 0; t < 60_000; t += 3_000) {
      idle.committed();
      await vi.advanceTimersByTimeAsync(1_500);
      idle.committed();
      await vi.advanceTimersByTimeAsync(1_500);
    }
    // 40 commits in a minute; without the bound, 40 collections (2 s of a 60 s minute).
    expect(collect.mock.calls.length).toBeGreaterThanOrEqual(8);
    expect(collect.mock.calls.length).toBeLessThanOrEqual(12);
    expect(collect.mock.calls.length * 50).toBeLessThanOrEqual(0.01 * (60_000 + 5_000));
  });

  it('an idle node still collects once the wait is over, without another commit', async () => {
    const { idle, collect } = timedCollections();
    idle.committed();
    await vi.advanceTimersByTimeAsync(250);
    expect(collect).toHaveBeenCalledTimes(1);
    idle.committed(); // the next block, 250 ms later
    await vi.advanceTimersByTimeAsync(4_000);
    expect(collect).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(collect).toHaveBeenCalledTimes(2);
  });
});

describe('memoryReducingCollection', () => {
  it("asks V8 for an asynchronous major collection of the 'last-resort' flavour, or is null without --expose-gc", async () => {
    const saved = globalThis.gc;
    try {
      globalThis.gc = undefined;
      expect(memoryReducingCollection()).toBeNull();
      const gc = vi.fn(() => Promise.resolve());
      globalThis.gc = gc as unknown as typeof globalThis.gc;
      await memoryReducingCollection()?.();
      expect(gc).toHaveBeenCalledWith({ type: 'major', execution: 'async', flavor: 'last-resort' });
    } finally {
      globalThis.gc = saved;
    }
  });
});

describe('the profiles', () => {
  it('collect when idle on a board only', () => {
    expect(profiles.board.timers.idleCollectionDelayMs).toBeGreaterThan(0);
    expect(profiles.server.timers.idleCollectionDelayMs).toBe(0);
    expect(profiles.fast.timers.idleCollectionDelayMs).toBe(0);
  });
});

describe('a board node', () => {
  it('collects after its commits, through the gc function Node exposes, and counts it in /metrics', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'joule-idle-gc-'));
    const saved = globalThis.gc;
    const calls: unknown[] = [];
    globalThis.gc = ((options: unknown) => {
      calls.push(options);
      return Promise.resolve();
    }) as typeof globalThis.gc;
    const core = coreModules({ addressPrefix: 'joule' });
    let node: JouleNode | null = null;
    try {
      const home = join(dir, 'home');
      await initHome({
        home,
        chainId: 'idle-1',
        moniker: 'idle',
        addressPrefix: 'joule',
        denom: 'ujoule',
        operatorKey: 'operator',
      });
      node = await createNode(
        {
          home,
          config: { node: { profile: 'board' }, api: { listen: '127.0.0.1:0' } },
          logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
        },
        {
          app: { addressPrefix: 'joule', accounts: core.accounts },
          modules: core.modules,
          network: standaloneNetwork,
        },
      );
      await node.start();
      // The first block commits at start; its collection follows once the node has idled.
      await vi.waitFor(() => expect(calls.length).toBeGreaterThan(0), { timeout: 20_000, interval: 50 });
      expect(calls[0]).toEqual({ type: 'major', execution: 'async', flavor: 'last-resort' });
      const text = await (await fetch(`${node.apiUrl}/metrics`)).text();
      expect(Number(/^joule_idle_collections_total ([0-9]+)$/m.exec(text)?.[1])).toBe(calls.length);
    } finally {
      await node?.stop();
      globalThis.gc = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
