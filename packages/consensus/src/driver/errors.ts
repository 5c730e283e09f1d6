import { JouleError } from '../errors.js';

/** Why the driver could not bring the application level with the block store at start. */
export type HandshakeErrorCode =
  | 'HANDSHAKE_APP_AHEAD'
  | 'HANDSHAKE_GENESIS_APP_HASH'
  | 'HANDSHAKE_BLOCK_MISSING'
  | 'HANDSHAKE_APP_HASH_DIVERGED';

/**
 * The application and the chain store disagree at start (CometBFT's handshake): the application
 * is ahead of the store (`HANDSHAKE_APP_AHEAD`), computes another genesis app hash
 * (`HANDSHAKE_GENESIS_APP_HASH`), a block to replay into it is missing (`HANDSHAKE_BLOCK_MISSING`),
 * or its app hash after the replay is not the chain's (`HANDSHAKE_APP_HASH_DIVERGED`). The node
 * cannot run: the operator restores the application's state or resyncs.
 */
export class HandshakeError extends JouleError {
  declare readonly code: HandshakeErrorCode;
  constructor(code: HandshakeErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}

/** Why the driver found its own state inconsistent. */
export type DriverStateErrorCode = 'DRIVER_NO_DECISION' | 'DRIVER_DECIDED_BLOCK_UNKNOWN';

/**
 * The driver's own state contradicts itself (a bug, never a peer's doing): the commit of a height
 * that has not decided was asked for (`DRIVER_NO_DECISION`), or the engine decided a block the
 * driver does not hold (`DRIVER_DECIDED_BLOCK_UNKNOWN`).
 */
export class DriverStateError extends JouleError {
  declare readonly code: DriverStateErrorCode;
  constructor(code: DriverStateErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context);
  }
}
