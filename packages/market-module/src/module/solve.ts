import { type AppEvent, formatAddress, int, struct } from '@joule/consensus';
import { type BlockContext, defineMessage, type MessageType, type State } from '@joule/state';
import { maxPaymentsPerBlock, slotsPerChunk } from '../constants.js';
import { MarketError } from '../errors.js';
import { meterSlotDelta, type SlotPricing, slotPricing } from '../settlement/slot.js';
import { minSolveBudget, solveCosts } from './budget.js';
import { events } from './events.js';
import type { Payments } from './payments.js';
import { chunkCount, loadConfig, pricesOf, requireOpen, slotCount } from './periods.js';
import { keyPrefix, type Period, readUint, type SolveProgress, tables } from './records.js';

export interface SolveMarkets {
  /** Start of the period, Unix seconds. */
  readonly tsStart: number;
}

/** Anyone may ask for a period's solve once it has ended; the work then runs in end-block hooks. */
export const solveMarkets: MessageType<SolveMarkets> = defineMessage<SolveMarkets>({
  type: 'market/solve_markets',
  codec: struct<SolveMarkets>('SolveMarkets', { tsStart: int(Number.MIN_SAFE_INTEGER) }),
  async handle(ctx, m) {
    const period = m.tsStart < 0 ? undefined : await tables.periods.get(ctx.state, m.tsStart);
    if (period === undefined)
      throw new MarketError(
        'MARKET_UNKNOWN_PERIOD',
        `no period starts at ${m.tsStart}: use the period's tsStart`,
      );
    requireOpen(period, 'solving it again');
    if (ctx.block.time < period.tsEnd * 1000)
      throw new MarketError(
        'MARKET_PERIOD_NOT_ENDED',
        `period [${period.tsStart}, ${period.tsEnd}) has not ended at block time: solve after ${period.tsEnd}`,
      );
    const config = await loadConfig(ctx.state);
    tables.periods.set(ctx.state, m.tsStart, { ...period, state: 1 });
    tables.solving.set(ctx.state, m.tsStart, true);
    tables.progress.set(ctx.state, m.tsStart, {
      phase: 0,
      chunk: 0,
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

/** The pricing of every slot of a chunk, from its totals (one range read). */
async function chunkPricing(
  state: State,
  period: Period,
  chunk: number,
): Promise<(SlotPricing & { reporters: number })[]> {
  const rows = await tables.totals.entries(state, keyPrefix.totals(period.tsStart, chunk), slotsPerChunk);
  const totals = new Map(rows.map(([key, t]) => [key[10] as number, t]));
  const slots = Math.min(slotsPerChunk, slotCount(period) - chunk * slotsPerChunk);
  const prices = pricesOf(period);
  return Array.from({ length: slots }, (_, s) => {
    const t = totals.get(s) ?? { ec: 0, ep: 0, reporters: 0 };
    return { ...slotPricing(prices, BigInt(t.ec), BigInt(t.ep)), reporters: t.reporters };
  });
}

/** Adds one meter's deltas over one chunk to its account's running delta. */
async function computeMeter(
  state: State,
  period: Period,
  pricing: readonly SlotPricing[],
  p: SolveProgress,
): Promise<SolveProgress> {
  const rows = await tables.measures.entries(
    state,
    keyPrefix.measures(period.tsStart, p.chunk, p.meter),
    slotsPerChunk,
  );
  if (rows.length === 0) return p;
  let delta = 0n;
  for (const [key, m] of rows) {
    const slot = pricing[key[14] as number] as SlotPricing;
    delta += meterSlotDelta(slot, BigInt(m.cons ?? 0), BigInt(m.prod ?? 0));
  }
  const ref = await tables.meterIndex.get(state, p.meter);
  if (ref === undefined) return p;
  const key = { period: period.tsStart, account: ref.account };
  const acc = await tables.accountDeltas.get(state, key);
  let accounts = p.accounts;
  if (acc === undefined)
    tables.accountSeq.set(state, { period: period.tsStart, seq: accounts++ }, ref.account);
  tables.accountDeltas.set(state, key, { seq: acc?.seq ?? p.accounts, delta: (acc?.delta ?? 0n) + delta });
  return { ...p, accounts, sumDeltas: p.sumDeltas + delta };
}

/**
 * Runs a solve for as long as the hook's budget allows: compute each (chunk, meter), then charge
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
  const emit = (e: AppEvent): void => ctx.emit(e);
  const period = await tables.periods.get(state, tsStart);
  let p = await tables.progress.get(state, tsStart);
  if (period === undefined || p === undefined) return;
  if (ctx.budget.limit < minSolveBudget) {
    ctx.emit(events.solveStalled({ tsStart, budget: ctx.budget.limit, needed: minSolveBudget }));
    return;
  }
  const can = (cost: number): boolean => ctx.budget.remaining >= cost + solveCosts.progress;
  const chunks = chunkCount(period);
  let pricing: (SlotPricing & { reporters: number })[] | undefined;
  let paymentsMade = 0;
  for (;;) {
    if (p.phase === 0) {
      if (p.chunk >= chunks) {
        if (!can(solveCosts.finish)) break;
        if (p.gridFlow < 0n) await payments.fromGrid(state, emit, p.admin, -p.gridFlow);
        p = { ...p, phase: 1, seq: 0 };
        continue;
      }
      if (pricing === undefined) {
        if (!can(solveCosts.chunk + solveCosts.compute)) break;
        pricing = await chunkPricing(state, period, p.chunk);
        if (p.meter === 0) {
          let grid = 0n;
          let missing = 0;
          for (const s of pricing) {
            grid += s.gridFlow;
            missing += Math.max(0, p.active - s.reporters);
          }
          p = { ...p, gridFlow: p.gridFlow + grid, missing: p.missing + missing };
        }
      }
      if (p.meter >= p.meters) {
        p = { ...p, chunk: p.chunk + 1, meter: 0 };
        pricing = undefined;
        continue;
      }
      if (!can(solveCosts.compute)) break;
      p = { ...(await computeMeter(state, period, pricing, p)), meter: p.meter + 1 };
      continue;
    }
    if (p.phase === 1 || p.phase === 2) {
      if (p.seq >= p.accounts) {
        p = { ...p, phase: p.phase === 1 ? 2 : 3, seq: 0 };
        continue;
      }
      if (!can(solveCosts.payment) || paymentsMade >= maxPaymentsPerBlock) break;
      const account = await tables.accountSeq.get(state, { period: tsStart, seq: p.seq });
      const acc = account && (await tables.accountDeltas.get(state, { period: tsStart, account }));
      if (account !== undefined && acc !== undefined) {
        if (p.phase === 1 && acc.delta <= 0n) {
          await payments.pay(state, emit, account, p.admin, -acc.delta);
          ctx.emit(events.settled({ tsStart, account: formatAddress(account, prefix), delta: acc.delta }));
        }
        if (p.phase === 2 && acc.delta > 0n) {
          await payments.pay(state, emit, p.admin, account, acc.delta);
          ctx.emit(events.settled({ tsStart, account: formatAddress(account, prefix), delta: acc.delta }));
        }
      }
      paymentsMade++;
      p = { ...p, seq: p.seq + 1 };
      continue;
    }
    if (!can(solveCosts.finish)) break;
    await finish(ctx, payments, prefix, period, p);
    return;
  }
  tables.progress.set(state, tsStart, p);
  ctx.emit(events.solveProgress({ tsStart, phase: p.phase, chunk: p.chunk, meter: p.meter, seq: p.seq }));
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

/** The period being solved, if any (the oldest first). */
export async function solvingPeriod(state: State): Promise<number | undefined> {
  const rows = await tables.solving.entries(state, undefined, 1);
  return rows[0] === undefined ? undefined : readUint(rows[0][0], 0, 8);
}
