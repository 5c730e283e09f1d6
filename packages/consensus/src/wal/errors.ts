import { JouleError } from '../errors.js';

/**
 * A WAL segment other than the last one does not parse: a bad CRC, a length past its end or over
 * `maxWalRecordBytes`, an unknown record type, or a segment missing from the sequence. Only the
 * tail of the last segment can be torn by a crash, and that is repaired on open; anything else is
 * damage the operator must look at, so the log refuses to open rather than drop records silently.
 */
export class WalCorruptError extends JouleError {
  constructor(message: string, context: { file: string; offset: number; reason: string }) {
    super('WAL_CORRUPT', message, context);
  }
}

/** Why a WAL operation failed, other than corruption. */
export type WalErrorCode = 'WAL_IO' | 'WAL_CLOSED' | 'WAL_RECORD_TOO_LARGE' | 'WAL_OVERLOADED';

/**
 * `WAL_IO`: the file system failed (disk full, I/O error, permissions). After a failed write or
 * fsync the log no longer knows what reached the disk, so it stays failed: every later call
 * rejects with the same error, and the node must restart (which repairs the tail on open).
 * `WAL_OVERLOADED`: more than `maxWalQueuedBytes` of appends waited for the disk; the log fails
 * the same way, since dropping a record would leave a silent gap in it.
 * `WAL_CLOSED`: the log was closed (or, in the simulator, crashed). `WAL_RECORD_TOO_LARGE`: an
 * append over `maxWalRecordBytes` was refused (the log is still usable).
 */
export class WalError extends JouleError {
  declare readonly code: WalErrorCode;
  constructor(code: WalErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

/** Wraps an error thrown by `node:fs` (or anything unexpected) as `WAL_IO`, keeping JouleErrors. */
export function walIoError(cause: unknown, operation: string, file: string): JouleError {
  if (cause instanceof JouleError) return cause;
  const errno = (cause as { code?: unknown } | null)?.code;
  const error = new WalError('WAL_IO', `WAL ${operation} failed on ${file}: ${String(cause)}`, {
    operation,
    file,
    errno: typeof errno === 'string' ? errno : undefined,
  });
  (error as { cause?: unknown }).cause = cause;
  return error;
}
