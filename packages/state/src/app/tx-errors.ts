import { JouleError } from '@joule/consensus';

/**
 * Why a transaction or a query was refused. `code` is the stable string (`TX_BAD_NONCE`) a client
 * matches on; it travels in the `codespace` field of ABCI responses, and `abciCode` gives the
 * numeric `code` (non-zero). Modules throw their own codes (`BANK_INSUFFICIENT_FUNDS`) with
 * `TxError` too: the framework turns any `TxError` from a handler into a failed result.
 */
export class TxError extends JouleError {
  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }

  /** The numeric ABCI code: the framework's own codes are numbered, module codes are 1. */
  get abciCode(): number {
    return frameworkCodes[this.code as FrameworkCode] ?? 1;
  }
}

/** The framework's error codes and their numeric ABCI codes. Never renumber a published code. */
export const frameworkCodes = {
  TX_TOO_LARGE: 2,
  TX_MALFORMED: 3,
  TX_WRONG_CHAIN: 4,
  TX_BAD_SIGNATURE: 5,
  TX_BAD_NONCE: 6,
  TX_UNKNOWN_ACCOUNT: 7,
  TX_UNKNOWN_MESSAGE: 8,
  TX_MALFORMED_MESSAGE: 9,
  TX_INVALID_MESSAGE: 10,
  TX_OUT_OF_GAS: 11,
  TX_BLOCK_GAS_EXCEEDED: 12,
  UNAUTHORIZED: 13,
  TX_TOO_MANY_EVENTS: 14,
  TX_BAD_EVENT: 15,
  TX_BLOCK_WRITES_EXCEEDED: 16,
  TX_UNSAFE_PUBLIC_KEY: 17,
  QUERY_UNKNOWN_PATH: 20,
  QUERY_MALFORMED: 21,
  QUERY_BAD_SIGNATURE: 22,
  QUERY_STALE: 23,
  QUERY_UNAUTHENTICATED: 24,
  QUERY_FAILED: 25,
  QUERY_NOT_PROVABLE: 26,
  INTERNAL: 99,
} as const;

export type FrameworkCode = keyof typeof frameworkCodes;

/** A signer is not allowed to do what a message asks (thrown by handlers). */
export class UnauthorizedError extends TxError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('UNAUTHORIZED', message, context);
  }
}

/** A transaction used more work than its limit or the block's. */
export class OutOfGasError extends TxError {
  constructor(
    code: 'TX_OUT_OF_GAS' | 'TX_BLOCK_GAS_EXCEEDED',
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super(code, message, context);
  }
}

/** A module's genesis section is invalid. */
export class GenesisError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('GENESIS_INVALID', message, context);
  }
}
