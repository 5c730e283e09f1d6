import type { Commit } from '../block/commit.js';
import type { Input } from '../engine/types.js';
import type { CatchUpBudget } from './catch-up-budget.js';
import type { HeightContext } from './height-context.js';
import type { FutureMessages } from './inbound.js';
import type { DecisionMessage } from './messages.js';
import type { DriverDeps, DriverOptions } from './options.js';
import { type PeerFaultCode, peerFault } from './peer-fault.js';
import type { Logger } from './ports.js';
import type { PeerId } from './transport.js';
import { encodeWalRecord, type WalRecord } from './wal-records.js';

/** The peer name of the node's own messages (in the WAL and in the engine's inputs). */
export const SELF = 'self';

/**
 * What the driver's modules (catch-up, block validity, signing) see of the running driver: its
 * options and dependencies, the current height, and the few actions they may take. Only the
 * driver implements it; everything here runs inside the driver's serial input queue.
 */
export interface DriverHost {
  readonly options: DriverOptions;
  readonly deps: DriverDeps;
  readonly log: Logger;
  /** The current height. */
  readonly ctx: HeightContext;
  /** Whether the WAL of the current height is being replayed (nothing is written or sent then). */
  readonly replaying: boolean;
  /** The commit of the last committed block (`null` before the first). */
  readonly lastCommit: Commit | null;
  /** The last block this node committed, with its commit, for a peer one height behind. */
  readonly lastDecision: DecisionMessage | null;
  /** Messages for the next height, handled when it starts. */
  readonly future: FutureMessages;
  /** How many status frames of each peer may still be answered (reads and sends of catch-up). */
  readonly catchUp: CatchUpBudget;
  /** Gives the engine one input and carries out its effects. */
  input(input: Input, peer?: PeerId): Promise<void>;
  /** Appends a record to the WAL (not while replaying it). */
  record(record: WalRecord, sync: boolean): Promise<void>;
  /** Refuses a message: the network layer gets `peer` and the typed fault (unless it is this node). */
  reject(peer: PeerId, code: PeerFaultCode): void;
  /** Starts round 0 of a height that waits for something to put in a block, if `trigger` is enough. */
  startHeightIfWaiting(trigger: StartTrigger): void;
  /** After a precommit of a decided height: starts the next one at once if nothing more can come. */
  afterLatePrecommit(): void;
}

/** The driver's own view of its host: the same object, whose state only the driver changes. */
export type MutableDriverHost = { -readonly [K in keyof DriverHost]: DriverHost[K] };

/** What may start a height that waits for transactions (`createEmptyBlocks` false). */
export type StartTrigger = 'enter' | 'txs' | 'interval' | 'proof' | 'vote' | 'proposal';

/**
 * `host.record`: appends `record` to the WAL, unless the WAL is being replayed. A synced record
 * resolves once it is durable; an unsynced one (a peer's message, a timeout) at once. The driver
 * need not wait for an unsynced record to reach the page cache: the log writes records in call
 * order, so the synced record written before any signature makes it durable first, and a log that
 * failed on it refuses that later call too, which halts the driver before anything is signed.
 * Waiting cost a file-system round trip per message on the input queue.
 */
export function writeRecord(host: DriverHost, record: WalRecord, sync: boolean): Promise<void> {
  if (host.replaying) return Promise.resolve();
  const written = host.deps.wal.append(encodeWalRecord(record), { sync });
  if (sync) return written;
  written.catch(() => {});
  return Promise.resolve();
}

/**
 * `host.reject`: tells the network layer that `peer` sent a message refused for `code` (the fault
 * carries its action: see `peer-fault.ts`) — never about this node, nor again on WAL replay.
 */
export function reportFault(host: DriverHost, peer: PeerId, code: PeerFaultCode): void {
  if (peer !== SELF && !host.replaying) host.deps.transport.reportPeer(peer, peerFault(code));
  host.log.debug({ peer, code, height: host.ctx.height }, 'message refused');
}
