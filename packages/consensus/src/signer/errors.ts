import { JouleError } from '../errors.js';

/**
 * The stored signer state cannot be trusted: it does not decode, fails its checksum, or disagrees
 * with itself or with the validator's key. The guard refuses to sign rather than start from an
 * empty state, which could sign a second, conflicting vote for a step it already signed. The
 * operator must look at the file.
 */
export class SignerStateCorruptError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('SIGNER_STATE_CORRUPT', message, context);
  }
}

/**
 * The guard refused to sign: the (height, round, step) is below the last one signed, or equal to
 * it with different sign bytes (more than the timestamp differs). Signing would be equivocation.
 */
export class DoubleSignError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('DOUBLE_SIGN_REFUSED', message, context);
  }
}

/** The file system failed while loading or saving the signer state (the cause is kept). */
export class SignerStoreIoError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super('SIGNER_STORE_IO', message, context);
    if (cause !== undefined) this.cause = cause;
  }
}
