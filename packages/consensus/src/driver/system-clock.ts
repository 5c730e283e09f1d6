import type { Clock } from './clock.js';

/** The host's clock: `Date.now` and `setTimeout` (unref'd, so a stopped node can exit). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, callback) {
    const handle = setTimeout(callback, delayMs);
    handle.unref?.();
    return () => clearTimeout(handle);
  },
};
