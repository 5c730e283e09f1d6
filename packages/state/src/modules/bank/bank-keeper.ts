import { formatAddress } from '@joule/consensus';
import { defineEvent, type EmittedEvent } from '../../app/module.js';
import type { State, StoreKey } from '../../app/state.js';
import { TxError } from '../../app/tx-errors.js';
import type { AuthKeeper } from '../auth/auth.js';
import { maxAmount, tables } from './bank-types.js';

export const transferEvent = defineEvent('bank.transfer', ['from', 'to', 'denom', 'amount']);
export const mintEvent = defineEvent('bank.mint', ['to', 'denom', 'amount']);
export const burnEvent = defineEvent('bank.burn', ['from', 'denom', 'amount']);

type Emit = (event: EmittedEvent) => void;

/**
 * Balances and supply, for the bank's handlers and for other modules (a market settles with
 * `send`): the explicit way into bank's state. Each method takes the caller's `ctx.state` (any
 * module's) and works in bank's own store through bank's store key, on the caller's transaction
 * and gas meter; events carry raw addresses, rendered in bech32 with the chain's prefix.
 */
export class BankKeeper {
  constructor(
    private readonly auth: AuthKeeper,
    private readonly prefix: string,
    /** bank's store key, this instance's own: a keeper of another `bank()` cannot open it. */
    private readonly storeKey: StoreKey,
  ) {}

  async balance(caller: State, address: Uint8Array, denom: string): Promise<bigint> {
    return (await tables.balance.get(this.storeKey.state(caller), { address, denom })) ?? 0n;
  }

  async supply(caller: State, denom: string): Promise<bigint> {
    return (await tables.supply.get(this.storeKey.state(caller), denom)) ?? 0n;
  }

  /** Moves `amount` from `from` to `to`, creating the receiver's account on first receipt. */
  async send(
    caller: State,
    emit: Emit,
    from: Uint8Array,
    to: Uint8Array,
    denom: string,
    amount: bigint,
  ): Promise<void> {
    const state = this.storeKey.state(caller);
    await this.debit(state, from, denom, amount);
    await this.credit(state, emit, to, denom, amount);
    emit(transferEvent({ from, to, denom, amount }));
  }

  async mint(caller: State, emit: Emit, to: Uint8Array, denom: string, amount: bigint): Promise<void> {
    const state = this.storeKey.state(caller);
    const supply = (await this.supply(state, denom)) + amount;
    if (supply > maxAmount) throw new TxError('BANK_OVERFLOW', `supply of ${denom} would exceed 2^64 - 1`);
    tables.supply.set(state, denom, supply);
    await this.credit(state, emit, to, denom, amount);
    emit(mintEvent({ to, denom, amount }));
  }

  async burn(caller: State, emit: Emit, from: Uint8Array, denom: string, amount: bigint): Promise<void> {
    const state = this.storeKey.state(caller);
    await this.debit(state, from, denom, amount);
    const supply = (await this.supply(state, denom)) - amount;
    if (supply === 0n) tables.supply.delete(state, denom);
    else tables.supply.set(state, denom, supply);
    emit(burnEvent({ from, denom, amount }));
  }

  private async debit(state: State, address: Uint8Array, denom: string, amount: bigint): Promise<void> {
    const balance = await this.balance(state, address, denom);
    if (balance < amount) {
      throw new TxError(
        'BANK_INSUFFICIENT_FUNDS',
        `${this.format(address)} has ${balance} ${denom}, needs ${amount}`,
        {
          balance,
          amount,
        },
      );
    }
    if (balance === amount) tables.balance.delete(state, { address, denom });
    else tables.balance.set(state, { address, denom }, balance - amount);
  }

  private async credit(
    state: State,
    emit: Emit,
    address: Uint8Array,
    denom: string,
    amount: bigint,
  ): Promise<void> {
    await this.auth.ensureAccount(state, address, emit);
    const balance = (await this.balance(state, address, denom)) + amount;
    if (balance > maxAmount) throw new TxError('BANK_OVERFLOW', `balance would exceed 2^64 - 1`);
    tables.balance.set(state, { address, denom }, balance);
  }

  private format(address: Uint8Array): string {
    return formatAddress(address, this.prefix);
  }
}
