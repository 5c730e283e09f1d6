import { equalBytes, formatAddress, int, sha256, struct } from '@joule/consensus';
import {
  type BlockContext,
  defineMessage,
  type EmittedEvent,
  gasCosts,
  type MessageType,
  type State,
} from '@joule/state';
import {
  maxPaymentStepsPerBlock,
  maxPaymentsPerBlock,
  maxSolveAttempts,
  metersPerPage,
  metersPerRead,
  slotsPerGroup,
  slotsPerPass,
  solveMeterSlotsPerBlock,
  solveMinMeterSlots,
  solvePricingMeterSlots,
} from '../constants.js';
import { MarketError } from '../errors.js';
import {
  type FoldedPricing,
  foldedSlotDelta,
  foldPricing,
  type MarketPrices,
  type SlotPricing,
  slotPricing,
} from '../settlement/slot.js';
import { minSolveBudget, solveCosts } from './budget.js';
import { events } from './events.js';
import { forgetTxReads } from './measures.js';
import type { Payments } from './payments.js';
import { loadConfig, passCount, pricesOf, requireOpen, slotCount } from './periods.js';
import {
  type AccountDelta,
  keyPrefix,
  type MeasureGroup,
  type Period,
  readUint,
  type SolveProgress,
  tables,
} from './records.js';

export interface SolveMarkets {
  /** Start of the period, Unix seconds. */
  readonly tsStart: number;
}

/**
 * Anyone may ask for a period's solve once it has ended and its grace window (`graceSlots` slots,
 * when the last slot's measures still come in) has passed; the work then runs in end-block hooks.
 */
export const solveMarkets: MessageType<SolveMarkets> = defineMessage<SolveMarkets>({
  type: 'market/solve_markets',
  codec: struct<SolveMarkets>('SolveMarkets', { tsStart: int() }),
  async handle(ctx, m) {
    forgetTxReads(ctx);
    const period = m.tsStart < 0 ? undefined : await tables.periods.get(ctx.state, m.tsStart);
    if (period === undefined)
      throw new MarketError(
        'MARKET_UNKNOWN_PERIOD',
        `no period starts at ${m.tsStart}: use the period's tsStart`,
      );
    requireOpen(period, 'solving it again');
    const config = await loadConfig(ctx.state);
    const solvableAt = period.tsEnd + config.graceSlots * period.slotSeconds;
    if (ctx.block.time < period.tsEnd * 1000)
      throw new MarketError(
        'MARKET_PERIOD_NOT_ENDED',
        `period [${period.tsStart}, ${period.tsEnd}) has not ended at block time: solve from ${solvableAt} on`,
      );
    if (ctx.block.time < solvableAt * 1000)
      throw new MarketError(
        'MARKET_SOLVE_GRACE',
        `period [${period.tsStart}, ${period.tsEnd}) is in its grace window of ${config.graceSlots} slots, when the last measures still come in: solve from ${solvableAt} on`,
        { solvableAt },
      );
    tables.periods.set(ctx.state, m.tsStart, { ...period, state: 1 });
    tables.solving.set(ctx.state, m.tsStart, true);
    tables.progress.set(ctx.state, m.tsStart, {
      phase: 0,
      pass: 0,
      meter: 0,
      seq: 0,
      meters: config.meterCount,
      active: config.activeMeters,
      admin: config.admin,
      accounts: 0,
      sumDeltas: 0n,
      gridFlow: 0n,
      missing: 0,
    });
    ctx.emit(events.solveRequested({ tsStart: m.tsStart, meters: config.meterCount }));
  },
});

/**
 * The pricing of the slots of one pass, from their totals (one range read), or from the memo of
 * the last pass priced when the pass's fingerprint in state says its totals are the same.
 *
 * The totals of a SOLVING period never change (no measure is accepted any more), so the pricing of
 * a pass is the same in every block that settles it. The first read of a pass records a fingerprint
 * (SHA-256 of its totals, and how many records were read) in state; a later block whose memo holds
 * that fingerprint skips the read but is charged exactly what the read would cost. Gas, and so where
 * each block stops, is the same on a node that has the memo and on one that does not (restarted).
 */
