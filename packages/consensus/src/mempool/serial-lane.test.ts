import { describe, expect, it } from 'vitest';
import { SerialLane } from './serial-lane.js';

/** A task that records its start and ends when the test says so. */
function gate(log: string[], name: string) {
  let end: (value: string) => void = () => {};
  const task = () =>
    new Promise<string>((resolve) => {
      log.push(`start ${name}`);
      end = (value) => {
        log.push(`end ${name}`);
        resolve(value);
      };
    });
  return { task, end: (value = name) => end(value) };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('SerialLane', () => {
  it('runs tasks one at a time in their order', async () => {
    const lane = new SerialLane();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const pa = lane.run(a.task);
    const pb = lane.run(b.task);
    expect(lane.queued).toBe(2);
    await settle();
    expect(log).toEqual(['start a']);
    a.end();
    await settle();
    expect(log).toEqual(['start a', 'end a', 'start b']);
    b.end();
    await expect(Promise.all([pa, pb])).resolves.toEqual(['a', 'b']);
    expect(lane.queued).toBe(0);
  });

  it('a task does not start before the caller’s synchronous code after run', async () => {
    const lane = new SerialLane();
    const log: string[] = [];
    const done = lane.run(async () => log.push('task'));
    log.push('caller');
    await done;
    expect(log).toEqual(['caller', 'task']);
  });

  it('runFirst starts after the running task, ahead of every ordinary task not started, urgent ones in order', async () => {
    const lane = new SerialLane();
    const log: string[] = [];
    const tasks = ['a', 'b', 'c', 'u1', 'u2'].map((name) => gate(log, name));
    const [a, b, c, u1, u2] = tasks as [
      ReturnType<typeof gate>,
      ReturnType<typeof gate>,
      ReturnType<typeof gate>,
      ReturnType<typeof gate>,
      ReturnType<typeof gate>,
    ];
    const results = [lane.run(a.task), lane.run(b.task)];
    await settle();
    results.push(lane.runFirst(u1.task), lane.run(c.task), lane.runFirst(u2.task));
    expect(lane.queued).toBe(5);
    await settle();
    expect(log, 'the running task is not interrupted').toEqual(['start a']);
    for (const t of [a, u1, u2, b, c]) {
      t.end();
      await settle();
    }
    expect(log.filter((l) => l.startsWith('start'))).toEqual([
      'start a',
      'start u1',
      'start u2',
      'start b',
      'start c',
    ]);
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'u1', 'c', 'u2']);
  });

  it('a failing task, thrown or rejected, rejects its own promise only', async () => {
    const lane = new SerialLane();
    const thrown = lane.run(() => {
      throw new Error('sync');
    });
    const rejected = lane.runFirst(async () => {
      throw new Error('async');
    });
    const after = lane.run(async () => 'after');
    await expect(rejected).rejects.toThrow('async');
    await expect(thrown).rejects.toThrow('sync');
    await expect(after).resolves.toBe('after');
    expect(lane.queued).toBe(0);
  });

  it('drains a long queue in order', async () => {
    const lane = new SerialLane();
    const seen: number[] = [];
    const all = Array.from({ length: 5000 }, (_, i) => lane.run(async () => seen.push(i)));
    await Promise.all(all);
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(lane.queued).toBe(0);
  });

  it('without yieldToHost a backlog of tasks without I/O holds the event loop until it drains', async () => {
    const lane = new SerialLane();
    let hostRan = false;
    setImmediate(() => {
      hostRan = true;
    });
    const seen = await Promise.all(Array.from({ length: 20 }, () => lane.run(async () => hostRan)));
    expect(seen.every((ran) => !ran)).toBe(true);
  });

  it('with yieldToHost the host runs after every tasksPerTurn tasks', async () => {
    let yields = 0;
    const lane = new SerialLane({
      tasksPerTurn: 8,
      yieldToHost: () => {
        yields++;
        return new Promise<void>((resolve) => setImmediate(resolve));
      },
    });
    let hostRan = false;
    setImmediate(() => {
      hostRan = true;
    });
    const order: number[] = [];
    const seen = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        lane.run(async () => {
          order.push(i);
          return hostRan;
        }),
      ),
    );
    expect(order, 'still one at a time, in order').toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(
      seen.slice(0, 8).some((ran) => ran),
      'a turn is 8 tasks',
    ).toBe(false);
    expect(
      seen.slice(8).every((ran) => ran),
      "the host's callback ran before the 9th",
    ).toBe(true);
    expect(yields, 'after the 8th and the 16th').toBe(2);
    // An idle lane starts its next backlog with a full turn.
    await Promise.all(Array.from({ length: 8 }, () => lane.run(async () => 0)));
    expect(yields).toBe(2);
  });
  it('a task that returns a plain value, or a host whose yield throws, does not stop the lane', async () => {
    const lane = new SerialLane({
      yieldToHost: () => {
        throw new Error('no host');
      },
      tasksPerTurn: 1,
    });
    const plain = (() => 7) as unknown as () => Promise<number>;
    const results = await Promise.all([lane.run(plain), lane.run(async () => 8), lane.run(plain)]);
    expect(results).toEqual([7, 8, 7]);
    expect(lane.queued).toBe(0);
  });

  it('an urgent task queued while the lane waits for the host goes ahead of the checks queued before it', async () => {
    let release: () => void = () => {};
    let yields = 0;
    const lane = new SerialLane({
      // The first wait lasts until the test releases it; later ones end on the next microtask.
      yieldToHost: () =>
        yields++ === 0
          ? new Promise<void>((resolve) => {
              release = resolve;
            })
          : Promise.resolve(),
      tasksPerTurn: 1,
    });
    const order: string[] = [];
    const first = lane.run(async () => {
      order.push('check 1');
    });
    const second = lane.run(async () => {
      order.push('check 2');
    });
    await first;
    await settle();
    // The lane now waits for the host before its next task: a commit arrives in that turn.
    const commit = lane.runFirst(async () => {
      order.push('commit');
    });
    release();
    await Promise.all([second, commit]);
    expect(order).toEqual(['check 1', 'commit', 'check 2']);
  });
});
