import { BoundedCache } from '../cache/bounded-cache.js';
import { catchUpAnswersPerPeerPerSecond, catchUpBurstAnswersPerPeer, maxCatchUpPeers } from './limits.js';
import type { PeerId } from './transport.js';

export interface CatchUpBudgetOptions {
  /** Answers per peer per second. Default `catchUpAnswersPerPeerPerSecond`. */
  readonly answersPerSecond?: number;
  /** Answers per peer in a burst. Default `catchUpBurstAnswersPerPeer`. */
  readonly burstAnswers?: number;
  /** Peers remembered. Default `maxCatchUpPeers`. */
  readonly maxPeers?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * How many status frames a peer may have answered with what this node holds (a block and its
 * commit, or the votes of a round): a token bucket per peer on the driver's clock, so a flood of
 * status frames costs at most a burst of reads and sends, then the rate block sync allows. A
 * forgotten peer starts again with a full burst; the number remembered is bounded.
 */
export class CatchUpBudget {
  readonly #rate: number;
  readonly #burst: number;
  readonly #peers: BoundedCache<PeerId, Bucket>;
  readonly #now: () => number;

  constructor(options: CatchUpBudgetOptions, deps: { readonly now: () => number }) {
    this.#rate = options.answersPerSecond ?? catchUpAnswersPerPeerPerSecond;
    this.#burst = options.burstAnswers ?? catchUpBurstAnswersPerPeer;
    this.#peers = new BoundedCache({ maxEntries: options.maxPeers ?? maxCatchUpPeers });
    this.#now = deps.now;
  }

  /** Takes one answer from `peer`'s budget; false when it has none left. */
  take(peer: PeerId): boolean {
    const now = this.#now();
    let bucket = this.#peers.get(peer);
    if (bucket === undefined) {
      bucket = { tokens: this.#burst, at: now };
      this.#peers.set(peer, bucket);
    }
    const elapsedMs = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (elapsedMs * this.#rate) / 1000);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