async function passPricing(
  ctx: BlockContext,
  period: Period,
  pass: number,
): Promise<{ pricing: PassPricing; fresh: boolean }> {
  const state = ctx.state;
  const prices = pricesOf(period);
  const print = await tables.passTotals.get(state, period.tsStart);
  const memo = pricingMemo.last;
  if (
    print !== undefined &&
    print.pass === pass &&
    memo !== undefined &&
    memo.tsStart === period.tsStart &&
    memo.pass === pass &&
    equalBytes(memo.hash, print.hash) &&
    samePrices(memo.prices, prices)
  ) {
    ctx.budget.consume(gasCosts.iterateFlat + gasCosts.iteratePerEntry * print.rows, 'iterate');
    return { pricing: memo.pricing, fresh: false };
  }
  const first = pass * slotsPerPass;
  const count = Math.min(slotsPerPass, slotCount(period) - first);
  const rows = await tables.totals.entries(
    state,
    keyPrefix.period(period.tsStart),
    count,
    first === 0 ? undefined : keyPrefix.totalsAt(period.tsStart, first - 1),
  );
  const ec = new Array<number>(count).fill(0);
  const ep = new Array<number>(count).fill(0);
  const reporters = new Array<number>(count).fill(0);
  for (const [key, t] of rows) {
    const s = readUint(key, 8, 2) - first;
    if (s < 0 || s >= count) continue;
    ec[s] = t.ec;
    ep[s] = t.ep;
    reporters[s] = t.reporters;
  }
  const hash = sha256(utf8.encode(JSON.stringify([period.tsStart, pass, ec, ep, reporters])));
  const fresh = print === undefined || print.pass !== pass;
  if (fresh) tables.passTotals.set(state, period.tsStart, { pass, hash, rows: rows.length });
  const slots = ec.map((c, s) => slotPricing(prices, BigInt(c), BigInt(ep[s] as number)));
  const pricing = { first, slots, folded: slots.map(foldPricing), reporters };
  pricingMemo.last = { tsStart: period.tsStart, pass, hash, prices, pricing };
  return { pricing, fresh };
}

/** The last pass priced (one, `pricingMemoPasses`): its period, fingerprint, prices and pricing. */
const pricingMemo: {
  last?: { tsStart: number; pass: number; hash: Uint8Array; prices: MarketPrices; pricing: PassPricing };
} = {};
const utf8 = new TextEncoder();

const samePrices = (a: MarketPrices, b: MarketPrices): boolean =>
  a.pBuyBAU === b.pBuyBAU &&
  a.pSellBAU === b.pSellBAU &&
  a.pBuyLEM === b.pBuyLEM &&
  a.pSellLEM === b.pSellLEM &&
  a.beta === b.beta;

interface PassPricing {
  /** The pass's first slot. */
  readonly first: number;
  readonly slots: readonly SlotPricing[];
  /** The slots' coefficients folded for settling meters (`foldPricing`). */
  readonly folded: readonly FoldedPricing[];
  readonly reporters: readonly number[];
}

/**
 * The measure groups of one pass of meters `first … first + count − 1`, by meter: one range read
 * (the pass's groups are keyed by meter, each meter has ≤ 64 of them in a pass).
 */
async function readMeters(
  state: State,
  period: Period,
  pass: number,
  first: number,
  count: number,
): Promise<{ end: number; groups: Map<number, [number, MeasureGroup][]> }> {
  const end = first + count;
  const rows = await tables.measures.entries(
    state,
    keyPrefix.measures(period.tsStart, pass),
    groupsPerPass * count,
    first === 0
      ? undefined
      : keyPrefix.measuresAt({ period: period.tsStart, pass, meter: first - 1, group: lastGroup }),
  );
  const groups = new Map<number, [number, MeasureGroup][]>();
  for (const [key, group] of rows) {
    const meter = readUint(key, 9, 4);
    if (meter >= end) break;
    const list = groups.get(meter);
    const row: [number, MeasureGroup] = [readUint(key, 13, 2), group];
    if (list === undefined) groups.set(meter, [row]);
    else list.push(row);
  }
  return { end, groups };
}

const groupsPerPass = slotsPerPass / slotsPerGroup;
/** The largest group number a key can hold: `after` it come the next meter's groups. */
const lastGroup = 0xffff;

/** One meter's delta over one pass, from its groups: the sum of its rounded slot deltas. */
function meterPassDelta(groups: readonly [number, MeasureGroup][], pricing: PassPricing): bigint {
  const firstGroup = pricing.first / slotsPerGroup;
  let delta = 0n;
  for (const [number, group] of groups) {
    const base = (number - firstGroup) * slotsPerGroup;
    for (let at = 0; at < slotsPerGroup; at++) {
      const cons = group[2 * at] ?? 0;
      const prod = group[2 * at + 1] ?? 0;
      if (cons === 0 && prod === 0) continue;
      delta += foldedSlotDelta(pricing.folded[base + at] as FoldedPricing, cons, prod);
    }
  }
  return delta;
}

