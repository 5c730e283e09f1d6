/**
 * Errors are values with a stable `name` and `code`. Callers match on `code`, never on message
 * text; `context` carries the details a log line or an HTTP client needs, and `toJSON` gives the
 * shape the node's API returns.
 */
export class JouleError extends Error {
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }

  toJSON(): { name: string; code: string; message: string; context: Readonly<Record<string, unknown>> } {
    return { name: this.name, code: this.code, message: this.message, context: jsonSafe(this.context) };
  }
}

/** Why a byte string was refused by a decoder. */
export type DecodeErrorCode =
  | 'DECODE_TOO_LARGE'
  | 'DECODE_MALFORMED'
  | 'DECODE_TYPE'
  | 'DECODE_RANGE'
  | 'DECODE_LENGTH'
  | 'DECODE_NON_CANONICAL';

/** Bytes from a peer, a client or a disk did not decode to a valid structure. */
export class DecodeError extends JouleError {
  declare readonly code: DecodeErrorCode;
  constructor(code: DecodeErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

/** A value handed to an encoder or a constructor breaks the type's rules (a caller's bug or bad input). */
export class InvalidValueError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('INVALID_VALUE', message, context);
  }
}

/** A bech32 address string is malformed, has the wrong prefix or the wrong length. */
export class AddressError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('BAD_ADDRESS', message, context);
  }
}

function jsonSafe(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    out[key] =
      typeof value === 'bigint' ? value.toString() : value instanceof Uint8Array ? toHexShort(value) : value;
  }
  return out;
}

function toHexShort(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes.subarray(0, 32)) hex += b.toString(16).padStart(2, '0');
  return bytes.length > 32 ? `${hex}…(${bytes.length} bytes)` : hex;
}
