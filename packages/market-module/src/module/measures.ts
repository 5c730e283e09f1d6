import { int, list, nullable, string, struct } from '@joule/consensus';
import { defineMessage, type MessageType } from '@joule/state';
import { maxSlotsPerMeasures, type Signal, signals, txReadMeters } from '../constants.js';
import { MarketError } from '../errors.js';
import { events } from './events.js';
import { loadConfig, measureKey, periodAt, requireOpen, slotCount, slotKey } from './periods.js';
import { type Config, emptyGroup, type MeasureGroup, type Meter, type Period, tables } from './records.js';

/** `setEnergyMeasure`: the energy of one meter in one slot `[tsStart, tsEnd)`, Wh. */
export interface SetEnergyMeasure {
  readonly meterId: string;
  readonly tsStart: number;
  readonly tsEnd: number;
  readonly signal: string;
  readonly value: number;
}

const anyInt = int();

/**
 * What the messages of one transaction read alike: the configuration, the meters and the period. A
 * transaction of 32 measures reads them once, not 32 times. Keyed by the transaction's context (one
 * object per transaction), so it lives exactly as long as the transaction; every other market
 * message clears it first, because it may change what it holds. At most `txReadMeters` meters.
 */
class TxReads {
  config: Config | undefined = undefined;
  readonly meters = new Map<string, Meter>();
  period: Period | undefined = undefined;
}
const txReads = new WeakMap<object, TxReads>();

/** Forgets what the transaction of `ctx` read: a message that may change meters, periods or the config. */
export function forgetTxReads(ctx: object): void {
  txReads.delete(ctx);
}

function readsOf(ctx: object): TxReads {
  let reads = txReads.get(ctx);
  if (reads === undefined) {
    // A class instance, not an object literal: V8 moved the literal's site to its old space (most
    // records are alive at a scavenge), where a dead one kept its meters alive until a full collection.
    reads = new TxReads();
    txReads.set(ctx, reads);
  }
  return reads;
}

/** The period holding slot start `tsStart` (read once a transaction), which `tsStart` must be aligned in. */
async function slotPeriod(
  ctx: { readonly state: Parameters<typeof loadConfig>[0] },
  reads: TxReads,
  tsStart: number,
): Promise<Period> {
  const cached = reads.period;
  const period =
    cached !== undefined && cached.tsStart <= tsStart && tsStart < cached.tsEnd
      ? cached
      : await periodAt(ctx.state, tsStart);
  if (period === undefined)
    throw new MarketError(
      'MARKET_NO_PERIOD',
      `no market parameters cover ${tsStart}: the admin sets the period first`,
    );
  reads.period = period;
  if ((tsStart - period.tsStart) % period.slotSeconds !== 0)
    throw new MarketError(
      'MARKET_SLOT_MISALIGNED',
      `tsStart ${tsStart} is not on a ${period.slotSeconds} s slot boundary (Unix seconds, UTC)`,
    );
  return period;
}

/** Refuses slot `[tsStart, tsEnd)` unless it ended by `blockTimeMs`. */
function requireEnded(tsStart: number, tsEnd: number, blockTimeMs: number): void {
  if (tsEnd * 1000 > blockTimeMs)
    throw new MarketError(
      'MARKET_SLOT_NOT_ENDED',
      `slot [${tsStart}, ${tsEnd}) has not ended at block time ${(blockTimeMs - (blockTimeMs % 1000)) / 1000}: send after it ends (check the clock)`,
    );
}

/** The meter `meterId`, read once a transaction: listed, active, and linked to the signer. */
async function ownMeter(
  ctx: { readonly state: Parameters<typeof loadConfig>[0] },
  reads: TxReads,
  meterId: string,
  signer: { readonly address: Uint8Array },
): Promise<Meter> {
  let meter = reads.meters.get(meterId);
  if (meter === undefined) {
    meter = await tables.meters.get(ctx.state, meterId);
    if (meter !== undefined && reads.meters.size < txReadMeters) reads.meters.set(meterId, meter);
  }
  if (meter === undefined)
    throw new MarketError(
      'MARKET_UNKNOWN_METER',
      `meter ${meterId} is not in the list: ask the admin to add it`,
    );
  if (!meter.active)
    throw new MarketError('MARKET_METER_REMOVED', `meter ${meterId} was removed from the list`);
  if (Buffer.compare(meter.account, signer.address) !== 0)
    throw new MarketError(
      'MARKET_NOT_METER_OWNER',
      `meter ${meterId} is not linked to the signer: sign with the key of the meter's account`,
    );
  return meter;
}

