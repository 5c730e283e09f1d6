import { formatAddress } from '@joule/consensus';
import type { BankKeeper, EmittedEvent, State } from '@joule/state';
import { debtSweepPerBlock } from '../constants.js';
import { events } from './events.js';
import { type Creditor, tables } from './records.js';

/** The bank as the market uses it (the bank module's keeper: balances, send, mint, burn). */
export type MarketBank = Pick<BankKeeper, 'balance' | 'send' | 'mint' | 'burn'>;

/** Where money goes during settlement; never fails for lack of funds (a shortfall becomes a debt). */
export class Payments {
  constructor(
    private readonly bank: MarketBank,
    private readonly denom: string,
    private readonly prefix: string,
  ) {}

  /** Mints `amount` to `to` (money from the grid, e.g. the DSO paying for exports). */
  async fromGrid(
    state: State,
    emit: (e: EmittedEvent) => void,
    to: Uint8Array,
    amount: bigint,
  ): Promise<void> {
    if (amount > 0n) await this.bank.mint(state, emit, to, this.denom, amount);
  }

  /**
   * Moves `amount` from `from` to `to` (`null`: the grid, burnt). What `from` cannot pay becomes a
   * debt of `from` to `to`, repaid first from its next funds; a receiver's own debts are repaid first
   * (one of them, unless `repayReceiver` is false).
   */
  async pay(
    state: State,
    emit: (e: EmittedEvent) => void,
    from: Uint8Array,
    to: Creditor,
    amount: bigint,
    repayReceiver = true,
  ): Promise<void> {
    if (amount <= 0n || (to !== null && Buffer.compare(from, to) === 0)) return;
    const balance = await this.bank.balance(state, from, this.denom);
    const paid = balance < amount ? balance : amount;
    await this.move(state, emit, from, to, paid);
    if (paid < amount) await this.owe(state, emit, from, to, amount - paid);
    if (repayReceiver && to !== null && paid > 0n) await this.repay(state, emit, to, 1);
  }

  /** Repays up to `maxDebts` of `debtor`'s debts from its balance; returns how many it paid something on. */
  async repay(
    state: State,
    emit: (e: EmittedEvent) => void,
    debtor: Uint8Array,
    maxDebts: number,
  ): Promise<number> {
    const rows = await tables.debts.entries(state, debtor, maxDebts);
    let repaid = 0;
    for (const [key, owed] of rows) {
      const creditor = key[20] === 0 ? null : key.subarray(21, 41);
      if (!(await this.repayOne(state, emit, debtor, creditor, owed))) break;
      repaid++;
    }
    return repaid;
  }

  /** Repays one debt as far as the debtor's balance goes; false when the balance is empty. */
  private async repayOne(
    state: State,
    emit: (e: EmittedEvent) => void,
    debtor: Uint8Array,
    creditor: Creditor,
    owed: bigint,
  ): Promise<boolean> {
    const balance = await this.bank.balance(state, debtor, this.denom);
    if (balance === 0n) return false;
    const paid = balance < owed ? balance : owed;
    await this.move(state, emit, debtor, creditor, paid);
    if (paid === owed) tables.debts.delete(state, { debtor, creditor });
    else tables.debts.set(state, { debtor, creditor }, owed - paid);
    emit(events.debtRepaid({ debtor: this.bech(debtor), creditor: this.bech(creditor), amount: paid }));
    return true;
  }

  /**
   * The end-block sweep: examines at most `debtSweepPerBlock` debts of debtors whose address starts
   * with byte `height mod 256`, so every debt is looked at every 256 blocks without a cursor write
   * per block (debts beyond that many in one bucket wait for a settlement credit or `repayDebts`).
   */
  async sweep(state: State, emit: (e: EmittedEvent) => void, height: number): Promise<void> {
    const rows = await tables.debts.entries(state, new Uint8Array([height % 256]), debtSweepPerBlock);
    for (const [key, owed] of rows) {
      const debtor = key.subarray(0, 20);
      const creditor = key[20] === 0 ? null : key.subarray(21, 41);
      await this.repayOne(state, emit, debtor, creditor, owed);
    }
  }

  private async move(
    state: State,
    emit: (e: EmittedEvent) => void,
    from: Uint8Array,
    to: Creditor,
    amount: bigint,
  ): Promise<void> {
    if (amount === 0n) return;
    if (to === null) await this.bank.burn(state, emit, from, this.denom, amount);
    else await this.bank.send(state, emit, from, to, this.denom, amount);
  }

  private async owe(
    state: State,
    emit: (e: EmittedEvent) => void,
    debtor: Uint8Array,
    creditor: Creditor,
    amount: bigint,
  ): Promise<void> {
    const key = { debtor, creditor };
    tables.debts.set(state, key, ((await tables.debts.get(state, key)) ?? 0n) + amount);
    emit(events.debt({ debtor: this.bech(debtor), creditor: this.bech(creditor), amount }));
  }

  private bech(a: Creditor): string {
    return a === null ? 'grid' : formatAddress(a, this.prefix);
  }
}
