import { addressOf, formatAddress, publicKeyOf } from '@joule/consensus';
import {
  type AuditReport,
  type DeltaRow,
  formatRational,
  type MarketModule,
  type MeterMeasure,
  type MetersPage,
  maxMeasuresPerQuery,
} from '@joule/market';
import type { QueryType } from '@joule/state';
import type { JouleClient } from '../client/index.js';

/** PARAMS.json of the offline audit (prices as decimal strings). */
export interface ParamsFile {
  readonly tsStart: number;
  readonly tsEnd: number;
  readonly slotSeconds: number;
  readonly pBuyBAU: string;
  readonly pSellBAU: string;
  readonly pBuyLEM: string;
  readonly pSellLEM: string;
  readonly beta: string;
  readonly admin: string;
}

/** One row of MEASURES.json. */
export interface MeasureRow {
  readonly meterId: string;
  readonly account: string;
  readonly tsStart: number;
  readonly tsEnd: number;
  readonly signal: 'consumption' | 'production';
  readonly value: number;
}

/** RECEIPT.json: the chain's receipt in the shape of `settle --json`, plus what only the chain knows. */
export interface ReceiptFile extends AuditReport {
  readonly tsStart: number;
  readonly state: string;
  readonly adminAccount: string;
  readonly solvedHeight: number;
  readonly missing: number;
  readonly meters: number;
}

export interface PeriodExport {
  readonly params: ParamsFile;
  /** Null without the admin's key. */
  readonly measures: MeasureRow[] | null;
  /** Null until the period is SOLVED. */
  readonly receipt: ReceiptFile | null;
}

/** Signed queries in flight at once while reading measures. */
const exportConcurrency = 8;
/** Rows per page of meters and deltas (the market's `maxPageSize`). */
const pageSize = 500;
/** Slots per totals query (the market's `maxSlotsPerQuery`). */
const slotsPerQuery = 192;
/** A signed query's timestamp is refreshed after this long (the node's API window is 30 s). */
const timestampRefreshMs = 10_000;

/**
 * Reads the period holding `ts` from a node: its parameters, its receipt once solved and, with the
 * admin's secret key, every measure (authenticated queries, only for slots where some meter reported,
 * both signals, zeros included). `settle` on the written files reproduces the receipt to the uECT.
 */
export async function exportPeriod(
  client: JouleClient,
  m: MarketModule,
  prefix: string,
  ts: number,
  adminKey?: Uint8Array,
): Promise<PeriodExport> {
  const period = await client.query('market', m.query.getMarketParameters, { ts });
  if (period === null) throw new Error(`no market period holds time ${ts}: check --period (Unix seconds)`);
  const receipt = await readReceipt(client, m, prefix, period);
  let admin = receipt?.adminAccount ?? null;
  let measures: MeasureRow[] | null = null;
  if (adminKey !== undefined) {
    const signed = new SignedQueries(client, adminKey);
    const meters = await readMeters(m, prefix, signed);
    // Only the admin sees accounts: a key that sees them is the admin.
    admin ??= formatAddress(addressOf(publicKeyOf(adminKey)), prefix);
    measures = await readMeasures(m, period, meters, signed);
  }
  if (admin === null)
    throw new Error('the period is not solved yet: pass --from with the admin key to name the admin');
  const params: ParamsFile = {
    tsStart: period.tsStart,
    tsEnd: period.tsEnd,
    slotSeconds: period.slotSeconds,
    pBuyBAU: period.pBuyBAU.toString(),
    pSellBAU: period.pSellBAU.toString(),
    pBuyLEM: period.pBuyLEM.toString(),
    pSellLEM: period.pSellLEM.toString(),
    beta: period.beta.toString(),
    admin,
  };
  return { params, measures, receipt };
}

/** Authenticated queries with one key, timestamped at the last block time (refreshed now and then). */
class SignedQueries {
  readonly #client: JouleClient;
  readonly #key: Uint8Array;
  #timestamp: { value: number; at: number } | null = null;

  constructor(client: JouleClient, key: Uint8Array) {
    this.#client = client;
    this.#key = key;
  }