/** Only the meter's account posts its measures, once per (meter, slot, signal), into an open period's ended slot. */
export function setEnergyMeasureMessage(): MessageType<SetEnergyMeasure> {
  return defineMessage<SetEnergyMeasure>({
    type: 'market/set_energy_measure',
    codec: struct<SetEnergyMeasure>('SetEnergyMeasure', {
      meterId: string(256),
      tsStart: anyInt,
      tsEnd: anyInt,
      signal: string(32),
      value: anyInt,
    }),
    async handle(ctx, m, signer) {
      if (!(signals as readonly string[]).includes(m.signal))
        throw new MarketError(
          'MARKET_UNKNOWN_SIGNAL',
          `signal "${m.signal}" is unknown: use "consumption" (OBIS 1-0:1.8.0 delta) or "production" (1-0:2.8.0 delta)`,
        );
      if (m.value < 0)
        throw new MarketError(
          'MARKET_NEGATIVE_VALUE',
          `value ${m.value} Wh is negative: send the register's delta`,
        );
      const reads = readsOf(ctx);
      reads.config ??= await loadConfig(ctx.state);
      const config = reads.config;
      if (m.value > config.maxMeasureWh)
        throw new MarketError(
          'MARKET_VALUE_TOO_LARGE',
          `value ${m.value} Wh exceeds ${config.maxMeasureWh} Wh per slot: check the unit (Wh, not mWh) and the slot`,
        );
      const meter = await ownMeter(ctx, reads, m.meterId, signer);
      const period = await slotPeriod(ctx, reads, m.tsStart);
      if (m.tsEnd !== m.tsStart + period.slotSeconds)
        throw new MarketError(
          'MARKET_SLOT_LENGTH',
          `tsEnd must be tsStart + ${period.slotSeconds} (one slot), got ${m.tsEnd}`,
        );
      requireOpen(period, 'posting measures');
      requireEnded(m.tsStart, m.tsEnd, ctx.block.time);
      const slot = slotKey(period, m.tsStart);
      const { key, at } = measureKey(period, meter.index, slot.slot);
      const group = (await tables.measures.get(ctx.state, key)) ?? emptyGroup;
      const signal = m.signal as Signal;
      const index = 2 * at + (signal === 'consumption' ? 0 : 1);
      if (group[index] !== null)
        throw new MarketError(
          'MARKET_DUPLICATE_MEASURE',
          `meter ${m.meterId} already has a ${signal} measure for slot ${m.tsStart}: a measure cannot be replaced`,
        );
      const firstOfSlot = group[2 * at] === null && group[2 * at + 1] === null;
      // A decoded group is this message's own array; only the shared empty group is copied.
      const next = group === emptyGroup ? emptyGroup.slice() : (group as (number | null)[]);
      next[index] = m.value;
      tables.measures.set(ctx.state, key, next);
      const totals = (await tables.totals.get(ctx.state, slot)) ?? { ec: 0, ep: 0, reporters: 0 };
      tables.totals.set(ctx.state, slot, {
        ec: totals.ec + (signal === 'consumption' ? m.value : 0),
        ep: totals.ep + (signal === 'production' ? m.value : 0),
        reporters: totals.reporters + (firstOfSlot ? 1 : 0),
      });
      ctx.emit(events.measure({ meterId: m.meterId, tsStart: m.tsStart, signal }));
    },
  });
}

/**
 * `setEnergyMeasures`: one meter's consumption and production of `consumption.length` consecutive
 * slots from `tsStart` (slot `k` is `[tsStart + k·slotSeconds, tsStart + (k + 1)·slotSeconds)`), Wh;
 * `null` where the meter has no value for that signal. What a concentrator back-filling a day sends.
 */
export interface SetEnergyMeasures {
  readonly meterId: string;
  readonly tsStart: number;
  readonly consumption: readonly (number | null)[];
  readonly production: readonly (number | null)[];
}

const slotValues = list(nullable(anyInt), maxSlotsPerMeasures);

/** A measure value's own refusals, as `set_energy_measure` gives them. */
function checkValue(value: number, config: Config): void {
  if (value < 0)
    throw new MarketError(
      'MARKET_NEGATIVE_VALUE',
      `value ${value} Wh is negative: send the register's delta`,
    );
  if (value > config.maxMeasureWh)
    throw new MarketError(
      'MARKET_VALUE_TOO_LARGE',
      `value ${value} Wh exceeds ${config.maxMeasureWh} Wh per slot: check the unit (Wh, not mWh) and the slot`,
    );
}

