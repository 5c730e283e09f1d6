import type { JouleError } from '../errors.js';
import type { Logger } from './ports.js';

/**
 * The driver's one-way stop for good: the first `halt` stops the driver (its inputs and timers),
 * records why and tells the listeners (the node stops and tells its operator); later ones are
 * ignored, and a halted driver does not start again (block sync restarts it per session).
 */
export class HaltSignal {
  readonly #stop: () => Promise<void>;
  #error: JouleError | null = null;
  #listeners: ((error: JouleError) => void)[] = [];

  constructor(stop: () => Promise<void>) {
    this.#stop = stop;
  }

  /** Why the driver halted, or `null` while it has not. */
  get error(): JouleError | null {
    return this.#error;
  }

  /** Calls `listener` once, when the driver halts; returns the unsubscribe. */
  on(listener: (error: JouleError) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Records `error`, logs it and tells the listeners (the first time only). */
  halt(error: JouleError, log: Logger): void {
    if (this.#error !== null) return;
    this.#error = error;
    void this.#stop(); // called from inside the driver's input queue: not awaited
    log.warn({ error: error.toJSON() }, 'consensus halted');
    for (const listener of this.#listeners) listener(error);
  }
}
