import { JouleError } from '../errors.js';

/**
 * The application answered a call in a way the chain cannot use (e.g. `finalizeBlock` returned
 * another number of results than the block has transactions). Nothing of the block was stored.
 */
export class AppResponseError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('APP_BAD_RESPONSE', message, context);
  }
}
