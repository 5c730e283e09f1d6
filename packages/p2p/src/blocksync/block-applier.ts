import {
  type Application,
  applyBlock,
  type Block,
  blockId,
  type ChainState,
  type ChainStore,
  type Commit,
  checkBlock,
  type EvidenceSource,
  type TxPool,
  verifyCommit,
} from '@joule/consensus';

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
 * Applies a block with the driver's own commit step (`applyBlock` of @joule/consensus:
 * `finalizeBlock`, the next chain state, `store.saveBlock` then `app.commit`, one atomic batch with
 * LevelDB stores, the mempool updated in the same step), then updates the evidence pool and prunes
 * old blocks.
 */
export class StoreBlockApplier implements BlockApplier {
  readonly #d: StoreBlockApplierDependencies;

  constructor(deps: StoreBlockApplierDependencies) {
    this.#d = deps;
  }

  async apply(state: ChainState, block: Block, commit: Commit): Promise<ChainState> {
    const { next, retainHeight, mempoolError } = await applyBlock(
      this.#d,
      state,
      block,
      blockId(block),
      commit,
    );
    // The block is committed; a failed mempool update is a bug of the caller's heights.
    if (mempoolError !== null) throw mempoolError;
    const height = block.header.height;
    this.#d.evidence?.update(height, block.header.time, block.evidence);
    if (retainHeight > this.#d.store.base()) await this.#d.store.prune(retainHeight);
    return next;
  }
}
