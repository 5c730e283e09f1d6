/**
 * A token bucket: `burst` tokens at most, refilled at `ratePerSecond`. A frame from a peer takes
 * one token of its frame bucket and its length in tokens of its byte bucket; when either is empty
 * the frame is dropped (and the peer's score pays a little).
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(ratePerSecond: number, burst: number, now: () => number) {
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes `amount` tokens if there are that many; returns whether it did. */
  take(amount = 1): boolean {
    const now = this.#now();
    const elapsedMs = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsedMs * this.#rate) / 1000);
    if (this.#tokens < amount) return false;
    this.#tokens -= amount;
    return true;
  }

  get tokens(): number {
    return this.#tokens;
  }
}

/** The limits of one protocol: frames and bytes per second, each with a burst. */
export interface RateLimit {
  readonly framesPerSecond: number;
  readonly burstFrames: number;
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
}

/** A frame bucket and a byte bucket for one peer on one protocol. */
export class FrameLimiter {
  readonly #frames: TokenBucket;
  readonly #bytes: TokenBucket;

  constructor(limit: RateLimit, now: () => number) {
    this.#frames = new TokenBucket(limit.framesPerSecond, limit.burstFrames, now);
    this.#bytes = new TokenBucket(limit.bytesPerSecond, limit.burstBytes, now);
  }

  /** Whether a frame of `bytes` bytes is within the limits (and, if so, charges it). */
  allow(bytes: number): boolean {
    return this.#frames.take(1) && this.#bytes.take(bytes);
  }
}
