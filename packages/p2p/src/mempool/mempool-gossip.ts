import { MempoolError, type TxHash, txHash } from '@joule/consensus';
import { GossipChannel } from '../channel/gossip-channel.js';
import {
  maxMempoolBatchBytes,
  maxMempoolFrameBytes,
  maxMempoolInboundBufferBytes,
  maxRegossipTxs,
  mempoolBurstBytes,
  mempoolBurstFrames,
  mempoolBytesPerSecond,
  mempoolFramesPerSecond,
  mempoolGossipMaxWaitTurns,
  mempoolProtocol,
  mempoolRegossipAfterHeights,
  mempoolRegossipMs,
  mempoolSeenCacheEntries,
  penalties,
} from '../constants.js';
import type { P2pHost } from '../host/host.js';
import type { NeighbourSets } from '../peers/neighbours.js';
import { BoundedSeenSet } from '../peers/seen-cache.js';
import type { RateLimit } from '../peers/token-bucket.js';
import { decodeTxBatch, encodeTxBatch, splitTxBatches } from './tx-batch.js';

/**
 * Refusals that depend on the transaction's bytes alone (the ante chain's codes of @joule/state):
 * the same on every node, so the relay is at fault, and the hash stays seen.
 */
const statelessRefusals: ReadonlySet<string> = new Set([
  'TX_TOO_LARGE',
  'TX_MALFORMED',
  'TX_WRONG_CHAIN',
  'TX_BAD_SIGNATURE',
  'TX_UNKNOWN_MESSAGE',
  'TX_MALFORMED_MESSAGE',
  'TX_INVALID_MESSAGE',
]);

/** What the gossip needs of the mempool (the consensus `Mempool` has it). */
export interface TxAdmission {
  /** `knownHash`: `txHash(tx)`, computed by the caller (the gossip's seen-set needs it first). */
  add(tx: Uint8Array, knownHash?: TxHash): Promise<TxHash>;
  /** Whether a transaction of `txBytes` would find room now (else `add` refuses it `MEMPOOL_FULL`). */
  hasRoom(txBytes: number): boolean;
  /** Transactions admitted `minHeights` or more heights ago and still pending, oldest first. */
  stale(minHeights: number, maxTxs: number): Uint8Array[];
  /** Transactions accepted for checking whose verdict is not in yet (none if absent). */
  checking?(): number;
}

export interface MempoolGossipOptions {
  /** Entries of the de-duplication cache. Default `mempoolSeenCacheEntries`. */
  readonly seenCacheEntries?: number;
  /** Per-peer rate limit. Default: the `mempool*` constants. */
  readonly rateLimit?: RateLimit;
  /** How often pending transactions are gossiped again, ms (0: never). Default `mempoolRegossipMs`. */
  readonly regossipMs?: number;
}

/**
 * Transaction gossip: a transaction is relayed only after the local mempool admitted it (the
 * application's `checkTx` and the pool's bounds), once, to every peer but the one it came from.
 * A seen-cache keyed by the transaction hash drops echoes before they reach the mempool's lane.
 * A transaction over the size limit or the gas limit, or one refused for its bytes alone (a bad
 * signature, malformed, another chain's), costs the sender score; one refused for the state (a
 * nonce, a balance), a full pool or an already-known transaction costs nothing (under load and with
 * gossip sent again they are normal, and a relay cannot tell them from the signer's fault).
 *
 * Push-once gossip loses transactions: a peer's pool was full, a signer's next transaction arrived
 * by a shorter path before its predecessor and was refused, a frame was dropped. So a refused or
 * dropped transaction is not remembered as seen, and every `regossipMs` the transactions that have
 * waited `mempoolRegossipAfterHeights` heights in this pool are sent to every peer again (at most
 * `maxRegossipTxs`); peers that hold them drop the copies at their seen-cache.
 *
 * Batches: a frame carries a list of transactions. What this node admits or relays during one
 * event-loop turn is gathered and sent on the next (`setImmediate`), one frame per peer of at most
 * `maxMempoolBatchBytes` (more frames if more), so a transaction costs a share of a frame's framing,
 * encryption and write rather than a whole one. A received batch is admitted in its order (the
 * mempool's lane keeps a signer's nonces in sequence) and the reader waits for its verdicts
 * before it reads the next frame: the peer's stream, not this node's memory, holds the backlog.
 */
