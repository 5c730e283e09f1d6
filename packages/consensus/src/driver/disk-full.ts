import { JouleError } from '../errors.js';
import { ConsensusHaltError } from './halt.js';

/** How deep `diskFullOf` follows `cause` links. */
const maxCauseDepth = 8;

/**
 * The disk under the node's data is full (`ENOSPC`) — a WAL append, the double-sign guard's state,
 * the block store or the state database failed to write. The node cannot record what it signs or
 * commits, so the driver halts rather than go on half-written; nothing it signed or committed is
 * lost (those writes are durable before they count), and a restart once space is freed repairs the
 * WAL's torn tail and catches up. `context.path` names the file or directory that failed.
 */
export class DiskFullError extends ConsensusHaltError {
  constructor(path: string, cause: unknown) {
    super(
      'DISK_FULL',
      `the disk is full: writing ${path === '' ? 'the node data' : path} failed with ENOSPC; free space on that file system, then restart the node`,
      { path },
    );
    this.cause = cause;
  }
}

/**
 * A failed write-ahead log (`WAL_IO` other than a full disk, or `WAL_OVERLOADED`): the log stays
 * failed until the node restarts (see `WalError`), so the driver halts instead of running without it.
 */
export class WalFailedError extends ConsensusHaltError {
  constructor(cause: JouleError) {
    super('CONSENSUS_WAL_FAILED', `the WAL failed and stays failed until a restart: ${cause.message}`, {
      walCode: cause.code,
      ...cause.context,
    });
    this.cause = cause;
  }
}

/**
 * The `DiskFullError` an error stands for, or `null`: an `ENOSPC` anywhere in its `cause` chain,
 * as `node:fs` gives it (`code`, or a message that starts `ENOSPC: `), as Joule's I/O errors keep it
 * (`context.errno`), or in LevelDB's words ("IO error: <file>: No space left on device", which
 * carries no errno) — never a message that only mentions it.
 */
export function diskFullOf(error: unknown): DiskFullError | null {
  if (error instanceof DiskFullError) return error;
  let current: unknown = error;
  for (let depth = 0; depth < maxCauseDepth && current !== null && current !== undefined; depth++) {
    if (current instanceof DiskFullError) return current;
    const e = current as {
      code?: unknown;
      path?: unknown;
      message?: unknown;
      context?: Record<string, unknown>;
    };
    const context = current instanceof JouleError ? current.context : undefined;
    // Only an I/O error's own words count: a Joule error names an errno in its context, and text
    // that merely mentions ENOSPC (a meter id, a memo, a peer's reason) is not a full disk.
    const message = context === undefined && typeof e.message === 'string' ? e.message : '';
    const level = /^IO error: (.+?): No space left on device/.exec(message);
    if (e.code === 'ENOSPC' || context?.errno === 'ENOSPC' || level !== null || /^ENOSPC: /.test(message)) {
      const path =
        (typeof e.path === 'string' && e.path) ||
        (typeof context?.path === 'string' && context.path) ||
        (typeof context?.file === 'string' && context.file) ||
        level?.[1] ||
        pathOf(error);
      return new DiskFullError(path, error);
    }
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** The first path an outer error of the chain names (a WAL's file, a signer state's path), or ''. */
function pathOf(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < maxCauseDepth && current !== null && current !== undefined; depth++) {
    if (current instanceof JouleError) {
      const { path, file } = current.context;
      if (typeof path === 'string') return path;
      if (typeof file === 'string') return file;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}

/**
 * The halt an error of a consensus input calls for, or `null` when the driver may go on: a
 * `ConsensusHaltError` as it is, except that a full disk under it becomes a `DiskFullError`; a full
 * disk anywhere; a WAL that failed for good.
 */
export function haltFor(error: unknown): ConsensusHaltError | null {
  const full = diskFullOf(error);
  if (full !== null) return full;
  if (error instanceof ConsensusHaltError) return error;
  if (error instanceof JouleError && (error.code === 'WAL_IO' || error.code === 'WAL_OVERLOADED'))
    return new WalFailedError(error);
  return null;
}
