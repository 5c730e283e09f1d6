import {
  address,
  bool,
  type Codec,
  decode,
  encode,
  equalBytes,
  nullable,
  string,
  struct,
  uint,
} from '@joule/consensus/core';
import { signQuery } from '@joule/state/proof';
import type { LightClient, Signers, VerifiedState } from '../client/light-client.js';
import { maxDeltaRows, maxMeasureSlots } from '../constants.js';
import { fail } from '../errors.js';
import {
  accountDeltaCodec,
  amount,
  dayOf,
  keys,
  measureGroupCodec,
  type Period,
  periodCodec,
  periodDaysCodec,
  periodStates,
  type Receipt,
  receiptCodec,
  slotsPerGroup,
  slotsPerPass,
} from './layout.js';

/** An answer and what it was proven against. */
export interface Verified<T> {
  readonly value: T;
  /** The state height the answer is of. */
  readonly height: number;
  /** The verified header whose app hash proves it (`height + 1`). */
  readonly headerHeight: number;
  readonly signers: Signers;
}

/** A household's line of a solved period: what the settlement moved on its balance, and the period's receipt. */
export interface SettlementLine {
  readonly period: Period;
  readonly state: (typeof periodStates)[number];
  readonly receipt: Receipt | null;
  /** The account's net settlement of the period (positive: credited), uECT; `null` when it is not among the proven rows. */
  readonly delta: bigint | null;
}

export interface MeasureRow {
  readonly tsStart: number;
  readonly cons: number | null;
  readonly prod: number | null;
}

const balanceRequest = struct<{ address: Uint8Array; denom: string }>('BalanceRequest', {
  address,
  denom: string(64),
});
const tsRequest = struct<{ ts: number }>('MarketParametersRequest', { ts: uint() });
const receiptRequest = struct<{ tsStart: number }>('ReceiptRequest', { tsStart: uint() });
const deltasRequest = struct<{ tsStart: number; start: number; limit: number }>('ReceiptDeltasRequest', {
  tsStart: uint(),
  start: uint(),
  limit: uint(),
});
const measuresRequest = struct<{ meterId: string; tsStart: number; count: number }>('MeterMeasuresRequest', {
  meterId: string(256),
  tsStart: uint(),
  count: uint(),
});
const meterCodec = struct<{ index: number; account: Uint8Array; active: boolean }>('Meter', {
  index: uint(),
  account: address,
  active: bool,
});

function proven<T>(state: VerifiedState, codec: Codec<T>, key: Uint8Array): T | null {
  const bytes = state.get(key);
  if (bytes === null) return null;
  try {
    return decode(codec, bytes);
  } catch (error) {
    return fail('LIGHT_WRONG_ANSWER', `a proven value does not decode: ${String(error)}`, {
      height: state.height,
    });
  }
}

function verified<T>(state: VerifiedState, value: T): Verified<T> {
  return { value, height: state.height, headerHeight: state.header.header.height, signers: state.signers };
}

/** The node's own answer must say what its proofs say. */
function sameAnswer<T>(state: VerifiedState, codec: Codec<T>, expected: T, what: string): void {
  if (!equalBytes(state.value, encode(codec, expected)))
    fail(
      'LIGHT_WRONG_ANSWER',
      `the node's ${what} differs from what its proofs show at height ${state.height}`,
      {
        height: state.height,
      },
    );
}

/**
 * The queries a household needs, each proven against a header that +2/3 of the validators signed:
 * `balance`, `marketParameters`, `settlement` and (signed with the account's key) `meterMeasures`.
 */
export class VerifiedQueries {
  constructor(
    private readonly client: LightClient,
    private readonly options: {
      readonly chainId: string;
      readonly denom: string;
      readonly now?: () => number;
    },
  ) {}

  /** An account's balance (of the market's denomination unless `denom` is given). */
  async balance(addr: Uint8Array, denom = this.options.denom): Promise<Verified<bigint>> {
    const state = await this.client.provenState(
      '/bank/balance',
      encode(balanceRequest, { address: addr, denom }),
    );
    const value = proven(state, amount, keys.balance(addr, denom)) ?? 0n;
    sameAnswer(state, amount, value, 'balance');
    return verified(state, value);
  }

  /** The parameters of the period holding `ts` (Unix s), or null. */
  async marketParameters(ts: number): Promise<Verified<Period | null>> {
    const state = await this.client.provenState('/market/get_market_parameters', encode(tsRequest, { ts }));
    const period = periodOf(state, ts);
    sameAnswer(state, nullable(periodCodec), period, 'period parameters');
    return verified(state, period);
  }