/**
 * The rules of `set_energy_measure` for every measure of a run of slots, in one message: the same
 * refusals with the same codes (a message is all or nothing, as a transaction is), and the same
 * state — each measure record and each slot's totals are read once and written once, instead of once
 * per measure. All slots lie in the period that holds `tsStart`.
 */
export function setEnergyMeasuresMessage(): MessageType<SetEnergyMeasures> {
  return defineMessage<SetEnergyMeasures>({
    type: 'market/set_energy_measures',
    codec: struct<SetEnergyMeasures>('SetEnergyMeasures', {
      meterId: string(256),
      tsStart: anyInt,
      consumption: slotValues,
      production: slotValues,
    }),
    async handle(ctx, m, signer) {
      const slots = m.consumption.length;
      if (slots === 0 || m.production.length !== slots)
        throw new MarketError(
          'MARKET_BAD_BATCH',
          `consumption has ${slots} values and production ${m.production.length}: send one value (or null) per slot in each, 1 to ${maxSlotsPerMeasures} slots`,
        );
      const reads = readsOf(ctx);
      reads.config ??= await loadConfig(ctx.state);
      const config = reads.config;
      let measures = 0;
      for (const values of [m.consumption, m.production])
        for (const v of values)
          if (v !== null) {
            checkValue(v, config);
            measures++;
          }
      if (measures === 0) throw new MarketError('MARKET_BAD_BATCH', 'every value is null: nothing to record');
      const meter = await ownMeter(ctx, reads, m.meterId, signer);
      const period = await slotPeriod(ctx, reads, m.tsStart);
      const first = slotKey(period, m.tsStart).slot;
      if (first + slots > slotCount(period))
        throw new MarketError(
          'MARKET_BAD_BATCH',
          `${slots} slots from ${m.tsStart} pass the end of the period (${period.tsEnd}): split the message there`,
        );
      requireOpen(period, 'posting measures');
      const tsEnd = m.tsStart + slots * period.slotSeconds;
      requireEnded(tsEnd - period.slotSeconds, tsEnd, ctx.block.time);
      // Consecutive slots share a record until a group boundary: each record is read and written once.
      let record: { key: ReturnType<typeof measureKey>['key']; group: (number | null)[] } | undefined;
      const flush = () => {
        if (record !== undefined) tables.measures.set(ctx.state, record.key, record.group);
      };
      for (let k = 0; k < slots; k++) {
        const cons = m.consumption[k] as number | null;
        const prod = m.production[k] as number | null;
        if (cons === null && prod === null) continue;
        const slot = first + k;
        const { key, at } = measureKey(period, meter.index, slot);
        if (record === undefined || record.key.group !== key.group || record.key.pass !== key.pass) {
          flush();
          const stored: MeasureGroup = (await tables.measures.get(ctx.state, key)) ?? emptyGroup;
          // A decoded record is this message's own array; only the shared empty one is copied.
          record = { key, group: stored === emptyGroup ? emptyGroup.slice() : (stored as (number | null)[]) };
        }
        const group = record.group;
        const firstOfSlot = group[2 * at] === null && group[2 * at + 1] === null;
        const ts = m.tsStart + k * period.slotSeconds;
        placeMeasure(group, 2 * at, cons, m.meterId, 'consumption', ts);
        placeMeasure(group, 2 * at + 1, prod, m.meterId, 'production', ts);
        const totalsKey = { period: period.tsStart, slot };
        const totals = (await tables.totals.get(ctx.state, totalsKey)) ?? { ec: 0, ep: 0, reporters: 0 };
        tables.totals.set(ctx.state, totalsKey, {
          ec: totals.ec + (cons ?? 0),
          ep: totals.ep + (prod ?? 0),
          reporters: totals.reporters + (firstOfSlot ? 1 : 0),
        });
      }
      flush();
      ctx.emit(events.measures({ meterId: m.meterId, tsStart: m.tsStart, slots, measures }));
    },
  });
}

/** Puts `value` (if any) at `index` of a meter's record; a value already there is a duplicate. */
function placeMeasure(
  group: (number | null)[],
  index: number,
  value: number | null,
  meterId: string,
  signal: Signal,
  ts: number,
): void {
  if (value === null) return;
  if (group[index] !== null)
    throw new MarketError(
      'MARKET_DUPLICATE_MEASURE',
      `meter ${meterId} already has a ${signal} measure for slot ${ts}: a measure cannot be replaced`,
    );
  group[index] = value;
}
