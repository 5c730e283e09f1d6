import type { Application, CheckTxResponse } from '../app/application.js';
import { BoundedCache, type BoundedCacheStats, bytesKey } from '../cache/bounded-cache.js';
import { maxBlockTxs, maxTxBytes } from '../constants.js';
import { sha256 } from '../crypto/hash.js';
import { InvalidValueError } from '../errors.js';
import {
  MempoolFullError,
  MempoolSenderFullError,
  MempoolUpdateError,
  TxGasTooHighError,
  TxInCacheError,
  TxRejectedError,
  TxTooLargeError,
} from './errors.js';
import {
  mempoolCacheTxs,
  mempoolLaneTasksPerTurn,
  mempoolMaxBytes,
  mempoolMaxTxBytes,
  mempoolMaxTxs,
  mempoolMaxTxsPerSender,
} from './limits.js';
import { SerialLane } from './serial-lane.js';

/** A transaction's id: SHA-256 of its bytes (as CometBFT). */
export type TxHash = Uint8Array;

/** The id of `tx`: SHA-256 of its bytes. */
export function txHash(tx: Uint8Array): TxHash {
  return sha256(tx);
}

export interface MempoolOptions {
  /** Most transactions held, admitted or being checked. Default `mempoolMaxTxs` (5 000). */
  readonly maxTxs?: number;
  /** Most transaction bytes held, admitted or being checked. Default `mempoolMaxBytes` (16 MiB). */
  readonly maxBytes?: number;
  /** Largest transaction; at most the consensus `maxTxBytes`. Default `mempoolMaxTxBytes` (64 KiB). */
  readonly maxTxBytes?: number;
  /**
   * Most admitted transactions of one sender (as the application's `txSender` names it). Default
   * `mempoolMaxTxsPerSender` (256).
   */
  readonly maxTxsPerSender?: number;
  /** Entries of the LRU seen-cache; 0 disables it. Default `mempoolCacheTxs` (10 000). */
  readonly cacheSize?: number;
  /** Recheck the remaining transactions after each block. Default `true`. */
  readonly recheck?: boolean;
  /**
   * Most gas one transaction may want, normally the block's gas limit; -1 for no limit (default).
   * Reaping stops at the first transaction that does not fit, so a larger one would stall the pool.
   */
  readonly maxTxGas?: number;
}

export interface MempoolDependencies {
  readonly app: Pick<Application, 'checkTx' | 'txSender'>;
  /**
   * Resolves on a later turn of the host's event loop (a node passes `setImmediate`): the lane
   * waits for it after every `mempoolLaneTasksPerTurn` tasks, so that a backlog of checks that
   * need no I/O does not hold the host's sockets, disk writes and timers until it drains. Without
   * it (the simulator, tests) tasks follow each other in microtasks.
   */
  readonly yieldToHost?: () => Promise<void>;
}

interface Entry {
  readonly tx: Uint8Array;
  readonly hash: TxHash;
  gasWanted: number;
  /** The pool's height (its last update) when the transaction was admitted. */
  readonly admittedAt: number;
  /** Its sender's key in the per-sender counts, if the application names one. */
  readonly sender: string | undefined;
}

/** An admission between its reservation and its verdict; `committed` is set if a block included it meanwhile. */
interface Check {
  committed: boolean;
}

