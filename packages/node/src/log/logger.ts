import { type Logger as Pino, pino } from 'pino';
import pretty from 'pino-pretty';
import type { NodeConfig } from '../home/config-schema.js';

export type LogModule = 'node' | 'consensus' | 'mempool' | 'p2p' | 'api' | 'state';

/** The node's loggers: one root, and a child per module with its own level. */
export interface NodeLoggers {
  readonly root: Pino;
  for(module: LogModule): Pino;
}

/**
 * pino, writing JSON lines to stdout (or to `destination`), or human-readable lines through
 * pino-pretty when `format` is `pretty`, or `auto` on a terminal. Pretty printing runs in-process
 * (no worker thread, which would cost a board several MB).
 */
export function createLoggers(
  config: NodeConfig['log'],
  destination: NodeJS.WritableStream = process.stdout,
): NodeLoggers {
  const usePretty =
    config.format === 'pretty' ||
    (config.format === 'auto' && (destination as { isTTY?: boolean }).isTTY === true);
  const stream = usePretty ? pretty({ colorize: true, destination, sync: true }) : destination;
  const levels = Object.values(config.modules);
  const lowest = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].find(
    (l) => l === config.level || levels.includes(l),
  );
  const root = pino({ level: lowest ?? config.level, base: { pid: process.pid } }, stream);
  const children = new Map<string, Pino>();
  return {
    root,
    for(module) {
      let child = children.get(module);
      if (child === undefined) {
        child = root.child({ module }, { level: config.modules[module] ?? config.level });
        children.set(module, child);
      }
      return child;
    },
  };
}
