import { JouleError } from '../errors.js';

/** Why evidence was refused. Stable: peers are scored and blocks rejected on these. */
export type EvidenceErrorCode =
  | 'EVIDENCE_INVALID'
  | 'EVIDENCE_EXPIRED'
  | 'EVIDENCE_DUPLICATE'
  | 'EVIDENCE_POOL_FULL';

/** What exactly is wrong with invalid evidence, in `context.reason`. */
export type InvalidEvidenceReason =
  | 'malformed'
  | 'future-height'
  | 'unknown-height'
  | 'unknown-validator'
  | 'wrong-index'
  | 'bad-signature';

/** Where a duplicate was found, in `context.reason`. */
export type DuplicateEvidenceReason = 'pending' | 'verifying' | 'committed' | 'in-block';

/** Evidence was refused by the pool or in a block; `code` says why, `context` carries the details. */
export class EvidenceError extends JouleError {
  declare readonly code: EvidenceErrorCode;
  constructor(code: EvidenceErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

/** The evidence does not prove misbehaviour of a validator of a committed height. */
export class InvalidEvidenceError extends EvidenceError {
  constructor(reason: InvalidEvidenceReason, message: string, context: Record<string, unknown> = {}) {
    super('EVIDENCE_INVALID', message, { ...context, reason });
  }
}

/** The evidence is older than both `maxAgeBlocks` and `maxAgeMs`: too late to punish. */
export class ExpiredEvidenceError extends EvidenceError {
  constructor(context: {
    height: number;
    /** Block time of `height`; absent when the height is below the evidence window's base. */
    time?: number;
    /** The evidence window's base, when the height is below it. */
    evidenceBase?: number;
    now: { height: number; time: number };
    index?: number;
  }) {
    super(
      'EVIDENCE_EXPIRED',
      `evidence of height ${context.height} has expired at height ${context.now.height}`,
      context,
    );
  }
}

/** The same misbehaviour (validator, height, round, vote type) is already pending or committed. */
export class DuplicateEvidenceError extends EvidenceError {
  constructor(reason: DuplicateEvidenceReason, context: Record<string, unknown> = {}) {
    super('EVIDENCE_DUPLICATE', `evidence already known (${reason})`, { ...context, reason });
  }
}

/** Admitting the evidence would exceed the pool's count or byte bound. */
export class EvidencePoolFullError extends EvidenceError {
  constructor(context: { pending: number; maxPending: number; bytes: number; maxBytes: number }) {
    super(
      'EVIDENCE_POOL_FULL',
      `evidence pool is full (${context.pending}/${context.maxPending}, ${context.bytes}/${context.maxBytes} bytes)`,
      context,
    );
  }
}
