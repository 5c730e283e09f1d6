import type { JouleNode } from './node.js';

/** Grace given to a stopped node's process to exit by itself before it is told what keeps it alive. */
const exitGraceMs = 10_000;

/**
 * Graceful shutdown on SIGTERM and SIGINT: the first signal stops the node (no new txs, consensus
 * stopped, stores flushed and closed, the home unlocked) and lets the process end on its own — a
 * stopped node holds no timer or socket, so it does; a second signal exits at once (code 130).
 * Returns a function that removes the handlers.
 */
export function handleSignals(
  node: JouleNode,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const log = node.log.for('node');
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without a graceful shutdown');
      exit(130);
      return;
    }
    stopping = true;
    log.info({ signal }, 'stopping (send the signal again to exit at once)');
    node.stop().then(
      () => {
        remove();
        process.exitCode = 0;
        const timer = setTimeout(() => {
          log.warn({}, 'the process did not exit after the node stopped; exiting');
          exit(0);
        }, exitGraceMs);
        timer.unref();
      },
      (error: unknown) => {
        log.error({ error: String(error) }, 'shutdown failed');
        remove();
        exit(1);
      },
    );
  };
  const remove = (): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return remove;
}
