import type { Block } from '../block/block.js';
import type { Commit } from '../block/commit.js';
import type { ChainState } from '../chain/chain-state.js';
import type { ChainStore } from '../chain/chain-store.js';
import { evidenceKey } from '../evidence/verify.js';
import { evidenceAgeOf, evidenceWindowBase } from '../evidence/window.js';
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
  #times = new Map<number, number>();
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
  async loadBlockTime(height: number): Promise<number | null> {
    return this.#times.get(height) ?? null;
  }
  async loadCommittedEvidence(evidence: DuplicateVoteEvidence): Promise<number | null> {
    return this.#committedEvidence.get(evidenceKey(evidence))?.committedAt ?? null;
  }
  /** Base of the evidence window: the lowest height whose evidence can still be valid. */
  evidenceBase(): number {
    return this.#evidenceBase;
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
    this.#times.set(h, block.header.time);
    for (const evidence of block.evidence) {
      this.#committedEvidence.set(evidenceKey(evidence), { height: evidence.voteA.height, committedAt: h });
    }
    this.#state = state;
    this.#height = h;
    if (this.#base === 0) this.#base = h;
    if (this.#evidenceBase === 0) this.#evidenceBase = h;
    const tip = { height: h, time: block.header.time };
    const base = await evidenceWindowBase(
      evidenceAgeOf(state.consensusParams),
      tip,
      this.#evidenceBase,
      async (height) => this.#times.get(height) ?? 0,
    );
    if (base > this.#evidenceBase) {
      this.#evidenceBase = base;
      for (const [key, entry] of this.#committedEvidence)
        if (entry.height < base) this.#committedEvidence.delete(key);
    }
  }
  async prune(retainHeight: number): Promise<number> {
    let pruned = 0;
    for (let h = this.#base; h < retainHeight && h < this.#height; h++) {
      if (this.#blocks.delete(h)) pruned++;
      this.#commits.delete(h);
      this.#base = h + 1;
    }
    // What verifying evidence reads stays for the whole evidence window, whatever the retain height.
    const keepFrom = Math.min(this.#base, this.#evidenceBase);
    for (const map of [this.#validators, this.#times])
      for (const h of map.keys()) if (h < keepFrom) map.delete(h);
    return pruned;
  }
}
