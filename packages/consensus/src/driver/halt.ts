import { JouleError } from '../errors.js';
import type { SignPosition } from '../signer/guard.js';
import type { Logger } from './ports.js';

/**
 * The consensus driver stopped for good: going on would risk the chain's safety or hide a broken
 * node. The driver cancels its timers, takes no more input, tells its `onHalt` listeners, and a
 * `start()` that was under way (or comes later) rejects with the same error. An operator has to look.
 */
export class ConsensusHaltError extends JouleError {}

/**
 * The application threw during consensus (`prepareProposal`, `processProposal`). A throw is not a
 * verdict: counting it as "invalid" would let a node prevote against its own lock. The cause is kept.
 */
export class ApplicationFailedError extends ConsensusHaltError {
  constructor(method: string, height: number, cause: unknown) {
    super(
      'CONSENSUS_APP_FAILED',
      `the application's ${method} failed at height ${height}: ${describe(cause)}`,
      {
        method,
        height,
      },
    );
    this.cause = cause;
  }
}

/**
 * A decided block could not be committed (`finalizeBlock`, the block store, `commit`). The node
 * cannot build on a block it did not apply, and must not wait in the commit step without a word.
 */
export class CommitFailedError extends ConsensusHaltError {
  /** `cause`: the failure, or a description when there was no thrown error. */
  constructor(height: number, round: number, cause: unknown) {
    super(
      'CONSENSUS_COMMIT_FAILED',
      `committing the block decided at height ${height} failed: ${describe(cause)}`,
      {
        height,
        round,
      },
    );
    this.cause = cause;
  }
}

/**
 * After the WAL of the current height was replayed, the engine had not re-derived the last vote
 * the double-sign guard signed at this height: the WAL was lost or does not match the signer
 * state, so the engine's lock cannot be trusted to be the one that vote was signed under.
 */
export class ReplayMismatchError extends ConsensusHaltError {
  constructor(height: number, signed: SignPosition) {
    super(
      'CONSENSUS_REPLAY_MISMATCH',
      `the WAL of height ${height} does not re-derive the vote signed at round ${signed.round} step ${signed.step}: the WAL was lost or does not belong to this signer state`,
      { height, round: signed.round, step: signed.step },
    );
  }
}

/**
 * +2/3 of the power committed a block that this node's chain rules refuse (as CometBFT's "+2/3
 * committed an invalid block"). The rules, evidence included, are a function of the chain, so
 * this node's chain store or state has diverged from the network's (or more than 1/3 of the power
 * is faulty): the driver halts rather than build on a chain it holds invalid, or wait forever.
 */
export class DecidedBlockRefusedError extends ConsensusHaltError {
  constructor(context: { height: number; hash: string; reason: string; code?: string }) {
    super(
      'DECIDED_BLOCK_REFUSED',
      `+2/3 committed block ${context.height} (${context.hash.slice(0, 12)}), which this node's chain rules refuse: ${context.reason}`,
      context,
    );
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** A driver's halt: the first error is kept, logged and told once to every listener. */
export class HaltLatch {
  #error: ConsensusHaltError | null = null;
  #listeners: ((error: ConsensusHaltError) => void)[] = [];

  get error(): ConsensusHaltError | null {
    return this.#error;
  }

  /** Adds a listener; returns a function that removes it. */
  listen(listener: (error: ConsensusHaltError) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Throws the halt, if there was one. */
  check(): void {
    if (this.#error !== null) throw this.#error;
  }

  /** Keeps `error` if it is the first, logs it and tells the listeners; a later one is ignored. */
  trip(error: ConsensusHaltError, log: Logger): void {
    if (this.#error !== null) return;
    this.#error = error;
    const fields = { code: error.code, ...error.context, error: error.message };
    if (log.error === undefined) log.warn(fields, 'consensus halted');
    else log.error(fields, 'consensus halted');
    for (const listener of this.#listeners) listener(error);
  }
}
