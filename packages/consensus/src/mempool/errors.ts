import { JouleError } from '../errors.js';

/** Why the mempool refused a transaction. Stable: clients and peers match on it. */
export type MempoolErrorCode =
  | 'TX_TOO_LARGE'
  | 'MEMPOOL_FULL'
  | 'MEMPOOL_SENDER_FULL'
  | 'TX_IN_CACHE'
  | 'TX_REJECTED'
  | 'TX_GAS_TOO_HIGH';

/**
 * A transaction was refused by the mempool; `code` says why, `context` carries the numbers.
 *
 * A refusal is an answer, not a fault: it carries no stack trace. Under load the pool refuses more
 * transactions than it admits (`MEMPOOL_FULL` to re-sent submissions, `TX_IN_CACHE` to echoes), and
 * V8's capture of a stack was most of a refusal's cost (~5 µs of ~6, here).
 */
export class MempoolError extends JouleError {
  declare readonly code: MempoolErrorCode;
  constructor(code: MempoolErrorCode, message: string, context: Record<string, unknown> = {}) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(code, message, context);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/** The transaction is larger than `maxTxBytes`; it could never be put in a block. */
export class TxTooLargeError extends MempoolError {
  constructor(context: { bytes: number; limit: number }) {
    super(
      'TX_TOO_LARGE',
      `transaction of ${context.bytes} bytes exceeds the limit of ${context.limit}`,
      context,
    );
  }
}

/**
 * Admitting the transaction would exceed the pool's count or byte bound (transactions being
 * checked included). The client may retry after the next block; nothing was dropped silently.
 */
export class MempoolFullError extends MempoolError {
  constructor(context: {
    txs: number;
    maxTxs: number;
    bytes: number;
    maxBytes: number;
    txBytes: number;
  }) {
    super(
      'MEMPOOL_FULL',
      `mempool is full (${context.txs}/${context.maxTxs} txs, ${context.bytes}/${context.maxBytes} bytes)`,
      context,
    );
  }
}

/**
 * The pool holds `maxTxsPerSender` transactions of this transaction's sender already. The client
 * may retry after the next block, which takes the sender's oldest ones.
 */
export class MempoolSenderFullError extends MempoolError {
  constructor(context: { txs: number; maxTxsPerSender: number }) {
    super(
      'MEMPOOL_SENDER_FULL',
      `the mempool holds ${context.txs} transactions of this sender, at most ${context.maxTxsPerSender}`,
      context,
    );
  }
}

/** The transaction is in the pool, being checked, or was committed recently. */
export class TxInCacheError extends MempoolError {
  constructor(context: { hash: Uint8Array; state: 'checking' | 'in-mempool' | 'seen' }) {
    super('TX_IN_CACHE', `transaction already seen (${context.state})`, context);
  }
}

/** The application's `checkTx` refused the transaction; its code, codespace and log are in `context`. */
export class TxRejectedError extends MempoolError {
  constructor(context: { hash: Uint8Array; appCode: number; codespace: string; log: string }) {
    super(
      'TX_REJECTED',
      `transaction rejected by the application (${context.codespace || 'no codespace'} ${context.appCode}): ${context.log}`,
      context,
    );
  }
}

/**
 * The transaction wants more gas than a block allows. Reaping is FIFO and stops at the first
 * transaction that does not fit, so such a transaction would stall the mempool forever.
 */
export class TxGasTooHighError extends MempoolError {
  constructor(context: { hash: Uint8Array; gasWanted: number; limit: number }) {
    super(
      'TX_GAS_TOO_HIGH',
      `transaction wants ${context.gasWanted} gas, more than ${context.limit}`,
      context,
    );
  }
}

/**
 * The pool's update after a commit threw something that is not an `Error`: wrapped so that the
 * caller always gets an error value (the block itself is committed).
 */
export class MempoolUpdateError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('MEMPOOL_UPDATE_FAILED', message, context);
  }
}
