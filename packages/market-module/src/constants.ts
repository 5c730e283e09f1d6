/**
 * Limits and constants of @joule/market, each named with its unit. Every list, page and loop of the
 * module is bounded by one of these.
 */

/** 1 ECT in uECT. */
export const uectPerEct = 1_000_000n;
/** Default slot length, seconds (15 minutes). */
export const defaultSlotSeconds = 900;
/** Slot lengths must divide a day, so that slots and days align. */
export const secondsPerDay = 86_400;
/** Shortest slot, seconds. */
export const minSlotSeconds = 60;
/** Most slots in one period (a month of 15-minute slots is 2 880–2 976). */
export const maxPeriodSlots = 8_928;
/** Longest period, days (the period index keeps one entry per UTC day it touches). */
export const maxPeriodDays = 93;
/** Most periods touching one UTC day. */
export const maxPeriodsPerDay = 64;
/**
 * Slots per measure record: one record holds a meter's consumption and production of 16 consecutive
 * slots (4 hours of quarter hours, what one transaction of 32 messages carries), so that a solve
 * reads a month of one meter as 180 records, not 2 880.
 */
export const slotsPerGroup = 16;
/**
 * Slots of one solve pass: the solve prices 1 024 slots (one range read of their totals) and then
 * settles meter after meter over them (one range read of ≤ 64 measure records for each of 16
 * meters). A multiple of `slotsPerGroup`; a period has at most 9 passes.
 */
export const slotsPerPass = 1_024;
/**
 * Most slots one `set_energy_measures` message carries: a day of quarter hours. It bounds the
 * message's work (≤ 96 slot totals and 7 measure records read and written) and its size (< 2 KB).
 */
export const maxSlotsPerMeasures = 96;
/** Most meters one transaction's measures keep read (a transaction holds at most 32 messages). */
export const txReadMeters = 32;
/** Meters whose account is looked up with one range read of the meter index, while solving. */
export const metersPerPage = 64;
/** Meters whose measures of a pass the solve reads with one range read (≤ 1 024 records). */
export const metersPerRead = 16;
/**
 * Most meter-slots one block's solve step settles: each (pass, meter) counts the pass's slots
 * (≤ 1 024), whether the meter reported in them or not. The work of a settling block is bounded by
 * what it computes, not only by what its state access costs: with the default hook budget a step
 * stops here (32 meters of a full pass), ≈ 20–30 ms of CPU on the 2-core reference machine. Not below
 * `slotsPerPass`, so that a step always settles at least one meter. Changing it changes where each
 * block's step stops, so it is part of consensus.
 */
export const solveMeterSlotsPerBlock = 32_768;
/**
 * The least one meter counts against `solveMeterSlotsPerBlock`, whatever its pass's length: a
 * meter's range read, delta and account update cost the same in a pass of a few slots, so a period
 * whose last pass is short cannot have one block settle thousands of meters under a large hook
 * budget. Part of consensus, as `solveMeterSlotsPerBlock` is.
 */
export const solveMinMeterSlots = 256;
/**
 * What pricing a pass counts against `solveMeterSlotsPerBlock` in the block that first prices it
 * (reading its ≤ 1 024 totals, hashing them, 1 024 slot prices in bigint; the block that does it is
 * also where the solve's code runs first, unoptimized: 24 meters' worth). Below `solveMeterSlotsPerBlock − slotsPerPass`, so that the block still
 * settles a meter.
 */
export const solvePricingMeterSlots = 24_576;

/** Highest price, uECT/kWh (1 000 ECT/kWh). */
export const maxPriceUectPerKwh = 1_000_000_000n;
/** Highest LPM coefficient, uECT/kWh². */
export const maxBetaUectPerKwh2 = 1_000_000_000n;
/**
 * Default solve grace window, slots: `solveMarkets` is admissible only from `tsEnd + graceSlots ·
 * slotSeconds` on, so the last slot's measures (posted once the slot has ended) get in before anyone
 * can close the period. Four slots: an hour of quarter hours.
 */
export const defaultGraceSlots = 4;
/** Longest solve grace window, slots (a day of quarter hours). */
export const maxGraceSlots = 96;
/** Highest bound an admin may set on one measure, Wh per slot (10 MWh). */
export const maxMeasureWhLimit = 10_000_000;
/** Default bound on one measure, Wh per slot (100 kWh in a quarter hour: 400 kW). */
export const defaultMaxMeasureWh = 100_000;

/** Longest meter id, characters (a pseudonymous id is `p:` and 64 hex digits). */
export const maxMeterIdLength = 66;
/** Meter ids: letters, digits, `.`, `_`, `:`, `-`. */
export const meterIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** Pseudonymous meter ids: `p:` and the hex HMAC-SHA-256 of the serial under the admin's key. */
export const pseudonymousMeterIdPattern = /^p:[0-9a-f]{64}$/;
/** Most meters ever added (indexes are 32-bit; this bounds the solve's loops). */
export const maxMeters = 1_000_000;

/** Page size bounds of list queries. */
export const maxPageSize = 500;
/** Most slots one `getMeterMeasures` query spans (a pass: at most two range reads). */
export const maxMeasuresPerQuery = 1_024;
/** Most slots one `getTotalEnergy` or receipt-slots query returns. */
export const maxSlotsPerQuery = 192;

/** Signals of a measure, by name and by wire number. */
export const signals = ['consumption', 'production'] as const;
export type Signal = (typeof signals)[number];

/** Market state of a period. */
export const marketStates = ['NOT_SOLVED', 'SOLVING', 'SOLVED', 'FAILED'] as const;
export type MarketState = (typeof marketStates)[number];

/**
 * Consecutive blocks whose end-block hook may fail during a solve before the period is marked
 * FAILED and the solve queue moves on (a failure caused by the block, such as its event or write
 * limits, passes in the next block; a deterministic one fails every time).
 */
export const maxSolveAttempts = 3;
/** Longest recorded reason of a failed solve, characters. */
export const maxFailureReasonLength = 256;
/** Most debts examined by the end-block sweep per block. */
export const debtSweepPerBlock = 2;
/** Most accounts paid per block in the payment phases (bounds the events of one hook). */
export const maxPaymentsPerBlock = 32;
/**
 * Most accounts looked at per block in the payment phases, paid or passed over (the debit phase
 * passes over the accounts that are owed, the credit phase over those that owe): a pass-over
 * emits nothing, so only `maxPaymentsPerBlock` of them are payments.
 */
export const maxPaymentStepsPerBlock = 128;
/** Default denomination of settlements. */
export const defaultDenom = 'uect';