/** The running deltas of the accounts from seq `first` on, one payment block's worth: seq → delta. */
async function deltaPage(state: State, tsStart: number, first: number): Promise<Map<number, AccountDelta>> {
  const rows = await tables.accountDeltas.entries(
    state,
    keyPrefix.period(tsStart),
    maxPaymentsPerBlock,
    first === 0 ? undefined : keyPrefix.deltasAt(tsStart, first - 1),
  );
  return new Map(rows.map(([key, acc]) => [readUint(key, 8, 4), acc]));
}

/** Accounts of the meters of one page: meter index → account. */
async function meterPage(state: State, first: number): Promise<Map<number, Uint8Array>> {
  const rows = await tables.meterIndex.entries(
    state,
    undefined,
    metersPerPage,
    first === 0 ? undefined : keyPrefix.meterIndexAt(first - 1),
  );
  return new Map(rows.map(([key, ref]) => [readUint(key, 0, 4), ref.account]));
}

/**
 * A step's deltas per account, in the order the accounts were first met; written to state once per
 * step (one read and one write per account), not once per meter.
 */
class StepDeltas {
  private readonly byAccount = new Map<string, { account: Uint8Array; delta: bigint }>();

  has(account: Uint8Array): boolean {
    return this.byAccount.has(Buffer.from(account).toString('latin1'));
  }

  add(account: Uint8Array, delta: bigint): void {
    const id = Buffer.from(account).toString('latin1');
    const row = this.byAccount.get(id);
    if (row === undefined) this.byAccount.set(id, { account, delta });
    else row.delta += delta;
  }

  get size(): number {
    return this.byAccount.size;
  }

  /** Adds the step's deltas to the accounts' running deltas; new accounts get the next seqs. */
  async flush(state: State, tsStart: number, p: SolveProgress): Promise<SolveProgress> {
    let accounts = p.accounts;
    for (const { account, delta } of this.byAccount.values()) {
      const seq = await tables.accountSeq.get(state, { period: tsStart, account });
      if (seq === undefined) {
        tables.accountSeq.set(state, { period: tsStart, account }, accounts);
        tables.accountDeltas.set(state, { period: tsStart, seq: accounts }, { account, delta });
        accounts++;
        continue;
      }
      const acc = await tables.accountDeltas.get(state, { period: tsStart, seq });
      tables.accountDeltas.set(
        state,
        { period: tsStart, seq },
        { account, delta: (acc?.delta ?? 0n) + delta },
      );
    }
    this.byAccount.clear();
    return { ...p, accounts };
  }
}

/**
 * Runs a solve for as long as the hook's budget allows: settle each (pass, meter), then charge
 * the debits, pay the credits, settle the grid and write the receipt (SOLVING → SOLVED). The
 * cursor lives in state, so the next block resumes where this one stopped.
 */
