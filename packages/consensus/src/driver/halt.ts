import { JouleError } from '../errors.js';
import type { SignPosition } from '../signer/guard.js';

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

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
