import { ed25519 } from '@noble/curves/ed25519.js';
import { TxError } from '../../app/tx-errors.js';

/** Why a public key cannot own an account or a validator's power. */
export type UnsafeKeyReason = 'not-a-point' | 'non-canonical' | 'small-order';

/**
 * A public key that no one holds alone: a point of small order (ZIP-215 verification, which every
 * node must agree on, accepts signatures that anyone can forge for it), a non-canonical encoding
 * (a second address for a point), or no curve point at all.
 */
export class UnsafePublicKeyError extends TxError {
  declare readonly code: 'TX_UNSAFE_PUBLIC_KEY';
  readonly reason: UnsafeKeyReason;
  constructor(reason: UnsafeKeyReason, message: string, context: Record<string, unknown> = {}) {
    super('TX_UNSAFE_PUBLIC_KEY', message, { ...context, reason });
    this.reason = reason;
  }
}

/** What is wrong with an ed25519 public key for an account or a validator, or `undefined` when nothing. */
export function unsafeKeyReason(key: Uint8Array): UnsafeKeyReason | undefined {
  if (key.length !== 32) return 'not-a-point';
  let point: ReturnType<typeof ed25519.Point.fromBytes>;
  try {
    point = ed25519.Point.fromBytes(key, false);
  } catch {
    try {
      ed25519.Point.fromBytes(key, true);
    } catch {
      return 'not-a-point';
    }
    return 'non-canonical';
  }
  return point.isSmallOrder() ? 'small-order' : undefined;
}

/**
 * Refuses a key that anyone could sign for (see `UnsafePublicKeyError`); `what` names it in the
 * error (`validator key`). Decoding a point costs about a signature check: call it where a key is
 * first bound to an account or a validator, not on every use.
 */
export function assertSafePublicKey(key: Uint8Array, what: string): void {
  const reason = unsafeKeyReason(key);
  if (reason === undefined) return;
  const why = {
    'not-a-point': 'is not a point of the curve',
    'non-canonical': 'is a non-canonical encoding',
    'small-order': 'is a point of small order, for which anyone can sign',
  }[reason];
  throw new UnsafePublicKeyError(reason, `${what} ${Buffer.from(key).toString('hex')} ${why}`);
}
