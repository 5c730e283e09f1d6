import { type Logger as Pino, pino } from 'pino';
import type { NodeConfig } from '../home/config-schema.js';
import { isoTime } from './utc-time.js';

export type LogModule = 'node' | 'consensus' | 'mempool' | 'p2p' | 'api' | 'state';

/** The node's loggers: one root, and a child per module with its own level. */
export interface NodeLoggers {
  readonly root: Pino;
  for(module: LogModule): Pino;
}

/**
 * pino, writing JSON lines to stdout (or to `destination`), or human-readable lines through
 * pino-pretty when `format` is `pretty`, or `auto` on a terminal. Pretty printing runs in-process
 * (no worker thread, which would cost a board several MB), and pino-pretty is loaded only then: a
 * node under systemd writes JSON and never pays for it (~1 MB of heap).
 */
export async function createLoggers(
  config: NodeConfig['log'],
  destination: NodeJS.WritableStream = process.stdout,
): Promise<NodeLoggers> {
  const usePretty =
    config.format === 'pretty' ||
    (config.format === 'auto' && (destination as { isTTY?: boolean }).isTTY === true);
  const stream = usePretty
    ? (await import('pino-pretty')).default({ colorize: true, destination, sync: true })
    : destination;
  const levels = Object.values(config.modules);
  const lowest = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].find(
    (l) => l === config.level || levels.includes(l),
  );
  // Level names and ISO 8601 times ("level":"info","time":"2026-03-01T12:00:00.000Z"), as journald
  // readers and log shippers expect; pino-pretty reads both. The time is pino's `isoTime` written
  // without a `Date` (./utc-time.ts: ICU's zone data stays unloaded).
  const root = pino(
    {
      level: lowest ?? config.level,
      base: { pid: process.pid },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: () => `,"time":"${isoTime(Date.now())}"`,
    },
    stream,
  );
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
