import { JouleError } from '@joule/consensus';

/** A version of the authenticated store was pruned (or never committed) and cannot be read. */
export class VersionUnavailableError extends JouleError {
  declare readonly code: 'STORE_VERSION_PRUNED' | 'STORE_VERSION_UNKNOWN';
  constructor(
    code: 'STORE_VERSION_PRUNED' | 'STORE_VERSION_UNKNOWN',
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super(code, message, context);
  }
}

/** The database holds something the store did not write (a missing node, an undecodable record). */
export class StoreCorruptionError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('STORE_CORRUPT', message, context);
  }
}

/** A store was used in a way its contract forbids (a closed store, a commit out of order). */
export class StoreStateError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('STORE_STATE', message, context);
  }
}

/** A key or value is outside the store's limits. */
export class StoreLimitError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('STORE_LIMIT', message, context);
  }
}
