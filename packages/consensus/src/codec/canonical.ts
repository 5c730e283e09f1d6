import { maxMsgBytes } from '../constants.js';
import { DecodeError } from '../errors.js';
import type { Codec } from './schema.js';
import { checkWellFormed, packWire, unpackWire } from './wire.js';
import { readCanonicalWire } from './wire-reader.js';

/** Encodes `value` in its one canonical form. Throws `InvalidValueError` if the value breaks its type. */
export function encode<T>(codec: Codec<T>, value: T): Uint8Array {
  return packWire(codec.toWire(value, ''));
}

export interface DecodeOptions {
  /** Refuse inputs longer than this many bytes (default: `maxMsgBytes`). */
  readonly maxBytes?: number;
}

/**
 * Decodes untrusted bytes strictly: any problem gives a `DecodeError`, never another exception.
 * Only the canonical encoding of a value is accepted, so `encode(decode(b))` equals `b` byte for
 * byte, and two nodes that accept the same bytes hash and sign the same thing.
 *
 * For an `exact` codec (every codec built from the schema's own pieces) canonicity is proven in
 * the one walk that reads the bytes (`readCanonicalWire`); any other codec is decoded, re-encoded
 * and compared (`decodeByReencoding`).
 */
export function decode<T>(codec: Codec<T>, bytes: Uint8Array, options: DecodeOptions = {}): T {
  const maxBytes = options.maxBytes ?? maxMsgBytes;
  if (!(bytes instanceof Uint8Array)) {
    throw new DecodeError('DECODE_TYPE', 'input is not a byte array', { got: typeof bytes });
  }
  if (bytes.length > maxBytes) {
    throw new DecodeError(
      'DECODE_TOO_LARGE',
      `input of ${bytes.length} bytes exceeds the limit of ${maxBytes}`,
      {
        got: bytes.length,
        limit: maxBytes,
      },
    );
  }
  if (codec.exact === true) return codec.fromWire(readCanonicalWire(bytes), '');
  return decodeByReencoding(codec, bytes);
}

/**
 * The reference strict decoder: walks the bytes, unpacks them with msgpackr, and accepts the value
 * only if it re-encodes to the same bytes. Works for any codec; `decode` uses it for codecs that
 * are not `exact`. Callers check the type and size of `bytes` first.
 */
export function decodeByReencoding<T>(codec: Codec<T>, bytes: Uint8Array): T {
  checkWellFormed(bytes);
  const value = codec.fromWire(unpackWire(bytes), '');
  let again: Uint8Array;
  try {
    again = encode(codec, value);
  } catch (cause) {
    throw new DecodeError('DECODE_RANGE', `decoded value does not re-encode: ${String(cause)}`);
  }
  if (!equalBytes(again, bytes)) {
    throw new DecodeError('DECODE_NON_CANONICAL', 'input is not the canonical encoding of its value', {
      got: bytes.length,
      canonical: again.length,
    });
  }
  return value;
}

/** Constant-shape byte comparison (not constant-time: nothing secret is compared with it). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
