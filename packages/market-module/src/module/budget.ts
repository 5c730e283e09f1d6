import { gasCosts } from '@joule/state';
import { maxPaymentsPerBlock, metersPerPage, slotsPerGroup, slotsPerPass } from '../constants.js';

/**
 * Worst-case work of each unit of a solve, in the framework's work units (`gasCosts`), so that the
 * end-block hook stops before its budget runs out: a hook that overran would have its writes
 * dropped and retry the same step forever. Key and value sizes are generous upper bounds.
 */
const read = (bytes: number): number => gasCosts.readFlat + gasCosts.readPerByte * bytes;
const write = (bytes: number): number => gasCosts.writeFlat + gasCosts.writePerByte * bytes;
const iterate = (entries: number): number => gasCosts.iterateFlat + gasCosts.iteratePerEntry * entries;

/** A bank transfer with the receiver's account creation: two balances read and written, one account. */
const transfer = 2 * read(64) + 2 * write(64) + read(128) + write(128);
/** A debt recorded or repaid: its record read and written, and the transfer. */
const debtChange = read(96) + write(96) + transfer + read(64);

export const solveCosts = {
  /** Reading the queue, the period and the progress at the start of a step. */
  start: iterate(1) + read(160) + read(400),
  /** Writing the progress at the end of a step. */
  progress: write(400),
  /** Reading a pass's slot totals, and its fingerprint (read, and written when the pass begins). */
  pass: iterate(slotsPerPass) + read(80) + write(80),
  /** Reading the accounts of a page of meters. */
  page: iterate(metersPerPage),
  /** A range read of the measure groups of a pass of some meters: its flat part… */
  readFlat: gasCosts.iterateFlat,
  /** …and its part per meter (≤ 64 groups each). */
  readPerMeter: gasCosts.iteratePerEntry * (slotsPerPass / slotsPerGroup),
  /**
   * Adding a step's delta to an account's running delta: its seq (key 38 bytes, value ≤ 5) read and,
   * when new, written; its delta (key 22 bytes; value ≤ 65: the address and ≤ 40 characters, which
   * any sum of bounded prices, energies, slots and meters stays under) read and written.
   */
  account: read(43) + write(43) + read(87) + write(87),
  /** Reading the running deltas of a block's accounts to pay. */
  deltaPage: iterate(maxPaymentsPerBlock),
  /** One account paid or charged: its balance, a transfer, a shortfall debt, one debt of the receiver repaid. */
  payment: read(64) + transfer + debtChange + iterate(1) + debtChange,
  /** Minting the grid's payment, or burning the payment to the grid, and the receipt. */
  finish: debtChange + transfer + write(400) + write(200) + 3 * write(32),
} as const;

/** Least hook budget with which a solve always progresses. */
export const minSolveBudget: number =
  solveCosts.start +
  solveCosts.progress +
  solveCosts.pass +
  solveCosts.page +
  Math.max(
    solveCosts.readFlat + solveCosts.readPerMeter + solveCosts.account,
    solveCosts.deltaPage + solveCosts.payment,
    solveCosts.finish,
  );

/** Work the debt sweep may need (two debts repaid). */
export const sweepCost: number = iterate(2) + 2 * debtChange;
