import { InvalidValueError } from '../errors.js';
import { WalError } from './errors.js';
import { maxWalRecordBytes } from './limits.js';

/** Boundary checks shared by every `Wal` implementation, so they refuse the same inputs. */
export function assertRecord(record: unknown): asserts record is Uint8Array {
  if (!(record instanceof Uint8Array)) {
    throw new InvalidValueError('a WAL record must be a Uint8Array', { got: typeof record });
  }
  if (record.length > maxWalRecordBytes) {
    throw new WalError(
      'WAL_RECORD_TOO_LARGE',
      `a WAL record of ${record.length} bytes exceeds maxWalRecordBytes (${maxWalRecordBytes})`,
      { got: record.length, limit: maxWalRecordBytes },
    );
  }
}

/** Heights start at 1 and stay safe integers (a marker stores them as a u64). */
export function assertHeight(height: unknown): asserts height is number {
  if (typeof height !== 'number' || !Number.isSafeInteger(height) || height < 1) {
    throw new InvalidValueError(`a WAL height must be a safe integer >= 1, got ${String(height)}`, {
      got: String(height),
    });
  }
}

/**
 * Runs a boundary check as a rejected promise rather than a synchronous throw, so an
 * `async`-shaped method fails the same way whatever went wrong.
 */
export function rejectUnless(check: () => void): Promise<never> | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return Promise.reject(error);
  }
}
