import {
  type Application,
  type Block,
  blockId,
  type ChainState,
  type ChainStore,
  type Commit,
  type EvidenceSource,
  type TxPool,
  verifyCommit,
} from '@joule/consensus';
import { checkBlock, commitBlock } from '@joule/consensus/internal';

/**
 * Checks that `block` with `commit` is the next block after `state`: the commit holds more than
 * 2/3 of the power of the validators the node already trusts (`state.validators`) for exactly this
 * block, and the block fits the chain (CometBFT's validateBlock: header, last commit, time, size).
 * Throws `InvalidCommitError` or `InvalidBlockError`.
 */
export function verifySyncedBlock(state: ChainState, block: Block, commit: Commit): void {
  const height = state.lastBlockHeight + 1;
  verifyCommit(state.chainId, state.validators, blockId(block), height, commit);
  checkBlock(state, block);
}

/** Applies a verified block; the node's consensus driver is stopped meanwhile. */
export interface BlockApplier {
  apply(state: ChainState, block: Block, commit: Commit): Promise<ChainState>;
}

export interface StoreBlockApplierDependencies {
  readonly app: Pick<Application, 'finalizeBlock' | 'commit'>;
  readonly store: ChainStore;
  readonly mempool?: Pick<TxPool, 'commitWith'>;
  readonly evidence?: Pick<EvidenceSource, 'update'>;
}

/**
 * Applies a block with the driver's own commit step (`commitBlock` of @joule/consensus:
 * `finalizeBlock`, the next chain state, `store.saveBlock` then `app.commit`, one atomic batch with
 * LevelDB stores, the mempool updated in the same step, then the evidence pool and the pruning of
 * old blocks). A failure of any of these steps is thrown (the block may be committed by then).
 */
export class StoreBlockApplier implements BlockApplier {
  readonly #d: StoreBlockApplierDependencies;

  constructor(deps: StoreBlockApplierDependencies) {
    this.#d = deps;
  }

  async apply(state: ChainState, block: Block, commit: Commit): Promise<ChainState> {
    const { next, failures } = await commitBlock(this.#d, state, block, blockId(block), commit);
    // The block is committed; a failed step after it is a bug of the caller's heights or a
    // failing store: block sync stops on it.
    const failure = failures[0];
    if (failure !== undefined) throw failure.error;
    return next;
  }
}
