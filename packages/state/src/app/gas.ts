import { gasCosts } from '../constants.js';
import { OutOfGasError, TxError } from './tx-errors.js';

/**
 * The least gas a transaction of `length` bytes counts against its block's gas, whether it
 * succeeds or fails: the ante's fixed costs (its bytes and its signature check). A failed
 * transaction counts at least this, so a block cannot be stuffed with failing transactions for
 * free; the proposer packs (`prepareProposal`) and every node checks (`processProposal`) a block's
 * transactions so that their floors fit in `maxBlockGas`.
 */
export function txFloorGas(length: number): number {
  return gasCosts.txBase + gasCosts.txPerByte * length + gasCosts.signatureVerify;
}

/**
 * Counts deterministic work units. Every state access and every signature check costs a fixed
 * amount from `gasCosts`, so two nodes executing the same block use the same gas to the unit.
 */
export class GasMeter {
  // Private fields: a handler holding `ctx.gas` cannot reset what it spent or raise its limit.
  #spent = 0;
  readonly #limit: number;
  readonly #code: 'TX_OUT_OF_GAS' | 'TX_BLOCK_GAS_EXCEEDED';

  constructor(limit: number, code: 'TX_OUT_OF_GAS' | 'TX_BLOCK_GAS_EXCEEDED' = 'TX_OUT_OF_GAS') {
    this.#limit = limit;
    this.#code = code;
  }

  get limit(): number {
    return this.#limit;
  }

  /**
   * Spends `amount`, a whole number ≥ 0 (anything else is `TX_BAD_GAS_AMOUNT`: a negative amount
   * would refund gas, NaN would switch the meter off); throws `OutOfGasError` once the limit is passed.
   */
  consume(amount: number, what: string): void {
    if (!Number.isSafeInteger(amount) || amount < 0)
      throw new TxError('TX_BAD_GAS_AMOUNT', `gas for ${what} must be a whole number ≥ 0, got ${amount}`, {
        what,
      });
    this.#spent += amount;
    if (this.#spent > this.#limit) {
      throw new OutOfGasError(
        this.#code,
        `out of gas: ${what} needs ${amount}, ${this.#spent} > ${this.#limit}`,
        {
          used: this.#spent,
          limit: this.#limit,
          what,
        },
      );
    }
  }

  get used(): number {
    return this.#spent;
  }

  get remaining(): number {
    return Math.max(0, this.#limit - this.#spent);
  }
}
