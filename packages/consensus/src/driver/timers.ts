import type { Clock } from './clock.js';

/** The timers a component set on its clock, so that stopping it cancels every one still pending. */
export class Timers {
  readonly #clock: Clock;
  readonly #pending = new Set<() => void>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Calls `callback` after `delayMs` unless cancelled first. */
  set(delayMs: number, callback: () => void): void {
    const cancel = this.#clock.setTimer(delayMs, () => {
      this.#pending.delete(cancel);
      callback();
    });
    this.#pending.add(cancel);
  }

  cancelAll(): void {
    for (const cancel of this.#pending) cancel();
    this.#pending.clear();
  }
}
