import type { JouleError } from '../errors.js';
import type { Logger } from './ports.js';

/**
 * The driver's one-way stop for good: the first `halt` records why and tells the listeners
 * (the node stops and tells its operator); later ones are ignored.
 */
export class HaltSignal {
  #error: JouleError | null = null;
  #listeners: ((error: JouleError) => void)[] = [];

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
    log.warn({ error: error.toJSON() }, 'consensus halted');
    for (const listener of this.#listeners) listener(error);
  }
}
