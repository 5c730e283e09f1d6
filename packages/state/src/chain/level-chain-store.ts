import {
  type Block,
  blockCodec,
  blockId,
  type Commit,
  commitCodec,
  type DuplicateVoteEvidence,
  maxBlockBytes,
  type ValidatorSet,
  validatorSetCodec,
} from '@joule/consensus';
import { encodeBlock, evidenceKey, evidenceValidators } from '@joule/consensus/internal';
import { maxStoredBlockOverheadBytes, pruneBatchEntries } from '../constants.js';
import { StoreStateError } from '../errors.js';
import { metaKeys, prefixes, readU64, u64 } from '../keys.js';
import { type KvStore, WriteBatch } from '../kv/kv-store.js';
import { bytesKey, canonical, heightKey, Repository, type ValueCodec } from '../kv/repository.js';
import { type ChainState, type ChainStore, chainStateCodec } from './chain-types.js';
import { type EvidenceWindow, EvidenceWindowTables } from './evidence-window-tables.js';
import type { PendingWrites } from './pending-writes.js';

const heightValue: ValueCodec<number> = { encode: u64, decode: (b) => readU64(b) };

/** The chain store's tables (see `keys.ts`; the evidence window's are in `evidence-window-tables.ts`). */
const tables = {
  block: new Repository(prefixes.block, heightKey, {
    // The bytes the block was checked with (`checkBlock` measures its size), not a second encoding.
    encode: encodeBlock,
    decode: canonical(blockCodec, maxBlockBytes + maxStoredBlockOverheadBytes).decode,
  }),
  commit: new Repository(prefixes.commit, heightKey, canonical(commitCodec)),
  byHash: new Repository(prefixes.blockByHash, bytesKey, heightValue),
  state: new Repository(prefixes.chainState, () => new Uint8Array(0), canonical(chainStateCodec)),
  validators: new Repository(prefixes.validators, heightKey, canonical(validatorSetCodec)),
  meta: new Repository(prefixes.meta, (entry: number) => new Uint8Array([entry]), heightValue),
};

export interface ChainStoreDependencies {
  readonly kv: KvStore;
  /**
   * When given, `saveBlock` stages its writes here and the application's `commit()` writes them in
   * its own atomic batch; without it, `saveBlock` writes a synced batch itself.
   */
  readonly pending?: PendingWrites;
}

interface Staged {
  readonly block: Block;
  readonly commit: Commit;
  readonly state: ChainState;
}

/**
 * Blocks, commits, block ids by hash, the chain state and validator sets by height, on the node's
 * LevelDB (consensus's `ChainStore`). Reads see a staged block at once; it is durable once the
 * application's commit has written it.
 */
export class LevelChainStore implements ChainStore {
  private readonly kv: KvStore;
  private readonly pending: PendingWrites | undefined;
  private readonly staged = new Map<number, Staged>();
  private stagedState: ChainState | undefined;
  private top = 0;
  private bottom = 0;
  private readonly window: EvidenceWindowTables;
  private started = false;

  constructor(_options: Record<string, never>, dependencies: ChainStoreDependencies) {
    this.kv = dependencies.kv;
    this.pending = dependencies.pending;
    this.window = new EvidenceWindowTables(dependencies.kv);
  }

  /** Loads the height and base; the key-value store must be started. Idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    this.top = (await tables.meta.get(this.kv, metaKeys.chainHeight)) ?? 0;
    this.bottom = (await tables.meta.get(this.kv, metaKeys.chainBase)) ?? 0;
    await this.window.load(this.bottom);
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  height(): number {
    return this.top;
  }

  base(): number {
    return this.bottom;
  }

  async loadState(): Promise<ChainState | null> {
    this.assertStarted();
    return this.stagedState ?? (await tables.state.get(this.kv, 0)) ?? null;
  }

  async loadBlock(height: number): Promise<Block | null> {
    this.assertStarted();
    return this.staged.get(height)?.block ?? (await tables.block.get(this.kv, height)) ?? null;
  }

  async loadCommit(height: number): Promise<Commit | null> {
    this.assertStarted();
    return this.staged.get(height)?.commit ?? (await tables.commit.get(this.kv, height)) ?? null;
  }

  /** Height of the block with header hash `hash`, while retained. */
  async heightOf(hash: Uint8Array): Promise<number | null> {
    this.assertStarted();
    for (const [height, s] of this.staged) if (equal(blockId(s.block).hash, hash)) return height;
    return (await tables.byHash.get(this.kv, hash)) ?? null;
  }

  async loadValidators(height: number): Promise<ValidatorSet | null> {
    this.assertStarted();
    const staged = this.stagedState;
    if (staged !== undefined) {
      const h = staged.lastBlockHeight;
      if (height === h && staged.lastValidators !== null) return staged.lastValidators;
      if (height === h + 1) return staged.validators;
      if (height === h + 2) return staged.nextValidators;
    }
    return (await tables.validators.get(this.kv, height)) ?? null;
  }

