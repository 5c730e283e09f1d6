import { MempoolError, type TxHash, toHex, txHash } from '@joule/consensus';
import { GossipChannel } from '../channel/gossip-channel.js';
import {
  maxMempoolFrameBytes,
  mempoolBurstBytes,
  mempoolBurstFrames,
  mempoolBytesPerSecond,
  mempoolFramesPerSecond,
  mempoolProtocol,
  mempoolSeenCacheEntries,
  penalties,
} from '../constants.js';
import type { P2pHost } from '../host/host.js';
import { BoundedSeenSet } from '../peers/seen-cache.js';
import type { RateLimit } from '../peers/token-bucket.js';

/** What the gossip needs of the mempool: its admission (the consensus `Mempool` has it). */
export interface TxAdmission {
  add(tx: Uint8Array): Promise<TxHash>;
}

export interface MempoolGossipOptions {
  /** Entries of the de-duplication cache. Default `mempoolSeenCacheEntries`. */
  readonly seenCacheEntries?: number;
  /** Per-peer rate limit. Default: the `mempool*` constants. */
  readonly rateLimit?: RateLimit;
}

/**
 * Transaction gossip: a transaction is relayed only after the local mempool admitted it (the
 * application's `checkTx` and the pool's bounds), once, to every peer but the one it came from.
 * A seen-cache keyed by the transaction hash drops echoes before they reach the mempool's lane.
 * A transaction over the size limit, or one the application refuses, costs the sender a little
 * score; a full pool or an already-known transaction costs nothing (they are normal under load).
 */
export class MempoolGossip {
  readonly channel: GossipChannel;
  readonly #host: P2pHost;
  readonly #mempool: TxAdmission;
  readonly #seen: BoundedSeenSet;

  constructor(
    options: MempoolGossipOptions,
    deps: { readonly host: P2pHost; readonly mempool: TxAdmission },
  ) {
    this.#host = deps.host;
    this.#mempool = deps.mempool;
    this.#seen = new BoundedSeenSet(options.seenCacheEntries ?? mempoolSeenCacheEntries);
    this.channel = new GossipChannel(
      {
        protocol: mempoolProtocol,
        name: 'mempool',
        maxFrameBytes: maxMempoolFrameBytes,
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

  start(): Promise<void> {
    return this.channel.start();
  }

  stop(): Promise<void> {
    return this.channel.stop();
  }

  /** Admits a local transaction (from the node's API) and gossips it; rejects as `Mempool.add` does. */
  async submit(tx: Uint8Array): Promise<TxHash> {
    const hash = await this.#mempool.add(tx);
    this.#seen.add(toHex(hash));
    this.channel.broadcast(new Uint8Array(tx));
    return hash;
  }

  async #receive(peer: string, tx: Uint8Array): Promise<void> {
    const counters = this.#host.counters;
    const key = toHex(txHash(tx));
    if (!this.#seen.add(key)) {
      counters.add(counters.dropped, 'duplicate-tx');
      return;
    }
    try {
      await this.#mempool.add(tx);
    } catch (error) {
      if (!(error instanceof MempoolError)) throw error;
      switch (error.code) {
        case 'TX_TOO_LARGE':
          this.#host.scores.penalize(peer, penalties.oversized, 'oversized-tx');
          return;
        case 'TX_REJECTED':
        case 'TX_GAS_TOO_HIGH':
          this.#host.scores.penalize(peer, penalties.rejectedTx, 'rejected-tx');
          return;
        case 'MEMPOOL_FULL':
          // Let it come again once the pool has room.
          this.#seen.delete(key);
          counters.add(counters.dropped, 'mempool-full');
          return;
        case 'TX_IN_CACHE':
          return;
      }
    }
    counters.relayed += this.channel.broadcast(tx, peer);
  }
}
