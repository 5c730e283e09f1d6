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

/**
 * +2/3 of the power committed a block that this node's chain rules refuse (as CometBFT's "+2/3
 * committed an invalid block"). The rules, evidence included, are a function of the chain, so
 * this node's chain store or state has diverged from the network's (or more than 1/3 of the power
 * is faulty): the driver halts rather than build on a chain it holds invalid, or wait forever.
 */
export class DecidedBlockRefusedError extends JouleError {
  constructor(context: { height: number; hash: string; reason: string; code?: string }) {
    super(
      'DECIDED_BLOCK_REFUSED',
      `+2/3 committed block ${context.height} (${context.hash.slice(0, 12)}), which this node's chain rules refuse: ${context.reason}`,
      context,
    );
  }
}
