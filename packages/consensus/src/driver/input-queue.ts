import { haltFor } from './disk-full.js';
import { HaltLatch } from './halt.js';
import type { Logger } from './ports.js';

/**
 * The driver's one serial input queue: each task runs after the ones queued before it, so the
 * engine sees one input at a time. A task that fails is logged and the queue goes on; a task that
 * throws a `ConsensusHaltError` (or an error `haltFor` turns into one: a full disk, a failed WAL) halts the driver: `quiet` runs (timers and subscriptions end), the
 * halt's listeners learn why, and no task runs after it.
 */
export class InputQueue {
  /** The halt, once there was one; its listeners. */
  readonly halt = new HaltLatch();
  readonly #log: Logger;
  readonly #quiet: () => void;
  #tail: Promise<void> = Promise.resolve();

  constructor(log: Logger, quiet: () => void) {
    this.#log = log;
    this.#quiet = quiet;
  }

  /** Queues `task`; resolves when it ran (or was skipped after a halt), never rejects. */
  run(task: () => Promise<void>): Promise<void> {
    const run = this.#tail
      .then(() => (this.halt.error === null ? task() : undefined))
      .catch((error: unknown) => {
        const halt = haltFor(error);
        if (halt === null) {
          this.#log.warn({ error: String(error), stack: (error as Error)?.stack }, 'consensus input failed');
          return;
        }
        this.#quiet();
        this.halt.trip(halt, this.#log);
      });
    this.#tail = run;
    return run;
  }

  /** Resolves when every task queued so far has run. */
  idle(): Promise<void> {
    return this.#tail;
  }
}
