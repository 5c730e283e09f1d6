/**
 * @joule/market — the energy market module of the Lugaggia Innovation Community: meters, market
 * parameters per period, measures with per-slot totals, on-chain LEM/LPM settlement with the exact
 * conservation invariant, and the offline audit that runs the same pure settlement function.
 */

// The offline audit (`joule-market settle`): the same pure settlement run over exported files.
export { type CommandIo, settleCommand, settleUsage } from './audit/command.js';
export { type AuditMeasure, type AuditParams, parseAuditMeasures, parseAuditParams } from './audit/input.js';
export { type AuditReport, type AuditSlot, auditReport, auditSettle, settleFiles } from './audit/settle.js';
// Bounds and defaults of the module (units in the names).
export {
  debtSweepPerBlock,
  defaultDenom,
  defaultGraceSlots,
  defaultMaxMeasureWh,
  defaultSlotSeconds,
  type MarketState,
  marketStates,
  maxBetaUectPerKwh2,
  maxFailureReasonLength,
  maxGraceSlots,
  maxMeasuresPerQuery,
  maxMeasureWhLimit,
  maxMeterIdLength,
  maxMeters,
  maxPageSize,
  maxPaymentStepsPerBlock,
  maxPaymentsPerBlock,
  maxPeriodDays,
  maxPeriodSlots,
  maxPeriodsPerDay,
  maxPriceUectPerKwh,
  maxSlotsPerMeasures,
  maxSlotsPerQuery,
  maxSolveAttempts,
  meterIdPattern,
  metersPerPage,
  metersPerRead,
  minSlotSeconds,
  pseudonymousMeterIdPattern,
  type Signal,
  secondsPerDay,
  signals,
  slotsPerGroup,
  slotsPerPass,
  solveMeterSlotsPerBlock,
  solvePricingMeterSlots,
  txReadMeters,
  uectPerEct,
} from './constants.js';
// Errors.
export { AuditInputError, MarketError, type MarketErrorCode } from './errors.js';
// The module: `market(…)` with its messages, queries, genesis and routes.
export { minSolveBudget, solveCosts } from './module/budget.js';
export type { MarketGenesis } from './module/genesis.js';
export {
  type MarketDependencies,
  type MarketModule,
  type MarketOptions,
  market,
  marketRoutes,
} from './module/market.js';
export type { SetEnergyMeasure, SetEnergyMeasures } from './module/measures.js';
export type { AddMeter, RemoveMeter, TransferAdmin } from './module/meters.js';
export type { SetMarketParameters } from './module/parameters.js';
export type { MarketBank } from './module/payments.js';
export { hmacSha256, pseudonymousMeterId } from './module/pseudonym.js';
export type {
  DeltaRow,
  MeterMeasure,
  MeterRow,
  MetersPage,
  ReceiptSlot,
  ReceiptView,
  SlotRow,
} from './module/queries.js';
export type { SolveMarkets } from './module/solve.js';
// Settlement: the pure LEM/LPM functions and exact rational arithmetic both the chain and the audit run.
export {
  type MeterReading,
  type PeriodInput,
  type PeriodSettlement,
  type SlotReadings,
  type SlotReceipt,
  settlePeriod,
  settleSlot,
} from './settlement/period.js';
export { ceilDiv, floorDiv, formatRational, type Rational, reduce } from './settlement/rational.js';
export {
  type MarketPrices,
  meterSlotDelta,
  meterSlotOwedExact,
  type SlotPricing,
  slotPricing,
} from './settlement/slot.js';
