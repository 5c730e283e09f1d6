import { type Clock, systemClock } from '@joule/consensus';

/**
 * The clock a node hands to consensus: the host's, shifted by `[testing] clock_offset_ms` (0 in
 * production). Fault-injection tests use the offset to run one node minutes ahead or behind the
 * others without touching the machine's clock; timers are not shifted (a wrong clock still ticks
 * at the right rate).
 */
export function nodeClock(offsetMs: number): Clock {
  if (offsetMs === 0) return systemClock;
  return {
    now: () => systemClock.now() + offsetMs,
    setTimer: (delayMs, callback) => systemClock.setTimer(delayMs, callback),
  };
}
