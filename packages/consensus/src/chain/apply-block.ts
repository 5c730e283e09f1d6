import type { Application, CommitResponse, Misbehavior } from '../app/application.js';
import type { Block } from '../block/block.js';
import type { BlockId } from '../block/block-id.js';
import type { Commit } from '../block/commit.js';
import type { TxPool } from '../driver/ports.js';
import type { ChainState } from './chain-state.js';
import type { ChainStore } from './chain-store.js';
import { AppResponseError } from './errors.js';
import { nextChainState } from './update-state.js';

/** The evidence a block carries, as the application receives it in `finalizeBlock`. */
export function misbehaviorOf(block: Block): Misbehavior[] {
  return block.evidence.map((evidence) => ({
    kind: 'duplicate-vote',
    validatorAddress: evidence.voteA.validatorAddress,
    height: evidence.voteA.height,
    time: block.header.time,
    evidence,
  }));
}

/**
 * The commit step of a decided block, shared by the consensus driver and block sync:
 * `finalizeBlock`, the next chain state, `store.saveBlock`, then `app.commit` (with a LevelDB
 * chain store these two are one atomic batch). With a mempool, `app.commit` and the mempool's
 * update run as one step of the mempool (`commitWith`), so no transaction is checked against the
 * committed state before the pool's remaining transactions are rechecked onto it. Returns the new
 * state, the application's retain height and the mempool update's failure (the block is committed
 * all the same); the caller updates its evidence pool and prunes.
 */
export async function applyBlock(
  deps: {
    readonly app: Pick<Application, 'finalizeBlock' | 'commit'>;
    readonly store: ChainStore;
    readonly mempool?: Pick<TxPool, 'commitWith'>;
  },
  state: ChainState,
  block: Block,
  blockId: BlockId,
  commit: Commit,
): Promise<{
  next: ChainState;
  retainHeight: CommitResponse['retainHeight'];
  mempoolError: Error | null;
}> {
  const response = await deps.app.finalizeBlock({
    block,
    hash: blockId.hash,
    misbehavior: misbehaviorOf(block),
  });
  if (response.txResults.length !== block.txs.length) {
    throw new AppResponseError(
      `application returned ${response.txResults.length} results for ${block.txs.length} transactions`,
      {
        height: block.header.height,
        results: response.txResults.length,
        txs: block.txs.length,
      },
    );
  }
  const next = nextChainState(state, block, blockId, response);
  await deps.store.saveBlock(block, commit, next);
  const commitApp = () => deps.app.commit();
  if (deps.mempool === undefined) return { next, ...(await commitApp()), mempoolError: null };
  const done = await deps.mempool.commitWith(block.header.height, block.txs, commitApp);
  return { next, retainHeight: done.result.retainHeight, mempoolError: done.updateError };
}
