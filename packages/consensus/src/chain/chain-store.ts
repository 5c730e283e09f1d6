import type { Block } from '../block/block.js';
import type { Commit } from '../block/commit.js';
import type { ValidatorSet } from '../validators/validator-set.js';
import type { ChainState } from './chain-state.js';

/**
 * Committed blocks, their commits and the chain state, as the driver needs them. @joule/state
 * implements it on LevelDB so that `saveBlock` joins the application's commit in one atomic,
 * synced batch; the simulator keeps it in memory.
 *
 * Order of a commit in the driver: `app.finalizeBlock` → `store.saveBlock` → `app.commit`. An
 * implementation that shares the application's database stages `saveBlock` and writes it with the
 * application's batch; one that does not writes it durably before resolving.
 */
export interface ChainStore {
  /** Height of the last saved block (0 when empty). */
  height(): number;
  /** Lowest height still stored (after pruning); 0 when empty. */
  base(): number;
  loadState(): Promise<ChainState | null>;
  loadBlock(height: number): Promise<Block | null>;
  /** The commit that decided the block at `height` (the one this node saw, or the next block's lastCommit). */
  loadCommit(height: number): Promise<Commit | null>;
  /** The validator set that signed blocks at `height`, while retained. */
  loadValidators(height: number): Promise<ValidatorSet | null>;
  /** Saves `block` with the commit that decided it and the chain state after it. */
  saveBlock(block: Block, commit: Commit, state: ChainState): Promise<void>;
  /** Saves the state built at genesis, before any block. */
  saveGenesisState(state: ChainState): Promise<void>;
  /** Removes blocks and commits below `retainHeight`; returns how many heights were pruned. */
  prune(retainHeight: number): Promise<number>;
}