/**
 * The transactions waiting for a block, in arrival order (FIFO), as CometBFT's CList mempool.
 *
 * Bounds: admitted transactions plus those being checked never exceed `maxTxs` and `maxBytes`; an
 * add reserves its slot before its `checkTx`, so a burst of concurrent adds cannot overshoot, and
 * every refusal is a typed `MempoolError` (never a silent drop).
 *
 * Scheduling rule: every `checkTx` (of an add or of a recheck) and every change of the contents
 * runs on one lane, one at a time. Adds run in the order they came; a block's commit and update
 * (`commitWith`, `update`) go ahead of every add not yet started, as CometBFT's `Update` takes the
 * mempool's lock ahead of waiting `CheckTx` calls: the next height's proposal needs the updated
 * pool, and waiting behind a backlog of checks would hold the chain at the speed of the backlog.
 * An add overtaken by an update is checked after it, against the new state: if the block carried
 * its transaction it is refused `TX_IN_CACHE` without a check, and it is admitted at the new height.
 * An add's wait is bounded: at most one update per block, and a recheck calls `checkTx` at most
 * once per transaction held (≤ `maxTxs`); a node catching up commits block after block, and the
 * adds wait for those updates while they hold their reservations, so new ones meet
 * `MEMPOOL_FULL` until the lane catches up (every queue stays within its bound). Synchronous reads (`reap`, `size`, `has`) do not wait:
 * during a recheck they see the pool as it is at that moment.
 *
 * Seen-cache: a hash enters it when an add is accepted for checking and when a block commits the
 * transaction; it leaves it when `checkTx` or a recheck refuses the transaction, so a transaction
 * refused for a nonce gap can be submitted again later (CometBFT's `keep-invalid-txs-in-cache=false`).
 *
 * The mempool keeps its own copy of each transaction: a caller's buffer may be reused or may be a
 * view into a larger pooled allocation, which would break both the hash and the byte accounting.
 */
export class Mempool {
  readonly #maxTxs: number;
  readonly #maxBytes: number;
  readonly #maxTxBytes: number;
  readonly #maxTxGas: number;
  readonly #maxTxsPerSender: number;
  readonly #recheck: boolean;
  readonly #app: Pick<Application, 'checkTx' | 'txSender'>;
  readonly #txs = new Map<string, Entry>();
  /** Admitted transactions per sender (only senders with at least one). */
  readonly #senders = new Map<string, number>();
  readonly #checking = new Map<string, Check>();
  /**
   * The seen-cache, as CometBFT's mempool cache: hashes of transactions admitted, being checked or
   * recently committed, so gossip echoes are not checked again. An optimisation, not the guard
   * against replays: once a hash is evicted, the application's `checkTx` (nonces) must refuse it.
   */
  readonly #cache: BoundedCache<string, true>;
  readonly #lane: SerialLane;
  readonly #listeners = new Set<() => void>();
  #bytes = 0;
  #reservedTxs = 0;
  #reservedBytes = 0;
  #height = 0;
  #notified = false;

