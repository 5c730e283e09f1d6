import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  immediateExitCode,
  onStopSignals,
  repeatSignalGraceMs,
  type StopSignal,
  stopSignals,
} from './soak-stop.js';

/** Signals from an emitter, on a clock the test moves. */
function harness() {
  const source = new EventEmitter();
  let clock = 0;
  const calls: string[] = [];
  const unlisten = onStopSignals(
    {
      stop: (signal) => calls.push(`stop ${signal}`),
      now: (signal, first) => calls.push(`now ${signal} after ${first}`),
    },
    source,
    () => clock,
  );
  return {
    calls,
    unlisten,
    source,
    send(signal: StopSignal, afterMs = 0) {
      clock += afterMs;
      source.emit(signal, signal);
    },
  };
}

describe('the soak on a stop signal', () => {
  it.each(stopSignals)('stops gracefully on the first %s', (signal) => {
    const h = harness();
    h.send(signal);
    expect(h.calls).toEqual([`stop ${signal}`]);
  });

  it('ends at once on a second signal during the stop', () => {
    const h = harness();
    h.send('SIGTERM');
    h.send('SIGTERM', repeatSignalGraceMs);
    expect(h.calls).toEqual(['stop SIGTERM', 'now SIGTERM after SIGTERM']);
  });

  it('takes the first signal repeated at once for one request (a Ctrl-C that arrives twice)', () => {
    const h = harness();
    h.send('SIGINT');
    h.send('SIGINT', repeatSignalGraceMs - 1);
    expect(h.calls).toEqual(['stop SIGINT']);
    h.send('SIGINT', 1);
    expect(h.calls).toEqual(['stop SIGINT', 'now SIGINT after SIGINT']);
  });

  it('ends at once on another signal than the first, however soon', () => {
    const h = harness();
    h.send('SIGTERM');
    h.send('SIGINT');
    expect(h.calls).toEqual(['stop SIGTERM', 'now SIGINT after SIGTERM']);
  });

  it('stops listening when told, leaving the signals their default effect', () => {
    const h = harness();
    expect(stopSignals.map((s) => h.source.listenerCount(s))).toEqual([1, 1, 1]);
    h.unlisten();
    expect(stopSignals.map((s) => h.source.listenerCount(s))).toEqual([0, 0, 0]);
    h.send('SIGTERM');
    expect(h.calls).toEqual([]);
  });

  it('exits at once with 128 + the signal number, as a shell reports a process killed by it', () => {
    expect(stopSignals.map(immediateExitCode)).toEqual([130, 143, 129]);
  });
});
