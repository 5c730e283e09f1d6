/**
 * A long-lived component that owns timers, handlers, streams or file handles, in js-libp2p's
 * shape: `start` acquires them, `stop` releases every one (a stopped component leaves nothing
 * running), and both are idempotent. The optional hooks run around them when several components
 * start or stop together (every `beforeStart`, then every `start`, then every `afterStart`).
 */
export interface Startable {
  beforeStart?(): void | Promise<void>;
  start(): void | Promise<void>;
  afterStart?(): void | Promise<void>;
  beforeStop?(): void | Promise<void>;
  stop(): void | Promise<void>;
  afterStop?(): void | Promise<void>;
}
