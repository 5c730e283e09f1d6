import { JouleError } from '@joule/consensus/core';

/**
 * Every way a node can fail a light client, as a stable code. A lie is never an `Error` without a
 * code: each check that fails names what it caught, with the height and the node.
 */
export type LightErrorCode =
  /** The root of trust is older than the trust period: re-establish trust out of band. */
  | 'LIGHT_TRUST_EXPIRED'
  /** The trusted height's header does not hash to the trusted hash. */
  | 'LIGHT_TRUST_MISMATCH'
  /** A header breaks a rule of its own (chain id, height, time, hashes of its validator sets, commit). */
  | 'LIGHT_INVALID_HEADER'
  /** A commit carries a signature that does not verify, or a slot signed by a validator not in that position. */
  | 'LIGHT_INVALID_SIGNATURE'
  /** The commit's valid signatures hold no more than 2/3 of the header's validator set. */
  | 'LIGHT_NOT_ENOUGH_POWER'
  /** Skipping: no more than the trust level of the trusted set signed, and bisection ran out. */
  | 'LIGHT_CANNOT_TRUST'
  /** Two nodes showed different headers at one height. */
  | 'LIGHT_CONFLICTING_HEADERS'
  /** A state proof does not verify against the app hash of the verified header. */
  | 'LIGHT_INVALID_PROOF'
  /** The answer lacks the proof of a key it had to read. */
  | 'LIGHT_PROOF_MISSING'
  /** A proven value does not decode, or the node's answer differs from what its proofs show. */
  | 'LIGHT_WRONG_ANSWER'
  /** A node cannot be reached, or answered with an HTTP error or something that is not its API's JSON. */
  | 'LIGHT_PROVIDER_ERROR'
  /** The header carrying a proof's app hash did not appear in time. */
  | 'LIGHT_HEADER_UNAVAILABLE'
  /** A caller's request is out of range (a height below the root of trust, a bad address). */
  | 'LIGHT_BAD_REQUEST';

/** A light client's refusal: a stable `code`, the `height` and `node` it concerns when known. */
export class LightClientError extends JouleError {
  declare readonly code: LightErrorCode;
  constructor(code: LightErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

/** Shorthand used by the checks: `fail('LIGHT_INVALID_HEADER', …)`. */
export function fail(code: LightErrorCode, message: string, context: Record<string, unknown> = {}): never {
  throw new LightClientError(code, message, context);
}
