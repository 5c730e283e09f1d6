/**
 * Runs async tasks one at a time. The mempool sends every call to the application (`checkTx` of an
 * add, the commit and rechecks of an update) and every change of its contents through one lane:
 * the application sees one call at a time, as the ABCI contract of `Application` promises, and an
 * update never interleaves with an admission.
 *
 * Two classes of task, each in the order it was queued: an urgent task (`runFirst`: a block's
 * commit and the pool's update) starts before every ordinary task (`run`: an admission's check)
 * not yet started, as CometBFT's mempool takes its lock for `Update` ahead of the `CheckTx` calls
 * waiting for it. A task already running always finishes first: the lane never interleaves tasks.
 *
 * A task that finishes without real I/O (a check whose reads all hit a cache) starts the next one
 * in a microtask, and a chain of microtasks holds the event loop: a backlog of checks would keep
 * every socket read, disk write and timer of the host (a proposal, a vote, a round's timeout)
 * waiting until it drains. With `yieldToHost`, the lane waits for it after every `tasksPerTurn`
 * tasks, so the host's I/O runs between them.
 *
 * The lane itself holds no bound: each caller that queues a task must already hold a bounded
 * resource (the mempool reserves a transaction's slot before queueing its check; an update is
 * one per committed block, and the consensus driver commits one block at a time).
 */
export class SerialLane {
  readonly #urgent = new TaskQueue();
  readonly #ordinary = new TaskQueue();
  readonly #yieldToHost: (() => Promise<void>) | undefined;
  readonly #tasksPerTurn: number;
  #running = false;
  /** Whether a task has been picked and has not ended (the lane may be running but waiting). */
  #active = false;
  /** Tasks started since the lane last waited for `yieldToHost`. */
  #sinceYield = 0;

  constructor(
    options: {
      /** Resolves on a later turn of the host's event loop (`setImmediate`); none: never waits. */
      readonly yieldToHost?: () => Promise<void>;
      /** Tasks run between two waits for `yieldToHost`. */
      readonly tasksPerTurn?: number;
    } = {},
  ) {
    this.#yieldToHost = options.yieldToHost;
    this.#tasksPerTurn = Math.max(1, options.tasksPerTurn ?? 1);
  }

  /** Queues `task` after every task queued before it; resolves or rejects with its result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return this.#queue(this.#ordinary, task);
  }

  /**
   * Queues `task` ahead of every ordinary task not yet started (after the running task and the
   * urgent tasks queued before it); resolves or rejects with its result.
   */
  runFirst<T>(task: () => Promise<T>): Promise<T> {
    return this.#queue(this.#urgent, task);
  }

  /** Tasks queued or running. */
  get queued(): number {
    return this.#urgent.length + this.#ordinary.length + (this.#active ? 1 : 0);
  }

  #queue<T>(queue: TaskQueue, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        let result: Promise<T>;
        try {
          // `Promise.resolve`: a task that returns a plain value must not jam the lane either.
          result = Promise.resolve(task());
        } catch (error) {
          result = Promise.reject(error);
        }
        return result.then(resolve, reject);
      });
      if (!this.#running) this.#next();
    });
  }

  /**
   * Starts the next task, urgent first; each task's end starts the one after it. The task is
   * picked when it starts, not before a wait for the host: an urgent task queued during that turn
   * (a commit, when the last precommit arrives) still goes ahead of the checks.
   */
  #next(): void {
    if (this.#urgent.length + this.#ordinary.length === 0) {
      this.#running = false;
      // The lane ran dry: its next backlog gets a full turn's worth of tasks before it yields.
      this.#sinceYield = 0;
      return;
    }
    this.#running = true;
    const go = () => {
      const start = this.#urgent.shift() ?? this.#ordinary.shift();
      // Tasks leave the queues only here, so one is there; an empty queue just ends the run.
      if (start === undefined) {
        this.#next();
        return;
      }
      this.#active = true;
      start().then(() => {
        this.#active = false;
        this.#next();
      });
    };
    if (this.#yieldToHost !== undefined && ++this.#sinceYield > this.#tasksPerTurn) {
      this.#sinceYield = 1;
      let turn: Promise<void>;
      try {
        turn = Promise.resolve(this.#yieldToHost());
      } catch {
        // A host that cannot yield gets the task at once rather than a lane that never moves.
        turn = Promise.resolve();
      }
      turn.then(go, go);
      return;
    }
    // A microtask later, as a task chained on the previous one's promise would start: a caller's
    // synchronous code after `run` finishes before the task begins.
    queueMicrotask(go);
  }
}

/** A FIFO of task starters with O(1) push and shift (an array's `shift` moves every element). */
class TaskQueue {
  #items: ((() => Promise<void>) | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: () => Promise<void>): void {
    this.#items.push(item);
  }

  shift(): (() => Promise<void>) | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    // Drop the consumed prefix once it is most of the array, so its memory follows the queue.
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    } else if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    }
    return item;
  }
}