  async query<Req, Res>(type: QueryType<Req, Res>, request: Req): Promise<Res> {
    const now = performance.now();
    if (this.#timestamp === null || now - this.#timestamp.at > timestampRefreshMs)
      this.#timestamp = { value: await this.#client.lastBlockTime(), at: now };
    return this.#client.queryAs(this.#key, 'market', type, request, { timestamp: this.#timestamp.value });
  }
}

interface Meter {
  readonly meterId: string;
  readonly account: string;
}

async function readMeters(m: MarketModule, prefix: string, signed: SignedQueries): Promise<Meter[]> {
  const out: Meter[] = [];
  for (let start: number | null = 0; start !== null; ) {
    const page: MetersPage = await signed.query(m.query.getMetersList, { start, limit: pageSize });
    for (const row of page.meters) {
      if (row.account === null)
        throw new Error(
          'the --from key is not the market admin: only the admin sees meter accounts and measures',
        );
      out.push({ meterId: row.meterId, account: formatAddress(row.account, prefix) });
    }
    start = page.next;
  }
  return out;
}

interface PeriodShape {
  readonly tsStart: number;
  readonly tsEnd: number;
  readonly slotSeconds: number;
}

/**
 * Every measure of the period: each meter's slots by range (`getMeterMeasures`, `maxMeasuresPerQuery`
 * slots a query: 3 queries per meter and month instead of one per meter, slot and signal), in the
 * order slot, meter, signal.
 */
async function readMeasures(
  m: MarketModule,
  period: PeriodShape,
  meters: readonly Meter[],
  signed: SignedQueries,
): Promise<MeasureRow[]> {
  const jobs: { meter: number; tsStart: number }[] = [];
  for (let meter = 0; meter < meters.length; meter++)
    for (let ts = period.tsStart; ts < period.tsEnd; ts += period.slotSeconds * maxMeasuresPerQuery)
      jobs.push({ meter, tsStart: ts });
  const found: { meter: number; row: MeterMeasure }[][] = new Array(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i] as (typeof jobs)[number];
      const rows = await signed.query(m.query.getMeterMeasures, {
        meterId: (meters[job.meter] as Meter).meterId,
        tsStart: job.tsStart,
        count: maxMeasuresPerQuery,
      });
      found[i] = rows.map((row) => ({ meter: job.meter, row }));
    }
  };
  await Promise.all(Array.from({ length: exportConcurrency }, worker));
  const all = found.flat().sort((a, b) => a.row.tsStart - b.row.tsStart || a.meter - b.meter);
  const rows: MeasureRow[] = [];
  for (const { meter, row } of all) {
    const { meterId, account } = meters[meter] as Meter;
    const tsEnd = row.tsStart + period.slotSeconds;
    if (row.cons !== null)
      rows.push({ meterId, account, tsStart: row.tsStart, tsEnd, signal: 'consumption', value: row.cons });
    if (row.prod !== null)
      rows.push({ meterId, account, tsStart: row.tsStart, tsEnd, signal: 'production', value: row.prod });
  }
  return rows;
}

/** The receipt in the shape of `settle --json` (deltas sorted by account, exact prices), or null. */
async function readReceipt(
  client: JouleClient,
  m: MarketModule,
  prefix: string,
  period: PeriodShape,
): Promise<ReceiptFile | null> {
  const tsStart = period.tsStart;
  const receipt = await client.query('market', m.query.getReceipt, { tsStart });
  if (receipt === null) return null;
  const deltas: [string, string][] = [];
  for (let start: number | null = 0; start !== null; ) {
    const page: { deltas: DeltaRow[]; next: number | null } = await client.query(
      'market',
      m.query.getReceiptDeltas,
      { tsStart, start, limit: pageSize },
    );
    for (const d of page.deltas) deltas.push([formatAddress(d.account, prefix), d.delta.toString()]);
    start = page.next;
  }
  deltas.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const slots: ReceiptFile['slots'][number][] = [];
  for (let n = 0; n < receipt.slots; n += slotsPerQuery) {
    const rows = await client.query('market', m.query.getReceiptSlots, {
      tsStart: tsStart + n * period.slotSeconds,
      count: slotsPerQuery,
    });
    for (const r of rows)
      slots.push({
        tsStart: r.tsStart,
        Ec: r.ec,
        Ep: r.ep,
        pb: r.pbNum === null || r.pbDen === null ? null : formatRational({ num: r.pbNum, den: r.pbDen }),
        ps: r.psNum === null || r.psDen === null ? null : formatRational({ num: r.psNum, den: r.psDen }),
        E: r.e,
      });
  }
  return {
    tsStart,
    state: receipt.state,
    adminAccount: formatAddress(receipt.admin, prefix),
    solvedHeight: receipt.solvedHeight,
    missing: receipt.missing,
    meters: receipt.meters,
    deltas: Object.fromEntries(deltas),
    admin: receipt.adminDelta.toString(),
    gridFlow: receipt.gridFlow.toString(),
    slots,
  };
}
