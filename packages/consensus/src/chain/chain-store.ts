import type { Block } from '../block/block.js';
import type { Commit } from '../block/commit.js';
import type { ValidatorSet } from '../validators/validator-set.js';
import type { DuplicateVoteEvidence } from '../vote/evidence.js';
import type { ChainState } from './chain-state.js';

/**
 * Committed blocks, their commits and the chain state, as the driver needs them. @joule/state
 * implements it on LevelDB so that `saveBlock` joins the application's commit in one atomic,
 * synced batch; the simulator keeps it in memory.
 *
 * Order of a commit in the driver: `app.finalizeBlock` → `store.saveBlock` → `app.commit`. An
 * implementation that shares the application's database stages `saveBlock` and writes it with the
 * application's batch; one that does not writes it durably before resolving.
 *
 * The evidence window (see `evidence/window.ts`): whatever verifying evidence reads is kept as long
 * as evidence of that height can be valid, whatever the retain height — the validators (one record
 * per change of the set) and block time of every height from the window's base up, and the index
 * of committed misbehaviour, whose entries go in the batch of the block at which their evidence
 * expires. So a pruning node and an archive node, a node that ran for months and one that just
 * restarted, give every block's evidence the same verdict.
 */
export interface ChainStore {
  /** Height of the last saved block (0 when empty). */
  height(): number;
  /** Lowest height still stored (after pruning); 0 when empty. */
  base(): number;
  /**
   * Base of the evidence window at the stored tip: the lowest height whose evidence can still be
   * valid (`evidenceWindowBase` with the chain's consensus parameters); 0 when empty.
   */
  evidenceBase(): number;
  loadState(): Promise<ChainState | null>;
  loadBlock(height: number): Promise<Block | null>;
  /** The commit that decided the block at `height` (the one this node saw, or the next block's lastCommit). */
  loadCommit(height: number): Promise<Commit | null>;
  /** The validator set that signed blocks at `height`, while retained. */
  loadValidators(height: number): Promise<ValidatorSet | null>;
  /**
   * The validators of a committed height as evidence verification reads them (`evidenceValidators`:
   * proposer priorities zeroed), from the evidence window's base up, whatever the retain height.
   */
  loadEvidenceValidators(height: number): Promise<ValidatorSet | null>;
  /** The block time (Unix ms) of a committed height: kept while its block is, and inside the evidence window. */
  loadBlockTime(height: number): Promise<number | null>;
  /**
   * The height of the block that committed the misbehaviour `evidence` proves (its slot: validator,
   * height, round, vote type; see `evidenceKey`), or `null`. Kept until that evidence expires;
   * one indexed read.
   */
  loadCommittedEvidence(evidence: DuplicateVoteEvidence): Promise<number | null>;
  /**
   * Saves `block` with the commit that decided it and the chain state after it, indexes the
   * misbehaviour of its evidence, and forgets the committed misbehaviour that expires at it.
   */
  saveBlock(block: Block, commit: Commit, state: ChainState): Promise<void>;
  /** Saves the state built at genesis, before any block. */
  saveGenesisState(state: ChainState): Promise<void>;
  /**
   * Removes blocks, commits and validator sets below `retainHeight` (what evidence needs below it
   * stays while inside the evidence window); returns how many heights were pruned.
   */
  prune(retainHeight: number): Promise<number>;
}
