import {
  type Application,
  type Block,
  blockId,
  type ChainState,
  type ChainStore,
  type Commit,
  checkBlock,
  type EvidenceSource,
  type Misbehavior,
  nextChainState,
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
  readonly mempool?: Pick<TxPool, 'update'>;
  readonly evidence?: Pick<EvidenceSource, 'update'>;
}

/**
 * Applies a block the way the consensus driver commits one (its `#finalize`): `finalizeBlock`,
 * the next chain state, `store.saveBlock` then `app.commit` (one atomic batch with LevelDB
 * stores), the mempool and evidence pool updated, old blocks pruned. Stand-in until the driver
 * exposes this step (see the package README).
 */
export class StoreBlockApplier implements BlockApplier {
  readonly #d: StoreBlockApplierDependencies;

  constructor(deps: StoreBlockApplierDependencies) {
    this.#d = deps;
  }

  async apply(state: ChainState, block: Block, commit: Commit): Promise<ChainState> {
    const id = blockId(block);
    const response = await this.#d.app.finalizeBlock({
      block,
      hash: id.hash,
      misbehavior: misbehaviorOf(block),
    });
    if (response.txResults.length !== block.txs.length) {
      throw new Error(
        `application returned ${response.txResults.length} results for ${block.txs.length} transactions`,
      );
    }
    const next = nextChainState(state, block, id, response);
    await this.#d.store.saveBlock(block, commit, next);
    const { retainHeight } = await this.#d.app.commit();
    const height = block.header.height;
    await this.#d.mempool?.update(height, block.txs);
    this.#d.evidence?.update(height, block.header.time, block.evidence);
    if (retainHeight > this.#d.store.base()) await this.#d.store.prune(retainHeight);
    return next;
  }
}

function misbehaviorOf(block: Block): Misbehavior[] {
  return block.evidence.map((evidence) => ({
    kind: 'duplicate-vote',
    validatorAddress: evidence.voteA.validatorAddress,
    height: evidence.voteA.height,
    time: block.header.time,
    evidence,
  }));
}