export async function solveStep(
  ctx: BlockContext,
  payments: Payments,
  prefix: string,
  tsStart: number,
): Promise<void> {
  const state = ctx.state;
  const emit = (e: EmittedEvent): void => ctx.emit(e);
  const period = await tables.periods.get(state, tsStart);
  let p = await tables.progress.get(state, tsStart);
  if (period === undefined || p === undefined) return;
  // Clears the attempt record of this block's begin-block hook; the delete is kept only if the
  // whole end-block hook passes (a failing hook's writes are dropped), which is the signal.
  tables.solveAttempts.delete(state, tsStart);
  if (ctx.budget.limit < minSolveBudget) {
    ctx.emit(events.solveStalled({ tsStart, budget: ctx.budget.limit, needed: minSolveBudget }));
    return;
  }
  const deltas = new StepDeltas();
  // Work promised to the accounts' writes at the end of the step.
  const reserved = (): number => deltas.size * solveCosts.account;
  const can = (cost: number): boolean => ctx.budget.remaining >= cost + reserved() + solveCosts.progress;
  const passes = passCount(period);
  let pricing: PassPricing | undefined;
  let page: Map<number, Uint8Array> | undefined;
  let pageStart = 0;
  let batch: { end: number; groups: Map<number, [number, MeasureGroup][]> } | undefined;
  // Meter-slots settled in this step (`solveMeterSlotsPerBlock`), and the slots of the current pass.
  let meterSlots = 0;
  /**
   * What settling one meter of `pass` counts against the step's meter-slots: its slots, and at
   * least `solveMinMeterSlots` (a meter's range read, delta and account update cost the same in a
   * pass of a few slots).
   */
  const passSlots = (pass: number): number =>
    Math.max(solveMinMeterSlots, Math.min(slotsPerPass, slotCount(period) - pass * slotsPerPass));
  let paymentsMade = 0;
  let paymentSteps = 0;
  let accountPage: Map<number, AccountDelta> | undefined;
  let adminRepaid = false;
  for (;;) {
    if (p.phase === 0) {
      if (p.pass >= passes) {
        if (!can(solveCosts.finish)) break;
        p = await deltas.flush(state, tsStart, p);
        if (p.gridFlow < 0n) await payments.fromGrid(state, emit, p.admin, -p.gridFlow);
        p = { ...p, phase: 1, seq: 0 };
        continue;
      }
      if (pricing === undefined) {
        if (
          !can(
            solveCosts.pass +
              solveCosts.page +
              solveCosts.readFlat +
              solveCosts.readPerMeter +
              solveCosts.account,
          )
        )
          break;
        // A pass priced for the first time (no fingerprint of it in state: the same on every node)
        // counts against the step's meter-slots; a later pass is begun only with room left to
        // settle a meter of it.
        if (
          meterSlots > 0 &&
          meterSlots + solvePricingMeterSlots + passSlots(p.pass) > solveMeterSlotsPerBlock
        )
          break;
        const priced = await passPricing(ctx, period, p.pass);
        pricing = priced.pricing;
        if (priced.fresh) meterSlots += solvePricingMeterSlots;
        if (p.meter === 0) {
          let grid = 0n;
          let missing = 0;
          for (const [s, slot] of pricing.slots.entries()) {
            grid += slot.gridFlow;
            missing += Math.max(0, p.active - (pricing.reporters[s] as number));
          }
          p = { ...p, gridFlow: p.gridFlow + grid, missing: p.missing + missing };
        }
      }
      if (p.meter >= p.meters) {
        p = { ...p, pass: p.pass + 1, meter: 0 };
        pricing = undefined;
        batch = undefined;
        continue;
      }
      if (page === undefined || p.meter < pageStart || p.meter >= pageStart + metersPerPage) {
        if (!can(solveCosts.page + solveCosts.readFlat + solveCosts.readPerMeter + solveCosts.account)) break;
        page = await meterPage(state, p.meter);
        pageStart = p.meter;
      }
      if (batch === undefined || p.meter >= batch.end) {
        // As many meters as the budget can settle (a batch cut short would be read again).
        const spare = Math.max(
          0,
          ctx.budget.remaining - reserved() - solveCosts.progress - solveCosts.readFlat,
        );
        const perMeter = solveCosts.readPerMeter + solveCosts.account;
        const slotsLeft = solveMeterSlotsPerBlock - meterSlots;
        const slots = passSlots(p.pass);
        const count = Math.min(
          metersPerRead,
          p.meters - p.meter,
          (spare - (spare % perMeter)) / perMeter,
          (slotsLeft - (slotsLeft % slots)) / slots,
        );
        if (count < 1) break;
        batch = await readMeters(state, period, p.pass, p.meter, count);
      }
      if (!can(solveCosts.account)) break;
      const account = page.get(p.meter);
      const groups = batch.groups.get(p.meter);
      if (account !== undefined && groups !== undefined) {
        const delta = meterPassDelta(groups, pricing);
        deltas.add(account, delta);
        p = { ...p, sumDeltas: p.sumDeltas + delta };
      }
      meterSlots += passSlots(p.pass);
      p = { ...p, meter: p.meter + 1 };
      continue;
    }
    if (p.phase === 1 || p.phase === 2) {
      if (p.seq >= p.accounts) {
        p = { ...p, phase: p.phase === 1 ? 2 : 3, seq: 0 };
        continue;
      }
      if (
        !can(solveCosts.payment) ||
        paymentsMade >= maxPaymentsPerBlock ||
        paymentSteps >= maxPaymentStepsPerBlock
      )
        break;
      if (accountPage === undefined || !accountPage.has(p.seq)) {
        if (!can(solveCosts.deltaPage + solveCosts.payment)) break;
        accountPage = await deltaPage(state, tsStart, p.seq);
      }
      const acc = accountPage.get(p.seq);
      if (acc !== undefined) {
        const { account, delta } = acc;
        if (p.phase === 1 && delta <= 0n) {
          // The admin's own debts are repaid from the first debit of each block, not after each.
          await payments.pay(state, emit, account, p.admin, -delta, !adminRepaid);
          adminRepaid = true;
          paymentsMade++;
          ctx.emit(events.settled({ tsStart, account: formatAddress(account, prefix), delta }));
        }
        if (p.phase === 2 && delta > 0n) {
          await payments.pay(state, emit, p.admin, account, delta);
          paymentsMade++;
          ctx.emit(events.settled({ tsStart, account: formatAddress(account, prefix), delta }));
        }
      }
      paymentSteps++;
      p = { ...p, seq: p.seq + 1 };
      continue;
    }
    if (!can(solveCosts.finish)) break;
    await finish(ctx, payments, prefix, period, p);
    return;
  }
  p = await deltas.flush(state, tsStart, p);
  tables.progress.set(state, tsStart, p);
  ctx.emit(events.solveProgress({ tsStart, phase: p.phase, pass: p.pass, meter: p.meter, seq: p.seq }));
}

