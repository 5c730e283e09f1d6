import type { ComponentLogger, Logger } from '@libp2p/interface';

const noop = (): void => {};

/** A disabled libp2p logger: one object for every component and scope. */
const silent: Logger = Object.assign((_formatter: unknown, ..._args: unknown[]): void => {}, {
  error: noop,
  trace: noop,
  enabled: false,
  newScope: (): Logger => silent,
});

/**
 * libp2p's logger when its debug logs are off. The default one (`debug`) builds a logger, and asks
 * whether stderr is a terminal, for every connection and every stream even when nothing is logged:
 * on a node that opens a stream per block-sync poll that was most of its idle CPU.
 */
export const silentLogger: ComponentLogger = { forComponent: () => silent };
