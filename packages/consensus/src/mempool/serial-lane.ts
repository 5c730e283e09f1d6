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
    return this.#urgent.length + this.#ordinary.length + (this.#running ? 1 : 0);
  }

  #queue<T>(queue: TaskQueue, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        let result: Promise<T>;
        try {
          result = task();
        } catch (error) {
          result = Promise.reject(error);
        }
        return result.then(resolve, reject);
      });
      if (!this.#running) this.#next();
    });
  }

  /** Starts the next task, urgent first; each task's end starts the one after it. */
  #next(): void {
    const start = this.#urgent.shift() ?? this.#ordinary.shift();
    if (start === undefined) {
      this.#running = false;
      // An idle lane has let the host run; its next backlog gets a full turn's worth of tasks.
      this.#sinceYield = 0;
      return;
    }
    this.#running = true;
    const go = () => {
      start().then(() => this.#next());
    };
    if (this.#yieldToHost !== undefined && ++this.#sinceYield > this.#tasksPerTurn) {
      this.#sinceYield = 1;
      this.#yieldToHost().then(go, go);
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
