import { constants } from 'node:os';

/**
 * The signals that stop a soak. SIGHUP with SIGINT and SIGTERM: the soak's nodes run in sessions
 * of their own (out of reach of a Ctrl-C meant for the soak), so a closed terminal's hang-up reaches
 * the soak alone, and the soak must stop them.
 */
export const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof stopSignals)[number];

/**
 * The first signal again within this many milliseconds is the same request delivered twice, not a
 * second one: a terminal's Ctrl-C reaches every process of the foreground group, and `npm run`
 * forwards the SIGINT it receives to its script, which can be the soak itself when the shell
 * replaced itself by its last command.
 */
export const repeatSignalGraceMs = 1_000;

export interface StopHandlers {
  /** The first signal: stop sending load, finish the run and report it. */
  stop(signal: StopSignal): void;
  /** Another signal during the stop: write what there is and exit now. `first` started the stop. */
  now(signal: StopSignal, first: StopSignal): void;
}

/** Where the signals come from: `process`, or an emitter in tests. */
export interface SignalSource {
  on(event: StopSignal, listener: (signal: StopSignal) => void): unknown;
  off(event: StopSignal, listener: (signal: StopSignal) => void): unknown;
}

/**
 * Listens for the stop signals: the first calls `handlers.stop`, any later one `handlers.now`
 * (but the first signal repeated within `repeatSignalGraceMs`, which is ignored). Returns the
 * function that stops listening; the signals then have their default effect again (the process
 * ends).
 */
export function onStopSignals(
  handlers: StopHandlers,
  source: SignalSource = process,
  clock: () => number = () => performance.now(),
): () => void {
  let first: { readonly signal: StopSignal; readonly at: number } | undefined;
  const listener = (signal: StopSignal): void => {
    const at = clock();
    if (first === undefined) {
      first = { signal, at };
      handlers.stop(signal);
    } else if (signal !== first.signal || at - first.at >= repeatSignalGraceMs)
      handlers.now(signal, first.signal);
  };
  for (const signal of stopSignals) source.on(signal, listener);
  return () => {
    for (const signal of stopSignals) source.off(signal, listener);
  };
}

/**
 * The exit code of a soak ended at once by `signal`: 128 + the signal's number, as a shell reports a
 * process a signal killed (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). A graceful stop
 * exits with 0: its report is written, and says that the run is partial.
 */
export function immediateExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}