async function finish(
  ctx: BlockContext,
  payments: Payments,
  prefix: string,
  period: Period,
  p: SolveProgress,
): Promise<void> {
  const state = ctx.state;
  if (p.gridFlow > 0n) await payments.pay(state, (e) => ctx.emit(e), p.admin, null, p.gridFlow);
  const adminDelta = -p.sumDeltas - p.gridFlow;
  tables.receipts.set(state, period.tsStart, {
    admin: p.admin,
    adminDelta,
    gridFlow: p.gridFlow,
    missing: p.missing,
    accounts: p.accounts,
    meters: p.active,
    solvedHeight: ctx.block.height,
  });
  tables.periods.set(state, period.tsStart, { ...period, state: 2 });
  tables.solving.delete(state, period.tsStart);
  tables.progress.delete(state, period.tsStart);
  tables.passTotals.delete(state, period.tsStart);
  ctx.emit(events.grid({ tsStart: period.tsStart, gridFlow: p.gridFlow }));
  ctx.emit(
    events.solved({
      tsStart: period.tsStart,
      admin: formatAddress(p.admin, prefix),
      adminDelta,
      gridFlow: p.gridFlow,
      missing: p.missing,
    }),
  );
}

/**
 * Start-of-block bookkeeping of the solve queue. The end-block hook that runs a solve step clears
 * the period's attempt record when it succeeds; a failing hook has all its writes dropped, so the
 * record it leaves tells the next block that the step failed. After `maxSolveAttempts` failures in a
 * row the period is marked FAILED with the reason, its solve is dropped from the queue (later
 * periods solve), and what earlier blocks settled stays as it is.
 */
export async function recordSolveAttempt(ctx: BlockContext): Promise<void> {
  const tsStart = await solvingPeriod(ctx.state);
  if (tsStart === undefined) return;
  const last = await tables.solveAttempts.get(ctx.state, tsStart);
  const failures = last === undefined ? 0 : last.failures + 1;
  if (failures < maxSolveAttempts) {
    tables.solveAttempts.set(ctx.state, tsStart, { height: ctx.block.height, failures });
    return;
  }
  const period = await tables.periods.get(ctx.state, tsStart);
  const reason = `the solve step failed in ${failures} blocks in a row, the last at height ${last?.height} (its hook.failed event has the error)`;
  if (period !== undefined) tables.periods.set(ctx.state, tsStart, { ...period, state: 3 });
  tables.solveFailures.set(ctx.state, tsStart, { height: ctx.block.height, reason });
  tables.solving.delete(ctx.state, tsStart);
  tables.progress.delete(ctx.state, tsStart);
  tables.passTotals.delete(ctx.state, tsStart);
  tables.solveAttempts.delete(ctx.state, tsStart);
  ctx.emit(events.solveFailed({ tsStart, failures, reason }));
}

/** The period being solved, if any (the oldest first). */
export async function solvingPeriod(state: State): Promise<number | undefined> {
  const rows = await tables.solving.entries(state, undefined, 1);
  return rows[0] === undefined ? undefined : readUint(rows[0][0], 0, 8);
}
