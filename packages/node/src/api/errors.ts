import { JouleError } from '@joule/consensus';
import { mempoolFullRetryAfterMs } from '../constants.js';

/**
 * An API error: `{ code, message }` in the body, with `status` as the HTTP status. With
 * `retryAfterMs` (a 429), the answer carries `Retry-After` (whole seconds) and
 * `data.retry_after_ms`.
 */
export class ApiError extends JouleError {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  constructor(
    status: number,
    code: string,
    message: string,
    context: Record<string, unknown> = {},
    retryAfterMs?: number,
  ) {
    super(code, message, context);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

export const badRequest = (code: string, message: string): ApiError => new ApiError(400, code, message);
export const notFound = (code: string, message: string): ApiError => new ApiError(404, code, message);

/** HTTP statuses of the errors the node's parts throw, by code. */
const statusOfCode: Record<string, number> = {
  TX_TOO_LARGE: 413,
  MEMPOOL_FULL: 429,
  MEMPOOL_SENDER_FULL: 429,
  TX_IN_CACHE: 409,
  TX_REJECTED: 422,
  TX_GAS_TOO_HIGH: 422,
  INVALID_VALUE: 400,
  BAD_ADDRESS: 400,
};

/** The status and body of any error; unknown failures are a 500 without internals. */
export function errorResponse(error: unknown): {
  status: number;
  body: { code: string; message: string; data?: unknown };
  /** A retry hint for the client (`Retry-After`), ms. */
  retryAfterMs?: number;
} {
  if (error instanceof ApiError) {
    const body = { code: error.code, message: error.message };
    if (error.retryAfterMs === undefined) return { status: error.status, body };
    const retryAfterMs = error.retryAfterMs;
    return { status: error.status, body: { ...body, data: { retry_after_ms: retryAfterMs } }, retryAfterMs };
  }
  if (error instanceof JouleError) {
    if (error.code === 'MEMPOOL_FULL' || error.code === 'MEMPOOL_SENDER_FULL')
      // A flood is slowed, not refused for good: the client posts again after the hint.
      return {
        status: 429,
        body: {
          code: error.code,
          message: error.message,
          data: { retry_after_ms: mempoolFullRetryAfterMs },
        },
        retryAfterMs: mempoolFullRetryAfterMs,
      };
    if (error.code === 'TX_REJECTED') {
      const c = error.context as { codespace?: string; appCode?: number; log?: string };
      return {
        status: 422,
        body: {
          code: c.codespace || 'TX_REJECTED',
          message: error.message,
          data: { app_code: c.appCode ?? null },
        },
      };
    }
    if (error.code.startsWith('DECODE_'))
      return { status: 400, body: { code: error.code, message: error.message } };
    const status = statusOfCode[error.code];
    if (status !== undefined) return { status, body: { code: error.code, message: error.message } };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'internal error (see the node log)' } };
}
