import {
  type Block,
  blockCodec,
  blockId,
  type Commit,
  commitCodec,
  type DuplicateVoteEvidence,
  evidenceAgeOf,
  evidenceKey,
  evidenceValidators,
  evidenceWindowBase,
  maxBlockBytes,
  sameEvidenceValidators,
  type ValidatorSet,
  validatorSetCodec,
} from '@joule/consensus';
import {
  evidenceTimesReadAheadHeights,
  maxStoredBlockOverheadBytes,
  pruneBatchEntries,
} from '../constants.js';
import { StoreCorruptionError, StoreStateError } from '../errors.js';
import { concatBytes, metaKeys, prefixes, readU64, u64 } from '../keys.js';
import { type KvStore, WriteBatch } from '../kv/kv-store.js';
import { bytesKey, canonical, heightKey, Repository, type ValueCodec } from '../kv/repository.js';
import { type ChainState, type ChainStore, chainStateCodec } from './chain-types.js';
import type { PendingWrites } from './pending-writes.js';

const heightValue: ValueCodec<number> = { encode: u64, decode: (b) => readU64(b) };

/** The chain store's tables (see `keys.ts`). */
const tables = {
  block: new Repository(
    prefixes.block,
    heightKey,
    canonical(blockCodec, maxBlockBytes + maxStoredBlockOverheadBytes),
  ),
  commit: new Repository(prefixes.commit, heightKey, canonical(commitCodec)),
  byHash: new Repository(prefixes.blockByHash, bytesKey, heightValue),
  state: new Repository(prefixes.chainState, () => new Uint8Array(0), canonical(chainStateCodec)),
  validators: new Repository(prefixes.validators, heightKey, canonical(validatorSetCodec)),
  meta: new Repository(prefixes.meta, (entry: number) => new Uint8Array([entry]), heightValue),
  blockTime: new Repository(prefixes.blockTime, heightKey, heightValue),
  committedEvidence: new Repository(prefixes.committedEvidence, bytesKey, heightValue),
  evidenceValidators: new Repository(prefixes.evidenceValidators, heightKey, canonical(validatorSetCodec)),
};

/** The evidence window as the store tracks it in memory (applied once a block's batch is written or staged). */
interface EvidenceWindow {
  /** Base of the window (see consensus's `evidence/window.ts`); 0 when empty. */
  readonly base: number;
  /** Lowest evidence height in the committed-misbehaviour table, `null` when it is empty. */
  readonly lowest: number | null;
  /** Heights at which the evidence validators changed, ascending: the keys of their table. */
  readonly setsFrom: readonly number[];
  /** The evidence validators from the last of `setsFrom` on. */
  readonly lastSet: ValidatorSet | null;
}

/**
 * The key of a committed misbehaviour after the table prefix: evidence height (u64) ‖ validator
 * address ‖ round (u32) ‖ vote type (u8) — `evidenceKey`'s slot, height first so that the entries
 * that leave the evidence window are one range at the table's start.
 */
