import type { Block } from '../block/block.js';
import type { Commit } from '../block/commit.js';
import type { ChainState } from '../chain/chain-state.js';
import type { ChainStore } from '../chain/chain-store.js';
import type { ValidatorSet } from '../validators/validator-set.js';

/**
 * A chain store in memory, for the simulator and unit tests: every save is immediately durable
 * (it survives a simulated crash, which only drops the node's volatile state).
 */
export class MemoryChainStore implements ChainStore {
  #state: ChainState | null = null;
  #blocks = new Map<number, Block>();
  #commits = new Map<number, Commit>();
  #validators = new Map<number, ValidatorSet>();
  #base = 0;
  #height = 0;

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
}
