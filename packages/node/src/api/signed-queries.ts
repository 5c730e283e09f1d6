import { decode } from '@joule/consensus';
import { maxQueryBytes, signedQueryCodec } from '@joule/state';
import {
  apiBusyRetryAfterMs,
  maxSeenSignedQueries,
  signedQueryHeader,
  signedQueryWindowMs,
} from '../constants.js';
import { ApiError } from './errors.js';

/**
 * The API's guard of authenticated queries: the envelope travels in the `joule-signed-query` header
 * (never in the URL, which proxies and logs keep), its timestamp must be within `signedQueryWindowMs`
 * of the last block time, and each envelope is answered once: a replay within the window is refused.
 * The application checks the signature and its own (wider) freshness after this.
 */
export class SignedQueryGuard {
  /** Signature (latin1) → the envelope's timestamp, in the order they were seen. */
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly lastBlockTime: () => number | null,
    private readonly maxSeen = maxSeenSignedQueries,
  ) {}

  /** The envelope bytes of the request's header, checked; throws a 4xx `ApiError` otherwise. */
  admit(header: string | string[] | undefined): Uint8Array {
    const text = Array.isArray(header) ? header[0] : header;
    if (text === undefined || !/^([0-9a-f]{2})+$/.test(text))
      throw new ApiError(
        401,
        'QUERY_UNAUTHENTICATED',
        `this query needs the ${signedQueryHeader} header: hex of a SignedQuery envelope`,
      );
    const data = Buffer.from(text, 'hex');
    let envelope: { timestamp: number; signature: Uint8Array };
    try {
      envelope = decode(signedQueryCodec, data, { maxBytes: maxQueryBytes + 256 });
    } catch (error) {
      throw new ApiError(
        401,
        'QUERY_UNAUTHENTICATED',
        `the SignedQuery envelope does not decode: ${String(error)}`,
      );
    }
    const now = this.lastBlockTime();
    if (now === null) return data; // before the first block: the application's window applies
    if (Math.abs(envelope.timestamp - now) > signedQueryWindowMs)
      throw new ApiError(
        401,
        'QUERY_STALE',
        `query time ${envelope.timestamp} is outside ${signedQueryWindowMs} ms of the last block time ${now}: sign again`,
      );
    const id = Buffer.from(envelope.signature).toString('latin1');
    if (this.#seen.has(id))
      throw new ApiError(401, 'QUERY_REPLAYED', 'this signed query was answered already: sign a new one');
    if (this.#seen.size >= this.maxSeen) this.#forget(now);
    if (this.#seen.size >= this.maxSeen)
      throw new ApiError(
        429,
        'API_BUSY',
        `${this.maxSeen} signed queries within ${signedQueryWindowMs} ms; query again later`,
        {},
        apiBusyRetryAfterMs,
      );
    this.#seen.set(id, envelope.timestamp);
    return data;
  }

  /** Drops the envelopes that the window refuses anyway. */
  #forget(now: number): void {
    for (const [id, timestamp] of this.#seen)
      if (Math.abs(timestamp - now) > signedQueryWindowMs) this.#seen.delete(id);
  }
}