export class MempoolGossip {
  readonly channel: GossipChannel;
  readonly #host: P2pHost;
  readonly #mempool: TxAdmission;
  readonly #neighbours: NeighbourSets | undefined;
  readonly #seen: BoundedSeenSet;
  readonly #regossipMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Transactions to send on the next turn, each with the peer it came from (not sent back to it). */
  #outbox: { readonly tx: Uint8Array; readonly from: string | undefined }[] = [];
  #outboxBytes = 0;
  #flush: ReturnType<typeof setImmediate> | undefined;
  /** Turns the outbox has waited for the mempool's checks to finish. */
  #waitedTurns = 0;

  constructor(
    options: MempoolGossipOptions,
    deps: {
      readonly host: P2pHost;
      readonly mempool: TxAdmission;
      /** The consensus gossip's `neighbours`: a relay skips peers the sender reaches itself. */
      readonly neighbours?: NeighbourSets;
    },
  ) {
    this.#host = deps.host;
    this.#mempool = deps.mempool;
    this.#neighbours = deps.neighbours;
    this.#seen = new BoundedSeenSet(options.seenCacheEntries ?? mempoolSeenCacheEntries);
    this.#regossipMs = options.regossipMs ?? mempoolRegossipMs;
    this.channel = new GossipChannel(
      {
        protocol: mempoolProtocol,
        name: 'mempool',
        maxFrameBytes: maxMempoolFrameBytes,
        maxInboundBufferBytes: maxMempoolInboundBufferBytes,
        rateLimit: options.rateLimit ?? {
          framesPerSecond: mempoolFramesPerSecond,
          burstFrames: mempoolBurstFrames,
          bytesPerSecond: mempoolBytesPerSecond,
          burstBytes: mempoolBurstBytes,
        },
      },
      { host: deps.host },
    );
    this.channel.onFrame((peer, frame) => this.#receive(peer, frame));
  }

  /** Hashes in the de-duplication set (at most its `seenCacheEntries`), for the memory metrics. */
  get seenEntries(): number {
    return this.#seen.size;
  }

  async start(): Promise<void> {
    await this.channel.start();
    if (this.#regossipMs > 0 && this.#timer === undefined)
      this.#timer = setInterval(() => this.regossip(), this.#regossipMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    clearImmediate(this.#flush);
    this.#flush = undefined;
    this.#outbox = [];
    this.#outboxBytes = 0;
    this.#waitedTurns = 0;
    await this.channel.stop();
  }

  /** Sends the transactions waiting in the pool to every peer again; returns how many. */
  regossip(): number {
    const txs = this.#mempool.stale(mempoolRegossipAfterHeights, maxRegossipTxs);
    for (const tx of txs) this.#send(tx, undefined);
    return txs.length;
  }

  /** Admits a local transaction (from the node's API) and gossips it; rejects as `Mempool.add` does. */
  async submit(tx: Uint8Array): Promise<TxHash> {
    const hash = await this.#mempool.add(tx);
    this.#seen.add(hash);
    this.#send(outboxCopy(tx), undefined);
    return hash;
  }

  /** Queues `tx` for every peer but `from`, for the next turn's batches. */
  #send(tx: Uint8Array, from: string | undefined): void {
    this.#outbox.push({ tx, from });
    this.#outboxBytes += tx.length;
    // A full batch leaves now: the outbox never holds more than one batch's bytes.
    if (this.#outboxBytes >= maxMempoolBatchBytes) this.#flushOutbox();
    else if (this.#flush === undefined) this.#flush = setImmediate(() => this.#flushWhenChecked());
  }

  /**
   * Sends the outbox on the next turn, unless the mempool is still checking transactions: their
   * admissions would each leave in a frame of their own turn's few, so the outbox waits for them
   * (a full batch leaves at once) for at most `mempoolGossipMaxWaitTurns` turns.
   */
  #flushWhenChecked(): void {
    if ((this.#mempool.checking?.() ?? 0) > 0 && this.#waitedTurns < mempoolGossipMaxWaitTurns) {
      this.#waitedTurns++;
      this.#flush = setImmediate(() => this.#flushWhenChecked());
      return;
    }
    this.#flushOutbox();
  }

  #flushOutbox(): void {
    clearImmediate(this.#flush);
    this.#flush = undefined;
    this.#waitedTurns = 0;
    const outbox = this.#outbox;
    this.#outbox = [];
    this.#outboxBytes = 0;
    if (outbox.length === 0) return;
    const counters = this.#host.counters;
    if (outbox.every((o) => o.from === undefined)) {
      // This node's own transactions: every peer gets the same frames, encoded once.
      for (const batch of splitTxBatches(outbox.map((o) => o.tx)))
        this.channel.broadcast(encodeTxBatch(batch));
      return;
    }
    const neighbours = this.#neighbours;
    for (const peer of this.channel.peers()) {
      const txs: Uint8Array[] = [];
      let relays = 0;
      for (const o of outbox) {
        if (o.from === peer) continue;
        if (neighbours?.reaches(o.from, peer) === true) {
          counters.relaysSkipped++;
          continue;
        }
        txs.push(o.tx);
        if (o.from !== undefined) relays++;
      }
      let sent = true;
      for (const batch of splitTxBatches(txs)) sent = this.channel.send(peer, encodeTxBatch(batch)) && sent;
      if (sent) {
        counters.relayed += relays;
        counters.txsRelayed += relays;
      }
    }
  }

  async #receive(peer: string, frame: Uint8Array): Promise<void> {
    const counters = this.#host.counters;
    let txs: Uint8Array[];
    try {
      txs = decodeTxBatch(frame);
    } catch {
      counters.add(counters.dropped, 'malformed');
      this.#host.scores.penalize(peer, penalties.malformed, 'malformed-tx-batch');
      return;
    }
    const admissions: Promise<void>[] = [];
    for (const tx of txs) {
      // A full pool refuses it anyway: not hashed, not marked seen, so it can come again.
      if (!this.#mempool.hasRoom(tx.length)) {
        counters.add(counters.dropped, 'mempool-full');
        continue;
      }
      const key = txHash(tx);
      if (!this.#seen.add(key)) {
        counters.add(counters.dropped, 'duplicate-tx');
        continue;
      }
      admissions.push(this.#admit(peer, tx, key));
    }
    await Promise.all(admissions);
  }

  /** Admits one relayed transaction and passes it on, or scores the peer for its refusal. */
  async #admit(peer: string, tx: Uint8Array, key: TxHash): Promise<void> {
    const counters = this.#host.counters;
    try {
      await this.#mempool.add(tx, key);
    } catch (error) {
      if (!(error instanceof MempoolError)) throw error;
      switch (error.code) {
        case 'TX_TOO_LARGE':
          this.#host.scores.penalize(peer, penalties.oversized, 'oversized-tx');
          return;
        case 'TX_REJECTED': {
          const codespace = String((error.context as { codespace?: unknown }).codespace ?? '');
          if (statelessRefusals.has(codespace)) {
            // Its bytes alone are wrong: the sender relayed what it could not have admitted.
            this.#host.scores.penalize(peer, penalties.invalidTx, 'invalid-tx');
            return;
          }
          // Refused here and now — a nonce ahead of its predecessor, or taken by a rival in this
          // pool — which an honest relay cannot know: no penalty, and checked again if it comes again.
          this.#seen.delete(key);
          counters.add(counters.dropped, 'rejected-tx');
          return;
        }
        case 'TX_GAS_TOO_HIGH':
          this.#host.scores.penalize(peer, penalties.rejectedTx, 'rejected-tx');
          return;
        case 'MEMPOOL_FULL':
          // Let it come again once the pool has room.
          this.#seen.delete(key);
          counters.add(counters.dropped, 'mempool-full');
          return;
        case 'MEMPOOL_SENDER_FULL':
          // This pool's quota for the sender, which a relay cannot know: no penalty, not passed on
          // (a sender over its quota would otherwise be relayed by every node it reaches).
          this.#seen.delete(key);
          counters.add(counters.dropped, 'mempool-sender-full');
          return;
        case 'TX_IN_CACHE':
          return;
        default: {
          // Every refusal code is handled above (the build checks it: a new code does not compile
          // until it is); a code from outside the type is dropped and counted, never passed on.
          const unhandled: never = error.code;
          counters.add(counters.dropped, `refused-${String(unhandled)}`);
          return;
        }
      }
    }
    this.#send(tx, peer);
  }
}

/**
 * A copy of `tx` for the outbox (the caller may reuse its buffer), which holds it until the next
 * turn's batches are encoded: cut from Node's pool of small buffers, a view into a shared 8 KiB
 * slab, where a `Uint8Array` of its own over 64 bytes would cost a backing store outside V8's heap
 * (a `malloc` and the collector's bookkeeping) — most of a transaction's copy. Short-lived, so the
 * slab it shares is not held for long.
 */
function outboxCopy(tx: Uint8Array): Uint8Array {
  const copy = Buffer.from(tx);
  return new Uint8Array(copy.buffer, copy.byteOffset, copy.length);
}