  constructor(options: MempoolOptions, deps: MempoolDependencies) {
    this.#maxTxs = count(options.maxTxs ?? mempoolMaxTxs, 'maxTxs', 1);
    this.#maxBytes = count(options.maxBytes ?? mempoolMaxBytes, 'maxBytes', 1);
    this.#maxTxBytes = count(options.maxTxBytes ?? mempoolMaxTxBytes, 'maxTxBytes', 1);
    if (this.#maxTxBytes > maxTxBytes) {
      throw new InvalidValueError(`maxTxBytes may not exceed the consensus limit of ${maxTxBytes}`);
    }
    this.#cache = new BoundedCache({
      maxEntries: count(options.cacheSize ?? mempoolCacheTxs, 'cacheSize', 0),
    });
    this.#maxTxGas = limit(options.maxTxGas ?? -1, 'maxTxGas');
    this.#maxTxsPerSender = count(options.maxTxsPerSender ?? mempoolMaxTxsPerSender, 'maxTxsPerSender', 1);
    this.#recheck = options.recheck ?? true;
    this.#app = deps.app;
    this.#lane = new SerialLane({
      ...(deps.yieldToHost === undefined ? {} : { yieldToHost: deps.yieldToHost }),
      tasksPerTurn: mempoolLaneTasksPerTurn,
    });
  }

  /**
   * Checks `tx` with the application and admits it; resolves with its hash. Refuses with
   * `TX_TOO_LARGE`, `TX_IN_CACHE` (in the pool, being checked, or recently committed: concurrent
   * adds of one transaction check it once), `MEMPOOL_FULL`, `MEMPOOL_SENDER_FULL` (before its
   * check, and again before it is admitted), `TX_REJECTED` or `TX_GAS_TOO_HIGH`.
   *
   * `knownHash` is `txHash(tx)` when the caller has it already (gossip hashes a transaction for its
   * seen-set before it adds it); it is not checked, and must be the hash of exactly these bytes: the
   * application's check is handed it and looks its cache of verified transactions up by it. The cheap refusals come first, in the order of
   * their cost: the size, the seen-cache, a full pool, then the sender's quota (which decodes the
   * transaction); the copy is made only for a transaction that goes on to its check.
   */
  add(tx: Uint8Array, knownHash?: TxHash): Promise<TxHash> {
    if (!(tx instanceof Uint8Array))
      return Promise.reject(new InvalidValueError('a transaction is a Uint8Array'));
    if (tx.length > this.#maxTxBytes) {
      return Promise.reject(new TxTooLargeError({ bytes: tx.length, limit: this.#maxTxBytes }));
    }
    const hash = knownHash ?? txHash(tx);
    const key = bytesKey(hash);
    const seen = this.#seenState(key);
    if (seen !== undefined) return Promise.reject(new TxInCacheError({ hash, state: seen }));
    if (!this.hasRoom(tx.length)) {
      const held = this.#txs.size + this.#reservedTxs;
      const heldBytes = this.#bytes + this.#reservedBytes;
      return Promise.reject(
        new MempoolFullError({
          txs: held,
          maxTxs: this.#maxTxs,
          bytes: heldBytes,
          maxBytes: this.#maxBytes,
          txBytes: tx.length,
        }),
      );
    }
    const own = new Uint8Array(tx);
    const senderBytes = this.#app.txSender?.(own);
    const sender = senderBytes === undefined ? undefined : bytesKey(senderBytes);
    const senderFull = this.#senderFull(sender);
    if (senderFull !== undefined) return Promise.reject(senderFull);
    this.#reservedTxs++;
    this.#reservedBytes += own.length;
    let reserved = true;
    const unreserve = (): void => {
      if (!reserved) return;
      reserved = false;
      this.#reservedTxs--;
      this.#reservedBytes -= own.length;
    };
    const check: Check = { committed: false };
    this.#checking.set(key, check);
    this.#cache.set(key, true);
    return this.#lane.run(async () => {
      try {
        // A block committed this transaction while its check waited in the lane.
        if (check.committed) throw new TxInCacheError({ hash, state: 'seen' });
        const response = await this.#app.checkTx({ tx: own, kind: 'new', hash });
        if (check.committed) throw new TxInCacheError({ hash, state: 'seen' });
        this.#refuseUnlessOk(response, hash);
        // Concurrent adds of one sender all passed the first count.
        const full = this.#senderFull(sender);
        if (full !== undefined) throw full;
        unreserve();
        this.#insert(key, {
          tx: own,
          hash,
          gasWanted: response.gasWanted,
          admittedAt: this.#height,
          sender,
        });
      } catch (error) {
        if (!check.committed) this.#cache.delete(key);
        throw error;
      } finally {
        unreserve();
        this.#checking.delete(key);
      }
      this.#notifyIfAvailable();
      return hash;
    });
  }

  /**
   * Transactions for a proposal, in FIFO order, stopping at the first one that does not fit in
   * `maxBytes` (sum of transaction lengths) or `maxGas` (sum of `gasWanted`), as CometBFT's
   * `ReapMaxBytesMaxGas`; -1 means no limit. Never more than `maxBlockTxs`.
   */
  reap(maxBytes: number, maxGas: number): Uint8Array[] {
    limit(maxBytes, 'maxBytes');
    limit(maxGas, 'maxGas');
    const out: Uint8Array[] = [];
    let bytes = 0;
    let gas = 0;
    for (const entry of this.#txs.values()) {
      if (out.length >= maxBlockTxs) break;
      if (maxBytes >= 0 && bytes + entry.tx.length > maxBytes) break;
      if (maxGas >= 0 && gas + entry.gasWanted > maxGas) break;
      bytes += entry.tx.length;
      gas += entry.gasWanted;
      out.push(entry.tx);
    }
    return out;
  }

  /**
   * After the block at `height` is committed: removes its transactions (remembering them in the
   * seen-cache so gossip does not bring them back), then, if `recheck` is on, runs every remaining
   * transaction through `checkTx` with `kind: 'recheck'` and removes those now refused. Heights
   * must increase. Runs on the lane ahead of the adds not yet started (they are checked after it,
   * against the new state); a check already running finishes first.
   */
  update(height: number, committed: readonly Uint8Array[]): Promise<void> {
    return this.#lane.runFirst(() => this.#update(height, committed));
  }

  /**
   * Runs `commit` (the application's commit of the block at `height`) and then `update` as one
   * task of the lane, so no admission runs between them: the application resets its check state
   * to the committed state on commit, and a check in that gap would not see the transactions still
   * in the pool (a sender's next nonce, say) until the recheck restores them. CometBFT locks its
   * mempool around Commit and Update for the same reason. Like `update`, it runs ahead of the adds
   * not yet started. `commit`'s failure rejects (and skips the update); an update's failure is
   * returned, the commit having happened.
   */
  commitWith<T>(
    height: number,
    committed: readonly Uint8Array[],
    commit: () => Promise<T>,
  ): Promise<{ result: T; updateError: Error | null }> {
    return this.#lane.runFirst(async () => {
      const result = await commit();
      try {
        await this.#update(height, committed);
        return { result, updateError: null };
      } catch (error) {
        return {
          result,
          updateError: error instanceof Error ? error : new MempoolUpdateError(String(error), { height }),
        };
      }
    });
  }

  async #update(height: number, committed: readonly Uint8Array[]): Promise<void> {
    if (!Number.isSafeInteger(height) || height <= this.#height) {
      throw new InvalidValueError(`mempool update for height ${height} after ${this.#height}`, {
        height,
        last: this.#height,
      });
    }
    this.#height = height;
    this.#notified = false;
    for (const tx of committed) {
      const key = bytesKey(txHash(tx));
      this.#cache.set(key, true);
      this.#remove(key);
      const check = this.#checking.get(key);
      if (check !== undefined) check.committed = true;
    }
    if (this.#recheck) await this.#recheckAll();
    this.#notifyIfAvailable();
  }

  /** Empties the pool and the seen-cache (after the lane's queued work). Admissions queued later proceed. */
  flush(): Promise<void> {
    return this.#lane.run(async () => {
      this.#txs.clear();
      this.#senders.clear();
      this.#bytes = 0;
      this.#cache.clear();
    });
  }

  /**
   * Calls `listener` once per height, when the pool holds transactions: on the first admission of
   * a height, or at the end of `update` if transactions remain. For `createEmptyBlocks=false`.
   * Listeners run synchronously once the pool is consistent; they must not throw (an error reaches
   * the caller of `add` or `update`). Returns a function that removes the listener.
   */
  onTxsAvailable(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Up to `maxTxs` transactions admitted at least `minHeights` heights ago and still here, oldest
   * first: what gossip sends again, since a peer may have dropped the first copy (a full pool, a
   * nonce that arrived before its predecessor, a rate limit).
   */
  stale(minHeights: number, maxTxs: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const entry of this.#txs.values()) {
      if (out.length >= maxTxs) break;
      if (this.#height - entry.admittedAt >= minHeights) out.push(entry.tx);
    }
    return out;
  }

  /**
   * Whether a transaction of `txBytes` would find room now (admitted plus being checked, within
   * `maxTxs` and `maxBytes`): what `add` refuses first with `MEMPOOL_FULL`, without its hash or its
   * error, for a relay that would drop the transaction anyway.
   */
  hasRoom(txBytes: number): boolean {
    return (
      this.#txs.size + this.#reservedTxs + 1 <= this.#maxTxs &&
      this.#bytes + this.#reservedBytes + txBytes <= this.#maxBytes
    );
  }

  /** Transactions accepted for checking whose verdict is not in yet. */
  checking(): number {
    return this.#reservedTxs;
  }

  /** Transactions admitted (not counting those being checked). */
  size(): number {
    return this.#txs.size;
  }

  /** Bytes of the transactions admitted (not counting those being checked). */
  bytes(): number {
    return this.#bytes;
  }

  /** What the seen-cache holds and how it served (for metrics). */
  seenCacheStats(): BoundedCacheStats {
    return this.#cache.stats();
  }

  /** Whether a transaction with this hash is admitted. */
  has(hash: TxHash): boolean {
    return this.#txs.has(bytesKey(hash));
  }

  /** Height of the last `update` (0 before the first). */
  height(): number {
    return this.#height;
  }

  #seenState(key: string): 'checking' | 'in-mempool' | 'seen' | undefined {
    if (this.#checking.has(key)) return 'checking';
    if (this.#txs.has(key)) return 'in-mempool';
    if (this.#cache.has(key)) return 'seen';
    return undefined;
  }

  /** Throws the refusal a `checkTx` response calls for; a malformed response is the application's bug. */
  #refuseUnlessOk(response: CheckTxResponse, hash: TxHash): void {
    if (response.code !== 0) {
      throw new TxRejectedError({
        hash,
        appCode: response.code,
        codespace: response.codespace,
        log: response.log,
      });
    }
    if (!Number.isSafeInteger(response.gasWanted) || response.gasWanted < 0) {
      throw new InvalidValueError(`checkTx returned gasWanted ${response.gasWanted}`, { hash });
    }
    if (this.#maxTxGas >= 0 && response.gasWanted > this.#maxTxGas) {
      throw new TxGasTooHighError({ hash, gasWanted: response.gasWanted, limit: this.#maxTxGas });
    }
  }

  async #recheckAll(): Promise<void> {
    // The live map, not a copy: only tasks of the lane change it, and this is the lane's task (a
    // Map's iteration goes on past entries deleted meanwhile).
    for (const [key, entry] of this.#txs) {
      const response = await this.#app.checkTx({ tx: entry.tx, kind: 'recheck', hash: entry.hash });
      // Only the verdict counts: the gas of admission stays (a recheck may run fewer checks).
      if (response.code !== 0) {
        this.#remove(key);
        this.#cache.delete(key);
      }
    }
  }

  /** The refusal of one more transaction of `sender`, if it has its quota. */
  #senderFull(sender: string | undefined): MempoolSenderFullError | undefined {
    if (sender === undefined) return undefined;
    const txs = this.#senders.get(sender) ?? 0;
    if (txs < this.#maxTxsPerSender) return undefined;
    return new MempoolSenderFullError({ txs, maxTxsPerSender: this.#maxTxsPerSender });
  }

  #insert(key: string, entry: Entry): void {
    this.#txs.set(key, entry);
    this.#bytes += entry.tx.length;
    if (entry.sender !== undefined)
      this.#senders.set(entry.sender, (this.#senders.get(entry.sender) ?? 0) + 1);
    this.#cache.set(key, true);
  }

  #remove(key: string): void {
    const entry = this.#txs.get(key);
    if (entry === undefined) return;
    this.#txs.delete(key);
    this.#bytes -= entry.tx.length;
    if (entry.sender === undefined) return;
    const left = (this.#senders.get(entry.sender) ?? 1) - 1;
    if (left === 0) this.#senders.delete(entry.sender);
    else this.#senders.set(entry.sender, left);
  }

  #notifyIfAvailable(): void {
    if (this.#notified || this.#txs.size === 0) return;
    this.#notified = true;
    for (const listener of [...this.#listeners]) listener();
  }
}

function count(value: number, name: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new InvalidValueError(`mempool option ${name} must be an integer ≥ ${min}`, { [name]: value });
  }
  return value;
}

/** A limit argument: a non-negative integer, or -1 for none. */
function limit(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < -1) {
    throw new InvalidValueError(`${name} must be an integer ≥ -1 (-1: no limit)`, { [name]: value });
  }
  return value;
}
