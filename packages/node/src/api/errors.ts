import { JouleError } from '@joule/consensus';

/** An API error: `{ code, message }` in the body, with `status` as the HTTP status. */
export class ApiError extends JouleError {
  readonly status: number;
  constructor(status: number, code: string, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
    this.status = status;
  }
}

export const badRequest = (code: string, message: string): ApiError => new ApiError(400, code, message);
export const notFound = (code: string, message: string): ApiError => new ApiError(404, code, message);

/** HTTP statuses of the errors the node's parts throw, by code. */
const statusOfCode: Record<string, number> = {
  TX_TOO_LARGE: 413,
  MEMPOOL_FULL: 503,
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
} {
  if (error instanceof ApiError)
    return { status: error.status, body: { code: error.code, message: error.message } };
  if (error instanceof JouleError) {
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
