import type { Block } from '../block/block.js';
import type { Commit } from '../block/commit.js';
import type { ChainState } from '../chain/chain-state.js';
import type { ChainStore } from '../chain/chain-store.js';
import { evidenceKey } from '../evidence/verify.js';
import {
  evidenceAgeOf,
  evidenceValidators,
  evidenceWindowBase,
  sameEvidenceValidators,
} from '../evidence/window.js';
import type { ValidatorSet } from '../validators/validator-set.js';
import type { DuplicateVoteEvidence } from '../vote/evidence.js';

/**
 * A chain store in memory, for the simulator and unit tests: every save is immediately durable
 * (it survives a simulated crash, which only drops the node's volatile state). It keeps the
 * evidence window as `ChainStore` says, like the LevelDB store of @joule/state.
 */
export class MemoryChainStore implements ChainStore {
  #state: ChainState | null = null;
  #blocks = new Map<number, Block>();
  #commits = new Map<number, Commit>();
  #validators = new Map<number, ValidatorSet>();
  /** Block times of the evidence window, by height. */
  #times = new Map<number, number>();
  /** Evidence validators from each height at which they changed, in height order. */
  #evidenceSets: { from: number; set: ValidatorSet }[] = [];
  /** Committed misbehaviour by `evidenceKey`: its evidence height and the committing height. */
  #committedEvidence = new Map<string, { height: number; committedAt: number }>();
  #base = 0;
  #height = 0;
  /** Base of the evidence window (see `evidence/window.ts`); 0 when empty. */
  #evidenceBase = 0;

  height(): number {
    return this.#height;
  }
  base(): number {
    return this.#base;
  }
  evidenceBase(): number {
    return this.#evidenceBase;
  }
  async loadState(): Promise<ChainState | null> {
    return this.#state;
  }
  async loadBlock(height: number): Promise<Block | null> {
    return this.#blocks.get(height) ?? null;
  }
  async loadCommit(height: number): Promise<Commit | null> {
    return this.#commits.get(height) ?? null;
  }
  async loadValidators(height: number): Promise<ValidatorSet | null> {
    return this.#validators.get(height) ?? null;
  }
  async loadEvidenceValidators(height: number): Promise<ValidatorSet | null> {
    if (height > this.#height || height < this.#evidenceBase) return null;
    let found: ValidatorSet | null = null;
    for (const entry of this.#evidenceSets) if (entry.from <= height) found = entry.set;
    return found;
  }
  async loadBlockTime(height: number): Promise<number | null> {
    return this.#times.get(height) ?? this.#blocks.get(height)?.header.time ?? null;
  }
  async loadCommittedEvidence(evidence: DuplicateVoteEvidence): Promise<number | null> {
    return this.#committedEvidence.get(evidenceKey(evidence))?.committedAt ?? null;
  }
  /** `loadValidators` without the promise (the simulator's adversary reads it synchronously). */
  validatorsAt(height: number): ValidatorSet | null {
    return this.#validators.get(height) ?? null;
  }
  async saveGenesisState(state: ChainState): Promise<void> {
    this.#state = state;
    this.#validators.set(state.initialHeight, state.validators);
    this.#validators.set(state.initialHeight + 1, state.nextValidators);
  }
  async saveBlock(block: Block, commit: Commit, state: ChainState): Promise<void> {
    const h = block.header.height;
    this.#blocks.set(h, block);
    this.#commits.set(h, commit);
    this.#validators.set(h + 1, state.validators);
    this.#validators.set(h + 2, state.nextValidators);
    this.#state = state;
    this.#height = h;
    if (this.#base === 0) this.#base = h;
    this.#saveEvidenceWindow(block, state);
    const base = await evidenceWindowBase(
      evidenceAgeOf(state.consensusParams),
      { height: state.lastBlockHeight, time: state.lastBlockTime },
      this.#evidenceBase,
      async (height) => (await this.loadBlockTime(height)) ?? 0,
    );
    this.#forgetBelow(base);
  }
  async prune(retainHeight: number): Promise<number> {
    let pruned = 0;
    for (let h = this.#base; h < retainHeight && h < this.#height; h++) {
      if (this.#blocks.delete(h)) pruned++;
      this.#commits.delete(h);
      this.#validators.delete(h);
      this.#base = h + 1;
    }
    return pruned;
  }

  /** The block's time, its signers (when they changed) and the misbehaviour its evidence commits. */
  #saveEvidenceWindow(block: Block, state: ChainState): void {
    const h = block.header.height;
    if (this.#evidenceBase === 0) this.#evidenceBase = h;
    this.#times.set(h, block.header.time);
    const last = this.#evidenceSets.at(-1);
    const signers = state.lastValidators;
    if (signers !== null && (last === undefined || !sameEvidenceValidators(last.set, signers)))
      this.#evidenceSets.push({ from: h, set: evidenceValidators(signers) });
    for (const evidence of block.evidence) {
      this.#committedEvidence.set(evidenceKey(evidence), { height: evidence.voteA.height, committedAt: h });
    }
  }

  /** Drops what only evidence below the window's new `base` could need. */
  #forgetBelow(base: number): void {
    if (base <= this.#evidenceBase) return;
    for (let h = this.#evidenceBase; h < base; h++) this.#times.delete(h);
    // The last set that starts at or below the base still covers it.
    while ((this.#evidenceSets[1]?.from ?? Number.POSITIVE_INFINITY) <= base) this.#evidenceSets.shift();
    for (const [key, entry] of this.#committedEvidence)
      if (entry.height < base) this.#committedEvidence.delete(key);
    this.#evidenceBase = base;
  }
}
