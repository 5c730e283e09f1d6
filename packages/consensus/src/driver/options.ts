import type { Application } from '../app/application.js';
import type { Block } from '../block/block.js';
import type { Commit } from '../block/commit.js';
import type { ChainState } from '../chain/chain-state.js';
import type { ChainStore } from '../chain/chain-store.js';
import type { Genesis } from '../chain/update-state.js';
import { defaultTimeouts, type Timeouts } from '../engine/types.js';
import type { Wal } from '../wal/wal.js';
import type { Clock } from './clock.js';
import {
  maxFutureMessages,
  maxPendingInputs,
  maxPendingInputsPerPeer,
  maxProposalRoundsAhead,
} from './limits.js';
import type { EvidenceSource, Logger, Signer, TxPool } from './ports.js';
import type { Transport } from './transport.js';

export interface DriverOptions {
  readonly timeouts: Timeouts;
  /** As CometBFT: false waits for transactions (or the interval, or a needed proof block) before each height. */
  readonly createEmptyBlocks: boolean;
  /** With `createEmptyBlocks` false, still make a block after this long (0: never). */
  readonly createEmptyBlocksIntervalMs: number;
  /**
   * With `createEmptyBlocks` false: how long a height whose only reason to exist is the proof
   * block (the last block changed the app hash, and the mempool is empty) waits for a transaction
   * before it starts anyway, ms. A transaction that comes in that time starts the height at once,
   * and its block carries the app hash: with transactions closer together than the delay, one
   * height per transaction instead of two, and none waits for a proof block in progress. The app
   * hash is in a header this much later when none comes. The round's proposer's value decides when
   * its proof block comes, so every validator should run the same one. 0 (the default, as
   * CometBFT): the proof block starts at once.
   */
  readonly proofBlockDelayMs: number;
  /**
   * As CometBFT's `skip_timeout_commit`: once precommits for the decided block from every
   * validator (100 % of the power) are in, the next height starts without waiting out
   * `timeouts.commitMs` (nothing is left to wait for). Off by default.
   */
  readonly skipTimeoutCommit: boolean;
  /** Period of the rebroadcast of own votes and status, ms. */
  readonly rebroadcastMs: number;
  /** Most peer inputs waiting to be processed; more are dropped (reported as `ignore`). */
  readonly maxPendingInputs: number;
  /** Most inputs one peer may have waiting (its fair share of `maxPendingInputs`). */
  readonly maxPendingInputsPerPeer: number;
  /** Most messages for the next height kept until it starts. */
  readonly maxFutureMessages: number;
  /** Proposals are accepted for at most this many rounds above the current one. */
  readonly maxProposalRoundsAhead: number;
}

export const defaultDriverOptions: DriverOptions = {
  timeouts: defaultTimeouts,
  createEmptyBlocks: true,
  createEmptyBlocksIntervalMs: 0,
  proofBlockDelayMs: 0,
  skipTimeoutCommit: false,
  rebroadcastMs: 2000,
  maxPendingInputs,
  maxPendingInputsPerPeer,
  maxFutureMessages,
  maxProposalRoundsAhead,
};

export interface DriverDeps {
  readonly genesis: Genesis;
  readonly app: Application;
  readonly store: ChainStore;
  readonly wal: Wal;
  readonly transport: Transport;
  readonly clock: Clock;
  /** `null` for a node that follows the chain without voting. */
  readonly signer: Signer | null;
  readonly mempool: TxPool;
  readonly evidence: EvidenceSource;
  readonly logger?: Logger;
}

/** A committed block as the driver reports it to observers. */
export interface CommittedEvent {
  readonly block: Block;
  readonly commit: Commit;
  readonly state: ChainState;
}