  /** An account's settlement line of the period starting at `tsStart`, with the period's receipt. */
  async settlement(addr: Uint8Array, tsStart: number): Promise<Verified<SettlementLine | null>> {
    const state = await this.client.provenState(
      '/market/get_receipt_deltas',
      encode(deltasRequest, { tsStart, start: 0, limit: maxDeltaRows }),
    );
    const receipt = proven(state, receiptCodec, keys.receipt(tsStart));
    const receiptState = await this.client.provenState(
      '/market/get_receipt',
      encode(receiptRequest, { tsStart }),
    );
    const period = proven(receiptState, periodCodec, keys.period(tsStart));
    const again = proven(receiptState, receiptCodec, keys.receipt(tsStart));
    if (
      (receipt === null) !== (again === null) ||
      (receipt !== null && again !== null && receipt.solvedHeight !== again.solvedHeight)
    )
      fail('LIGHT_WRONG_ANSWER', 'the receipt differs between two proven answers', { height: state.height });
    if (period === null) return verified(receiptState, null);
    const prefix = keys.deltasPrefix(tsStart);
    let delta: bigint | null = null;
    for (const { key, value } of rowsUnder(state, prefix)) {
      if (key.length !== prefix.length + 4) continue;
      const row = decodeValue(state, accountDeltaCodec, value);
      if (equalBytes(row.account, addr)) delta = row.delta;
    }
    return verified(receiptState, {
      period,
      state: periodStates[period.state] ?? 'NOT_SOLVED',
      receipt,
      delta,
    });
  }

  /**
   * A meter's measures of `count` slots from `tsStart`, signed with the secret key of its account
   * (the market shows measures to the meter's account and the admin only). Each record is proven;
   * that no record was left out is not (the store proves keys, not ranges).
   */
  async meterMeasures(
    meterId: string,
    tsStart: number,
    count: number,
    secretKey: Uint8Array,
  ): Promise<Verified<MeasureRow[]>> {
    if (!Number.isSafeInteger(count) || count < 1 || count > maxMeasureSlots)
      fail('LIGHT_BAD_REQUEST', `count must be 1..${maxMeasureSlots}`);
    const path = '/market/get_meter_measures';
    const body = encode(measuresRequest, { meterId, tsStart, count });
    const signed = signQuery(secretKey, {
      chainId: this.options.chainId,
      path,
      body,
      timestamp: (this.options.now ?? Date.now)(),
    });
    const state = await this.client.provenState(path, body, signed);
    const meter = proven(state, meterCodec, keys.meter(meterId));
    const period = periodOf(state, tsStart);
    if (meter === null || period === null) return verified(state, []);
    const first = (tsStart - period.tsStart) / period.slotSeconds;
    const end = Math.min((period.tsEnd - period.tsStart) / period.slotSeconds, first + count);
    const rows: MeasureRow[] = [];
    for (let pass = Math.floor(first / slotsPerPass); pass * slotsPerPass < end; pass++) {
      const prefix = keys.measuresPrefix(period.tsStart, pass, meter.index);
      for (const { key, value } of rowsUnder(state, prefix)) {
        if (key.length !== prefix.length + 2) continue;
        const group = ((key[prefix.length] as number) << 8) | (key[prefix.length + 1] as number);
        const values = decodeValue(state, measureGroupCodec, value);
        for (let at = 0; at < slotsPerGroup; at++) {
          const slot = pass * slotsPerPass + group * slotsPerGroup + at;
          const cons = values[2 * at] ?? null;
          const prod = values[2 * at + 1] ?? null;
          if (slot < first || slot >= end || (cons === null && prod === null)) continue;
          rows.push({ tsStart: period.tsStart + slot * period.slotSeconds, cons, prod });
        }
      }
    }
    rows.sort((a, b) => a.tsStart - b.tsStart);
    return verified(state, rows);
  }
}

/** The proven period holding `ts`, read as the market reads it: the day index, then the periods. */
function periodOf(state: VerifiedState, ts: number): Period | null {
  if (!Number.isSafeInteger(ts) || ts < 0) return null;
  for (const start of proven(state, periodDaysCodec, keys.periodDays(dayOf(ts))) ?? []) {
    if (start > ts) continue;
    const period = proven(state, periodCodec, keys.period(start));
    if (period !== null && ts < period.tsEnd) return period;
  }
  return null;
}

function rowsUnder(state: VerifiedState, prefix: Uint8Array): { key: Uint8Array; value: Uint8Array }[] {
  return state.provenKeys().flatMap((key) => {
    if (key.length < prefix.length || !equalBytes(key.subarray(0, prefix.length), prefix)) return [];
    const value = state.get(key);
    return value === null ? [] : [{ key, value }];
  });
}

function decodeValue<T>(state: VerifiedState, codec: Codec<T>, bytes: Uint8Array): T {
  try {
    return decode(codec, bytes);
  } catch (error) {
    return fail('LIGHT_WRONG_ANSWER', `a proven value does not decode: ${String(error)}`, {
      height: state.height,
    });
  }
}
