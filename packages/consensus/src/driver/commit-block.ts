import type { Application } from '../app/application.js';
import type { Block } from '../block/block.js';
import type { BlockId } from '../block/block-id.js';
import type { Commit } from '../block/commit.js';
import { applyBlock } from '../chain/apply-block.js';
import type { ChainState } from '../chain/chain-state.js';
import type { ChainStore } from '../chain/chain-store.js';
import type { DuplicateVoteEvidence } from '../vote/evidence.js';
import type { EvidenceSource, Logger, TxPool } from './ports.js';

export interface CommitBlockDeps {
  readonly app: Pick<Application, 'finalizeBlock' | 'commit'>;
  readonly store: ChainStore;
  readonly mempool?: Pick<TxPool, 'commitWith'>;
  /** `add` is needed only to hand over `ownEvidence`. */
  readonly evidence?: Pick<EvidenceSource, 'update'> & Partial<Pick<EvidenceSource, 'add'>>;
}

/** A step after the block is committed that failed; the block stays committed. */
export interface CommitFailure {
  readonly step: 'mempool update' | 'evidence update' | 'own evidence' | 'pruning';
  readonly error: unknown;
}

/**
 * Commits a decided or synced block — the one commit path of the consensus driver and block
 * sync: `applyBlock` (finalizeBlock, the next chain state, the block store, the application's
 * commit, the mempool's update), then the evidence pool learns the block's evidence and
 * `ownEvidence` (equivocations this node saw in the height), then blocks below the
 * application's retain height are pruned. A failure of `applyBlock` throws; a failure after it
 * is returned in `failures`, in order, and the later steps still run.
 */
export async function commitBlock(
  deps: CommitBlockDeps,
  state: ChainState,
  block: Block,
  blockId: BlockId,
  commit: Commit,
  ownEvidence: readonly DuplicateVoteEvidence[] = [],
): Promise<{ next: ChainState; failures: CommitFailure[] }> {
  const { next, retainHeight, mempoolError } = await applyBlock(deps, state, block, blockId, commit);
  const failures: CommitFailure[] = [];
  if (mempoolError !== null) failures.push({ step: 'mempool update', error: mempoolError });
  const height = block.header.height;
  const evidence = deps.evidence;
  if (evidence !== undefined) {
    try {
      evidence.update(height, block.header.time, block.evidence);
    } catch (error) {
      failures.push({ step: 'evidence update', error });
    }
    for (const piece of ownEvidence) {
      try {
        await evidence.add?.(piece, { height, time: block.header.time });
      } catch (error) {
        failures.push({ step: 'own evidence', error });
      }
    }
  }
  if (retainHeight > deps.store.base()) {
    try {
      await deps.store.prune(retainHeight);
    } catch (error) {
      failures.push({ step: 'pruning', error });
    }
  }
  return { next, failures };
}

/** Logs what failed after a block was committed (never fatal: the block is committed). */
export function logCommitFailures(log: Logger, height: number, failures: readonly CommitFailure[]): void {
  for (const { step, error } of failures) {
    const fields = { error: String(error), height };
    if (step === 'own evidence') log.debug(fields, 'own evidence not added');
    else log.warn(fields, `${step} failed after commit`);
  }
}
