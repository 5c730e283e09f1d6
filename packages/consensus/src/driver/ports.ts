import type { DuplicateVoteEvidence } from '../vote/evidence.js';
import type { Proposal } from '../vote/proposal.js';
import type { Vote } from '../vote/vote.js';

/** What the driver needs of a validator's signer: the double-sign guard implements it. */
export interface Signer {
  /** The validator's address. */
  readonly address: Uint8Array;
  signVote(vote: Omit<Vote, 'signature'>): Promise<Vote>;
  signProposal(proposal: Omit<Proposal, 'signature'>): Promise<Proposal>;
}

/** What the driver needs of the mempool. */
export interface TxPool {
  reap(maxBytes: number, maxGas: number): Uint8Array[];
  update(height: number, committed: readonly Uint8Array[]): Promise<void>;
  /** `commit`, then `update`, with no admission between them (see `Mempool.commitWith`). */
  commitWith<T>(
    height: number,
    committed: readonly Uint8Array[],
    commit: () => Promise<T>,
  ): Promise<{ result: T; updateError: Error | null }>;
  size(): number;
  /** Calls `callback` when the pool holds transactions for a block; returns a function that unsubscribes. */
  onTxsAvailable(callback: () => void): () => void;
}

/** What the driver needs of the evidence pool. `now` is the last committed height and its time. */
export interface EvidenceSource {
  pending(maxBytes: number): DuplicateVoteEvidence[];
  checkBlockEvidence(
    evidence: readonly DuplicateVoteEvidence[],
    now: { height: number; time: number },
  ): Promise<void>;
  add(evidence: DuplicateVoteEvidence, now: { height: number; time: number }): Promise<void>;
  update(height: number, time: number, committed: readonly DuplicateVoteEvidence[]): void;
}

/** Structured log lines; the node passes pino, the simulator a trace buffer. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {} };
