/**
 * Time and timers for the driver. Consensus logic never reads the wall clock or sets a timer
 * itself: it asks its `Clock`. The node passes `systemClock`; the simulator passes a virtual one
 * whose time moves only when the simulation says so.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `callback` after `delayMs`; the returned function cancels it. */
  setTimer(delayMs: number, callback: () => void): () => void;
}

/** A seeded source of randomness for anything in consensus that needs one. */
export interface Rng {
  /** A uniformly distributed integer in [0, 2^32). */
  nextUint32(): number;
}
