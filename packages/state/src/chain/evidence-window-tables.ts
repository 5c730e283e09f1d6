import {
  type Block,
  type ChainState,
  type DuplicateVoteEvidence,
  type ValidatorSet,
  validatorSetCodec,
} from '@joule/consensus';
import {
  evidenceAgeOf,
  evidenceValidators,
  evidenceWindowBase,
  sameEvidenceValidators,
} from '@joule/consensus/internal';
import { evidenceTimesReadAheadHeights, pruneBatchEntries } from '../constants.js';
import { StoreCorruptionError } from '../errors.js';
import { concatBytes, metaKeys, prefixes, readU64, u64 } from '../keys.js';
import type { KvStore, WriteBatch } from '../kv/kv-store.js';
import { bytesKey, canonical, heightKey, Repository, type ValueCodec } from '../kv/repository.js';

const heightValue: ValueCodec<number> = { encode: u64, decode: (b) => readU64(b) };

/** The evidence window's tables (see `keys.ts`). */
const tables = {
  meta: new Repository(prefixes.meta, (entry: number) => new Uint8Array([entry]), heightValue),
  blockTime: new Repository(prefixes.blockTime, heightKey, heightValue),
  committedEvidence: new Repository(prefixes.committedEvidence, bytesKey, heightValue),
  evidenceValidators: new Repository(prefixes.evidenceValidators, heightKey, canonical(validatorSetCodec)),
};

/** The evidence window as the store tracks it in memory (applied once a block's batch is written or staged). */
export interface EvidenceWindow {
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

/**
 * What `LevelChainStore` keeps for the evidence window (consensus's `ChainStore` contract), in its
 * own tables: block times (0x15), committed misbehaviour (0x16), the validators once per change of
 * the set (0x17) and the window's base (meta 0x07). Written into the batch of each block with the
 * deletion of what only evidence below the new base could need, in archive and pruning nodes alike.
 */
export class EvidenceWindowTables {
  #window: EvidenceWindow = { base: 0, lowest: null, setsFrom: [], lastSet: null };
  /** Block times from height `from` on, read ahead for the window's base (see `#timeAt`). */
  #timesAhead: { from: number; times: number[] } = { from: 0, times: [] };

  constructor(private readonly kv: KvStore) {}

  /** Loads the window; a database written before it was kept starts it at `chainBase`. */
  async load(chainBase: number): Promise<void> {
    const base = (await tables.meta.get(this.kv, metaKeys.evidenceBase)) ?? chainBase;
    const setsFrom: number[] = [];
    let lastSet: ValidatorSet | null = null;
    const sets = tables.evidenceValidators.range();
    for await (const [key, value] of this.kv.entries({ gte: sets.start, lt: sets.end })) {
      setsFrom.push(readU64(key, 1));
      lastSet = tables.evidenceValidators.decode(value);
    }
    this.#window = { base, lowest: await this.#firstEvidenceHeight(0), setsFrom, lastSet };
  }

  get base(): number {
    return this.#window.base;
  }

  /** The evidence validators of `height` from the window's base up (`undefined`: not recorded here). */
  async validators(height: number): Promise<ValidatorSet | null | undefined> {
    if (height < this.#window.base) return null;
    const { setsFrom, lastSet } = this.#window;
    let i = setsFrom.length - 1;
    while (i >= 0 && (setsFrom[i] as number) > height) i--;
    if (i === setsFrom.length - 1 && lastSet !== null) return lastSet;
    if (i >= 0) return (await tables.evidenceValidators.get(this.kv, setsFrom[i] as number)) ?? null;
    return undefined;
  }

  async committedAt(evidence: DuplicateVoteEvidence): Promise<number | null> {
    return (await tables.committedEvidence.get(this.kv, evidenceSlot(evidence))) ?? null;
  }

  async time(height: number): Promise<number | undefined> {
    return tables.blockTime.get(this.kv, height);
  }

  /**
   * Into `batch`: the block's time, its signers as evidence validators when they changed, and the
   * misbehaviour its evidence commits; then the window's new base at this block, and the deletion
   * of what only evidence below it could need — the committed misbehaviour (its evidence has
   * expired: a block that carries it again is refused as expired), the block times, the evidence
   * validators no height of the window uses. Returns the window for `advance`, once the batch is
   * written or staged. `timeOf` reads a block time the tables may lack (staged, or older data).
   */
  async stage(
    batch: WriteBatch,
    block: Block,
    state: ChainState,
    timeOf: (height: number) => Promise<number | null>,
  ): Promise<EvidenceWindow> {
    const height = block.header.height;
    const old = this.#window;
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
    const tip = { height: state.lastBlockHeight, time: state.lastBlockTime };
    const base = await evidenceWindowBase(evidenceAgeOf(state.consensusParams), tip, from, (h) =>
      h === height ? Promise.resolve(block.header.time) : this.#timeAt(h, timeOf),
    );
    if (base !== old.base) tables.meta.put(batch, metaKeys.evidenceBase, base);
    // Bounded per block: a larger jump (after a long stall) leaves older times to `pruneTimes`.
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
      lowest = await this.#firstEvidenceHeight(base);
    }
    for (const evidence of block.evidence) {
      const at = evidence.voteA.height;
      if (at < base) continue; // expired: never valid in a block, and would leave the window at once
      tables.committedEvidence.put(batch, evidenceSlot(evidence), height);
      lowest = lowest === null ? at : Math.min(lowest, at);
    }
    return { base, lowest, setsFrom, lastSet };
  }

  /** Makes `window` (from `stage`) the current one. */
  advance(window: EvidenceWindow): void {
    this.#window = window;
  }

  /** Into `batch`: deletes block times below both `end` and the base (left by a large jump). */
  async pruneTimes(batch: WriteBatch, end: number): Promise<void> {
    const to = Math.min(end, this.#window.base);
    for (const key of await tables.blockTime.keysBetween(this.kv, 0, to, pruneBatchEntries)) batch.del(key);
  }

  /** Compacts the block times below `to`. */
  async compactTimes(to: number): Promise<void> {
    await this.kv.compactRange(tables.blockTime.key(0), tables.blockTime.key(to));
  }

  /**
   * The block time of a committed height at or above the window's base. The base moves a block
   * or two per block: the times after it are read ahead, `evidenceTimesReadAheadHeights` in one
   * iteration (a LevelDB read per block would cost more than the rest of `saveBlock`).
   */
  async #timeAt(height: number, timeOf: (height: number) => Promise<number | null>): Promise<number> {
    const ahead = this.#timesAhead;
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
      this.#timesAhead = { from: height, times };
      return times[0] as number;
    }
    const time = await timeOf(height);
    if (time === null) {
      throw new StoreCorruptionError(`no block time for height ${height}, inside the evidence window`, {
        height,
        evidenceBase: this.#window.base,
      });
    }
    return time;
  }

  /** The lowest evidence height in the committed-misbehaviour table from `from` up, or `null`. */
  async #firstEvidenceHeight(from: number): Promise<number | null> {
    const range = tables.committedEvidence.range();
    const gte = tables.committedEvidence.key(u64(from));
    for await (const [key] of this.kv.entries({ gte, lt: range.end, limit: 1 })) return readU64(key, 1);
    return null;
  }
}
