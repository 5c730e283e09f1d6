import { JouleError } from '@joule/consensus';
import { TxError } from '@joule/state';

/** Stable codes of the market's refusals; clients match on these, never on the message. */
export type MarketErrorCode =
  | 'MARKET_NOT_ADMIN'
  | 'MARKET_NOT_PENDING_ADMIN'
  | 'MARKET_BAD_METER_ID'
  | 'MARKET_METER_EXISTS'
  | 'MARKET_METER_ACCOUNT_MISMATCH'
  | 'MARKET_UNKNOWN_METER'
  | 'MARKET_METER_REMOVED'
  | 'MARKET_NOT_METER_OWNER'
  | 'MARKET_TOO_MANY_METERS'
  | 'MARKET_BAD_PERIOD'
  | 'MARKET_PERIOD_MISALIGNED'
  | 'MARKET_PERIOD_OVERLAP'
  | 'MARKET_PRICE_OUT_OF_BOUNDS'
  | 'MARKET_PRICE_ORDER'
  | 'MARKET_UNKNOWN_PERIOD'
  | 'MARKET_PERIOD_SOLVING'
  | 'MARKET_PERIOD_SOLVED'
  | 'MARKET_PERIOD_FAILED'
  | 'MARKET_PERIOD_NOT_ENDED'
  | 'MARKET_SOLVE_GRACE'
  | 'MARKET_UNKNOWN_SIGNAL'
  | 'MARKET_SLOT_MISALIGNED'
  | 'MARKET_SLOT_LENGTH'
  | 'MARKET_NO_PERIOD'
  | 'MARKET_SLOT_NOT_ENDED'
  | 'MARKET_NEGATIVE_VALUE'
  | 'MARKET_VALUE_TOO_LARGE'
  | 'MARKET_DUPLICATE_MEASURE'
  | 'MARKET_BAD_BATCH'
  | 'MARKET_BAD_QUERY'
  | 'MARKET_NOTHING_TO_REPAY';

/** A market message or query refused: a `TxError` with one of the market's stable codes. */
export class MarketError extends TxError {
  declare readonly code: MarketErrorCode;
  constructor(code: MarketErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

/** An audit file has the wrong shape: `field` names where (`measures[3].signal`). */
export class AuditInputError extends JouleError {
  declare readonly code: 'AUDIT_BAD_INPUT';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('AUDIT_BAD_INPUT', `${field}: ${message}`, { field });
  }
}