function evidenceSlot(evidence: DuplicateVoteEvidence): Uint8Array {
  const { height, validatorAddress, round, type } = evidence.voteA;
  const tail = new Uint8Array(5);
  new DataView(tail.buffer).setUint32(0, round);
  tail[4] = type;
  return concatBytes(u64(height), validatorAddress, tail);
}

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
  private window: EvidenceWindow = { base: 0, lowest: null, setsFrom: [], lastSet: null };
  /** Block times from height `from` on, read ahead for the evidence window's base (see `timeAt`). */
  private timesAhead: { from: number; times: number[] } = { from: 0, times: [] };
  private started = false;

  constructor(_options: Record<string, never>, dependencies: ChainStoreDependencies) {
    this.kv = dependencies.kv;
    this.pending = dependencies.pending;
  }

  /** Loads the height and base; the key-value store must be started. Idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    this.top = (await tables.meta.get(this.kv, metaKeys.chainHeight)) ?? 0;
    this.bottom = (await tables.meta.get(this.kv, metaKeys.chainBase)) ?? 0;
    // A database written before the evidence window was kept starts its window at the chain base.
    const base = (await tables.meta.get(this.kv, metaKeys.evidenceBase)) ?? this.bottom;
    const setsFrom: number[] = [];
    let lastSet: ValidatorSet | null = null;
    const sets = tables.evidenceValidators.range();
    for await (const [key, value] of this.kv.entries({ gte: sets.start, lt: sets.end })) {
      setsFrom.push(readU64(key, 1));
      lastSet = tables.evidenceValidators.decode(value);
    }
    this.window = { base, lowest: await this.firstEvidenceHeight(0), setsFrom, lastSet };
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
    if (height > this.top || height < this.window.base) return null;
    const { setsFrom, lastSet } = this.window;
    let i = setsFrom.length - 1;
    while (i >= 0 && (setsFrom[i] as number) > height) i--;
    if (i === setsFrom.length - 1 && lastSet !== null) return lastSet;
    if (i >= 0) return (await tables.evidenceValidators.get(this.kv, setsFrom[i] as number)) ?? null;
    // Heights saved before the evidence validators had their own table: the set while retained.
    const set = await tables.validators.get(this.kv, height);
    return set === undefined ? null : evidenceValidators(set);
  }

  async loadBlockTime(height: number): Promise<number | null> {
    this.assertStarted();
    const time = this.staged.get(height)?.block.header.time ?? (await tables.blockTime.get(this.kv, height));
    if (time !== undefined) return time;
    // Heights saved before block times had their own table: read the block while it is retained.
    return (await tables.block.get(this.kv, height))?.header.time ?? null;
  }

  async loadCommittedEvidence(evidence: DuplicateVoteEvidence): Promise<number | null> {
    this.assertStarted();
    const key = evidenceKey(evidence);
    for (const [height, s] of this.staged)
      if (s.block.evidence.some((e) => evidenceKey(e) === key)) return height;
    return (await tables.committedEvidence.get(this.kv, evidenceSlot(evidence))) ?? null;
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
    const window = await this.advanceEvidenceWindow(batch, block, state);
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
      // Block times a large jump of the window left behind (see `advanceEvidenceWindow`).
      const timesEnd = Math.min(end, this.window.base);
      for (const key of await tables.blockTime.keysBetween(this.kv, 0, timesEnd, pruneBatchEntries))
        batch.del(key);
      tables.meta.put(batch, metaKeys.chainBase, end);
      await this.kv.write(batch.ops, { sync: true });
      this.bottom = end;
    }
    // Compact only the heights just pruned, not the whole tables (which would rewrite them all).
    await this.kv.compactRange(tables.block.key(from), tables.block.key(to));
    await this.kv.compactRange(tables.commit.key(from), tables.commit.key(to));
    await this.kv.compactRange(tables.validators.key(0), tables.validators.key(to));
    await this.kv.compactRange(tables.blockTime.key(0), tables.blockTime.key(to));
    return to - from;
  }

  private advance(height: number, window: EvidenceWindow): void {
    this.top = height;
    if (this.bottom === 0) this.bottom = height;
    this.window = window;
  }

  /**
   * Into `batch`: the block's time, its signers as evidence validators when they changed, and the
   * misbehaviour its evidence commits; then the evidence window's new base at this block, and the
   * deletion of what only evidence below it could need — the committed misbehaviour (its evidence
   * has expired: a block that carries it again is refused as expired), the block times, the
   * evidence validators no height of the window uses. Returns the window for `advance`, once the
   * batch is written or staged.
   */
  private async advanceEvidenceWindow(
    batch: WriteBatch,
    block: Block,
    state: ChainState,
  ): Promise<EvidenceWindow> {
    const height = block.header.height;
    const old = this.window;
    tables.blockTime.put(batch, height, block.header.time);
    const setsFrom = [...old.setsFrom];
    let lastSet = old.lastSet;
    const signers = state.lastValidators;
    if (signers !== null && (lastSet === null || !sameEvidenceValidators(lastSet, signers))) {
      lastSet = evidenceValidators(signers);
      tables.evidenceValidators.put(batch, height, lastSet);
      setsFrom.push(height);
    }
    const from = old.base === 0 ? height : old.base;
    const base = await evidenceWindowBase(
      evidenceAgeOf(state.consensusParams),
      { height: state.lastBlockHeight, time: state.lastBlockTime },
      from,
      (h) => this.timeAt(h, block),
    );
    if (base !== old.base) tables.meta.put(batch, metaKeys.evidenceBase, base);
    // Bounded per block: a larger jump (after a long stall) leaves older times to `prune`.
    for (let h = from; h < Math.min(base, from + pruneBatchEntries); h++) tables.blockTime.del(batch, h);
    // The last set that starts at or below the base still covers it.
    while (setsFrom.length > 1 && (setsFrom[1] as number) <= base)
      tables.evidenceValidators.del(batch, setsFrom.shift() as number);
    let lowest = old.lowest;
    if (lowest !== null && lowest < base) {
      // Bounded per block; what a full batch leaves is deleted with the next block.
      const end = u64(base);
      for (const key of await tables.committedEvidence.keysBetween(this.kv, u64(0), end, pruneBatchEntries))
        batch.del(key);
      lowest = await this.firstEvidenceHeight(base);
    }
    for (const evidence of block.evidence) {
      const at = evidence.voteA.height;
      if (at < base) continue; // expired: never valid in a block, and would leave the window at once
      tables.committedEvidence.put(batch, evidenceSlot(evidence), height);
      lowest = lowest === null ? at : Math.min(lowest, at);
    }
    return { base, lowest, setsFrom, lastSet };
  }

  /**
   * The block time of a committed height at or above the evidence window's base. The base moves
   * a block or two per block: the times after it are read ahead, `evidenceTimesReadAheadHeights`
   * in one iteration (a LevelDB read per block would cost more than the rest of `saveBlock`).
   */
  private async timeAt(height: number, saving: Block): Promise<number> {
    if (height === saving.header.height) return saving.header.time;
    const ahead = this.timesAhead;
    const cached = ahead.times[height - ahead.from];
    if (cached !== undefined && height >= ahead.from) return cached;
    const times: number[] = [];
    const range = {
      gte: tables.blockTime.key(height),
      lt: tables.blockTime.key(height + evidenceTimesReadAheadHeights),
    };
    for await (const [key, value] of this.kv.entries(range)) {
      if (readU64(key, 1) !== height + times.length) break; // contiguous heights only
      times.push(readU64(value));
    }
    if (times.length > 0) {
      this.timesAhead = { from: height, times };
      return times[0] as number;
    }
    const time = await this.loadBlockTime(height);
    if (time === null) {
      throw new StoreCorruptionError(`no block time for height ${height}, inside the evidence window`, {
        height,
        evidenceBase: this.window.base,
      });
    }
    return time;
  }

  /** The lowest evidence height in the committed-misbehaviour table from `from` up, or `null`. */
  private async firstEvidenceHeight(from: number): Promise<number | null> {
    const range = tables.committedEvidence.range();
    for await (const [key] of this.kv.entries({
      gte: tables.committedEvidence.key(u64(from)),
      lt: range.end,
      limit: 1,
    }))
      return readU64(key, 1);
    return null;
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
