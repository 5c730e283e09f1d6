import type { ChainStore } from '../chain/chain-store.js';
import { equalBytes } from '../codec/canonical.js';
import { maxBlockEvidence } from '../constants.js';
import { InvalidValueError } from '../errors.js';
import type { DuplicateVoteEvidence } from '../vote/evidence.js';
import {
  DuplicateEvidenceError,
  EvidencePoolFullError,
  ExpiredEvidenceError,
  InvalidEvidenceError,
} from './errors.js';
import {
  evidenceMaxAgeBlocks,
  evidenceMaxAgeMs,
  evidencePoolMaxBytes,
  evidencePoolMaxPending,
} from './limits.js';
import {
  type ChainTip,
  type EvidenceAge,
  encodeEvidence,
  evidenceKey,
  isEvidenceExpired,
  verifyEvidenceSignatures,
} from './verify.js';

export interface EvidencePoolOptions {
  /** Most bytes of encoded evidence pending or being verified. Default `evidencePoolMaxBytes` (1 MiB). */
  readonly maxBytes?: number;
  /** Expiry in blocks (a consensus parameter). Default `evidenceMaxAgeBlocks` (100 000). */
  readonly maxAgeBlocks?: number;
  /** Expiry in milliseconds (a consensus parameter). Default `evidenceMaxAgeMs` (48 h). */
  readonly maxAgeMs?: number;
  /** Most pieces of evidence pending or being verified. Default `evidencePoolMaxPending` (1 000). */
  readonly maxPending?: number;
}

/**
 * What the pool reads of the committed chain: the validator set and block time of a height, and
 * the index of committed misbehaviour. A `ChainStore` keeps all three for the whole evidence
 * window (see `evidence/window.ts`), so the verdicts depend on the chain alone.
 */
export type EvidenceChainView = Pick<
  ChainStore,
  'evidenceBase' | 'loadEvidenceValidators' | 'loadBlockTime' | 'loadCommittedEvidence'
>;

export interface EvidencePoolDependencies {
  readonly chainId: string;
  readonly chain: EvidenceChainView;
}

interface Pending {
  readonly evidence: DuplicateVoteEvidence;
  readonly encoded: Uint8Array;
  readonly height: number;
  /** Block time of the evidence height. */
  readonly time: number;
}

/**
 * Verified duplicate-vote evidence waiting for a block, and the misbehaviour already committed.
 *
 * Evidence is judged against committed state only: its height must be committed, and the
 * validator set and block time of that height come from the chain store. Evidence is identified
 * by its slot (validator, height, round, vote type; see `evidenceKey`), not by its two votes.
 *
 * Bounds: pending evidence (verified plus being verified: an add reserves its slot before it
 * awaits the chain store) stays within `maxPending` and `maxBytes`. Committed misbehaviour is not
 * held in memory: the chain store indexes it (one read per piece) for as long as it can be valid.
 *
 * Determinism: `checkBlockEvidence` decides block validity, so its inputs must be the same on every
 * node. They are the chain's alone: the ages are consensus parameters (give the pool the chain's),
 * and the sets, times and committed misbehaviour of the whole evidence window come from the chain
 * store, which keeps them across restarts and whatever it prunes.
 */
export class EvidencePool {
  readonly #maxBytes: number;
  readonly #maxPending: number;
  readonly #age: EvidenceAge;
  readonly #deps: EvidencePoolDependencies;
  readonly #pending = new Map<string, Pending>();
  readonly #verifying = new Set<string>();
  /** Slots being verified by `add` that a block committed meanwhile (at most `#verifying.size`). */
  readonly #overtaken = new Set<string>();
  #pendingBytes = 0;
  #reservedBytes = 0;
  #tip: ChainTip = { height: 0, time: 0 };