  async loadEvidenceValidators(height: number): Promise<ValidatorSet | null> {
    this.assertStarted();
    if (height > this.top) return null;
    const recorded = await this.window.validators(height);
    if (recorded !== undefined) return recorded;
    // Heights saved before the evidence validators had their own table: the set while retained.
    const set = await tables.validators.get(this.kv, height);
    return set === undefined ? null : evidenceValidators(set);
  }

  async loadBlockTime(height: number): Promise<number | null> {
    this.assertStarted();
    const time = this.staged.get(height)?.block.header.time ?? (await this.window.time(height));
    if (time !== undefined) return time;
    // Heights saved before block times had their own table: read the block while it is retained.
    return (await tables.block.get(this.kv, height))?.header.time ?? null;
  }

  async loadCommittedEvidence(evidence: DuplicateVoteEvidence): Promise<number | null> {
    this.assertStarted();
    const key = evidenceKey(evidence);
    for (const [height, s] of this.staged)
      if (s.block.evidence.some((e) => evidenceKey(e) === key)) return height;
    return this.window.committedAt(evidence);
  }

  /** Base of the evidence window: the lowest height whose evidence can still be valid (0 when empty). */
  evidenceBase(): number {
    return this.window.base;
  }

  async saveBlock(block: Block, commit: Commit, state: ChainState): Promise<void> {
    this.assertStarted();
    const height = block.header.height;
    if (this.top !== 0 && height !== this.top + 1) {
      throw new StoreStateError(`block ${height} does not follow the stored height ${this.top}`, {
        height,
        stored: this.top,
      });
    }
    const batch = new WriteBatch();
    tables.block.put(batch, height, block);
    tables.commit.put(batch, height, commit);
    tables.byHash.put(batch, blockId(block).hash, height);
    this.putState(batch, state);
    tables.meta.put(batch, metaKeys.chainHeight, height);
    if (this.bottom === 0) tables.meta.put(batch, metaKeys.chainBase, height);
    const window = await this.window.stage(batch, block, state, (h) => this.loadBlockTime(h));
    if (this.pending === undefined) {
      // The height moves only once the block is on disk: a failed write leaves the store as it was.
      await this.kv.write(batch.ops, { sync: true });
      this.advance(height, window);
      return;
    }
    // Staged: reads see the block at once; it is durable with the application's commit.
    this.advance(height, window);
    this.staged.set(height, { block, commit, state });
    this.stagedState = state;
    this.pending.stage(batch.ops, () => {
      this.staged.delete(height);
      if (this.stagedState === state) this.stagedState = undefined;
    });
  }

  async saveGenesisState(state: ChainState): Promise<void> {
    this.assertStarted();
    const batch = new WriteBatch();
    this.putState(batch, state);
    await this.kv.write(batch.ops, { sync: true });
  }

  /**
   * Removes blocks, commits and validator sets below `retainHeight` and compacts those heights;
   * returns how many heights went. `App` asks for it every `pruneIntervalBlocks` heights. What
   * evidence verification reads (block times, evidence validators, committed misbehaviour) has
   * its own tables, kept for the evidence window and trimmed by `saveBlock`.
   */
  async prune(retainHeight: number): Promise<number> {
    this.assertStarted();
    const to = Math.min(retainHeight, this.top);
    if (this.bottom === 0 || to <= this.bottom) return 0;
    const from = this.bottom;
    for (let start = from; start < to; start += pruneBatchEntries) {
      const end = Math.min(to, start + pruneBatchEntries);
      const batch = new WriteBatch();
      for (let h = start; h < end; h++) {
        const commit = await tables.commit.get(this.kv, h);
        if (commit !== undefined) tables.byHash.del(batch, commit.blockId.hash);
        tables.block.del(batch, h);
        tables.commit.del(batch, h);
      }
      for (const key of await tables.validators.keysBetween(this.kv, 0, end, pruneBatchEntries))
        batch.del(key);
      await this.window.pruneTimes(batch, end);
      tables.meta.put(batch, metaKeys.chainBase, end);
      await this.kv.write(batch.ops, { sync: true });
      this.bottom = end;
    }
    // Compact only the heights just pruned, not the whole tables (which would rewrite them all).
    await this.kv.compactRange(tables.block.key(from), tables.block.key(to));
    await this.kv.compactRange(tables.commit.key(from), tables.commit.key(to));
    await this.kv.compactRange(tables.validators.key(0), tables.validators.key(to));
    await this.window.compactTimes(to);
    return to - from;
  }

  private advance(height: number, window: EvidenceWindow): void {
    this.top = height;
    if (this.bottom === 0) this.bottom = height;
    this.window.advance(window);
  }

  private putState(batch: WriteBatch, state: ChainState): void {
    tables.state.put(batch, 0, state);
    const h = state.lastBlockHeight === 0 ? state.initialHeight - 1 : state.lastBlockHeight;
    if (state.lastValidators !== null && h > 0) tables.validators.put(batch, h, state.lastValidators);
    tables.validators.put(batch, h + 1, state.validators);
    tables.validators.put(batch, h + 2, state.nextValidators);
  }

  private assertStarted(): void {
    if (!this.started) throw new StoreStateError('the chain store is not started');
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