  constructor(options: EvidencePoolOptions, deps: EvidencePoolDependencies) {
    this.#maxBytes = natural(options.maxBytes ?? evidencePoolMaxBytes, 'maxBytes');
    this.#maxPending = natural(options.maxPending ?? evidencePoolMaxPending, 'maxPending');
    this.#age = {
      maxAgeBlocks: natural(options.maxAgeBlocks ?? evidenceMaxAgeBlocks, 'maxAgeBlocks'),
      maxAgeMs: natural(options.maxAgeMs ?? evidenceMaxAgeMs, 'maxAgeMs'),
    };
    this.#deps = deps;
  }

  /**
   * Verifies `evidence` against the committed chain at `now` and adds it to the pending list.
   * Refuses with `EVIDENCE_INVALID` (`context.reason` says what), `EVIDENCE_EXPIRED`,
   * `EVIDENCE_DUPLICATE` or `EVIDENCE_POOL_FULL`. Cheap checks come before any load or signature.
   */
  async add(evidence: DuplicateVoteEvidence, now: ChainTip): Promise<void> {
    assertTip(now);
    const encoded = encodeEvidence(evidence);
    const key = evidenceKey(evidence);
    this.#refuseKnown(key);
    const held = this.#pending.size + this.#verifying.size;
    const heldBytes = this.#pendingBytes + this.#reservedBytes;
    if (held + 1 > this.#maxPending || heldBytes + encoded.length > this.#maxBytes) {
      throw new EvidencePoolFullError({
        pending: held,
        maxPending: this.#maxPending,
        bytes: heldBytes,
        maxBytes: this.#maxBytes,
      });
    }
    this.#verifying.add(key);
    this.#reservedBytes += encoded.length;
    try {
      // Read after the slot is reserved: a block committed from now on marks it `#overtaken`.
      const committedAt = await this.#deps.chain.loadCommittedEvidence(evidence);
      if (committedAt !== null) throw new DuplicateEvidenceError('committed', { committedAt });
      const time = await this.#verify(evidence, now, {});
      // A block may have committed the same misbehaviour while we awaited the chain store.
      if (this.#overtaken.has(key)) throw new DuplicateEvidenceError('committed');
      this.#pending.set(key, { evidence, encoded, height: evidence.voteA.height, time });
      this.#pendingBytes += encoded.length;
    } finally {
      this.#verifying.delete(key);
      this.#overtaken.delete(key);
      this.#reservedBytes -= encoded.length;
    }
  }

  /**
   * Evidence for a proposal: oldest height first (closest to expiry), stopping at the first piece
   * whose encoding does not fit in `maxBytes` (-1: no limit), and never more than `maxBlockEvidence`.
   */
  pending(maxBytes: number): DuplicateVoteEvidence[] {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < -1) {
      throw new InvalidValueError('maxBytes must be an integer ≥ -1 (-1: no limit)', { maxBytes });
    }
    // Array.prototype.sort is stable: equal heights keep their arrival order.
    const byAge = [...this.#pending.values()].sort((a, b) => a.height - b.height);
    const out: DuplicateVoteEvidence[] = [];
    let bytes = 0;
    for (const entry of byAge) {
      if (out.length >= maxBlockEvidence) break;
      if (maxBytes >= 0 && bytes + entry.encoded.length > maxBytes) break;
      bytes += entry.encoded.length;
      out.push(entry.evidence);
    }
    return out;
  }

  /**
   * Checks the evidence of a proposed block at `now` (the last committed height and time): each
   * piece verified as by `add`, no misbehaviour twice in the list, none already committed. Pending
   * evidence with the same bytes is not verified again, only checked for expiry. Throws an
   * `EvidenceError` whose `context.index` names the offending piece.
   */
  async checkBlockEvidence(list: readonly DuplicateVoteEvidence[], now: ChainTip): Promise<void> {
    assertTip(now);
    if (list.length > maxBlockEvidence) {
      throw new InvalidEvidenceError(
        'malformed',
        `a block carries at most ${maxBlockEvidence} pieces of evidence`,
        {
          count: list.length,
        },
      );
    }
    const seen = new Set<string>();
    for (let index = 0; index < list.length; index++) {
      const evidence = list[index] as DuplicateVoteEvidence;
      const encoded = encodeEvidence(evidence, { index });
      const key = evidenceKey(evidence);
      if (seen.has(key)) throw new DuplicateEvidenceError('in-block', { index });
      seen.add(key);
      const committedAt = await this.#deps.chain.loadCommittedEvidence(evidence);
      if (committedAt !== null) throw new DuplicateEvidenceError('committed', { index, committedAt });
      const known = this.#pending.get(key);
      if (known !== undefined && equalBytes(known.encoded, encoded) && known.height <= now.height) {
        this.#refuseExpired(known.height, known.time, now, { index });
      } else {
        await this.#verify(evidence, now, { index });
      }
    }
  }

  /**
   * After the block at `height` (block time `time`) is committed with `committed` evidence (and
   * saved: the chain store indexes that misbehaviour): drops it and any expired evidence from the
   * pending list.
   */
  update(height: number, time: number, committed: readonly DuplicateVoteEvidence[]): void {
    if (!Number.isSafeInteger(height) || height <= this.#tip.height) {
      throw new InvalidValueError(`evidence pool update for height ${height} after ${this.#tip.height}`);
    }
    if (!Number.isSafeInteger(time) || time < this.#tip.time) {
      throw new InvalidValueError(`evidence pool update with time ${time} before ${this.#tip.time}`);
    }
    const tip = { height, time };
    this.#tip = tip;
    for (const evidence of committed) {
      const key = evidenceKey(evidence);
      this.#dropPending(key);
      if (this.#verifying.has(key)) this.#overtaken.add(key);
    }
    for (const [key, entry] of this.#pending) {
      if (isEvidenceExpired(this.#age, tip, entry.height, entry.time)) this.#dropPending(key);
    }
  }

  /** Pieces of evidence pending (verified, not yet committed). */
  size(): number {
    return this.#pending.size;
  }

  /** Bytes of encoded pending evidence. */
  bytes(): number {
    return this.#pendingBytes;
  }

  /** Whether this misbehaviour (by slot) is pending, or committed (in the chain store's index). */
  async knows(evidence: DuplicateVoteEvidence): Promise<'pending' | 'committed' | undefined> {
    if ((await this.#deps.chain.loadCommittedEvidence(evidence)) !== null) return 'committed';
    return this.#pending.has(evidenceKey(evidence)) ? 'pending' : undefined;
  }

  /** Verifies evidence against the committed chain at `now`; returns the block time of its height. */
  async #verify(
    evidence: DuplicateVoteEvidence,
    now: ChainTip,
    context: Record<string, unknown>,
  ): Promise<number> {
    const height = evidence.voteA.height;
    if (height > now.height) {
      throw new InvalidEvidenceError(
        'future-height',
        `evidence of height ${height} above committed ${now.height}`,
        {
          ...context,
          height,
          committedHeight: now.height,
        },
      );
    }
    // Below the window's base the store may have dropped the height's time and set: every node
    // answers "expired" there, whatever it pruned.
    const evidenceBase = this.#deps.chain.evidenceBase();
    if (height < evidenceBase) {
      throw new ExpiredEvidenceError({
        ...context,
        height,
        evidenceBase,
        now: { height: now.height, time: now.time },
      });
    }
    const time = await this.#deps.chain.loadBlockTime(height);
    if (time === null) {
      throw new InvalidEvidenceError('unknown-height', `no block time for height ${height}`, {
        ...context,
        height,
      });
    }
    this.#refuseExpired(height, time, now, context);
    const set = await this.#deps.chain.loadEvidenceValidators(height);
    if (set === null) {
      throw new InvalidEvidenceError('unknown-height', `no validator set for height ${height}`, {
        ...context,
        height,
      });
    }
    verifyEvidenceSignatures(this.#deps.chainId, evidence, set, context);
    return time;
  }

  #refuseKnown(key: string): void {
    if (this.#pending.has(key)) throw new DuplicateEvidenceError('pending');
    if (this.#verifying.has(key)) throw new DuplicateEvidenceError('verifying');
  }

  #refuseExpired(height: number, time: number, now: ChainTip, context: Record<string, unknown>): void {
    if (isEvidenceExpired(this.#age, now, height, time)) {
      throw new ExpiredEvidenceError({
        ...context,
        height,
        time,
        now: { height: now.height, time: now.time },
      });
    }
  }

  #dropPending(key: string): void {
    const entry = this.#pending.get(key);
    if (entry === undefined) return;
    this.#pending.delete(key);
    this.#pendingBytes -= entry.encoded.length;
  }
}

function natural(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidValueError(`evidence pool option ${name} must be an integer ≥ 0`, { [name]: value });
  }
  return value;
}

function assertTip(now: ChainTip): void {
  if (
    !Number.isSafeInteger(now?.height) ||
    now.height < 0 ||
    !Number.isSafeInteger(now.time) ||
    now.time < 0
  ) {
    throw new InvalidValueError('now must be { height, time } of non-negative integers', {
      now: String(now),
    });
  }
}
