import { bigint, i64, list, nullable, string, struct } from '@joule/consensus';
import {
  Authority,
  defineEvent,
  defineMessage,
  defineQuery,
  GenesisError,
  jsonAmount,
  jsonArray,
  jsonObject,
  jsonString,
  type MessageType,
  type Module,
  Table,
  TxError,
  textKey,
} from '@joule/state';
import { maxBillWh, maxGenesisTariffs, maxPriceUnits, maxTariffsPerPage, whPerKwh } from './constants.js';

/** The module's name: messages `tariffs/…`, queries `query tariffs …`, routes `/tariffs/…`. */
export const moduleName = 'tariffs';

/** A calendar month, UTC: `2026-03`. Tariffs are set per month. */
export const periodPattern = /^[0-9]{4}-(0[1-9]|1[0-2])$/;
const period = string(7, periodPattern);

/** The start of a period, Unix ms (UTC): the moment from which its tariff can no longer change. */
export function periodStartMs(p: string): number {
  return Date.UTC(Number(p.slice(0, 4)), Number(p.slice(5, 7)) - 1, 1);
}

/** A period's tariff: prices in base units of the chain's denomination. */
export interface Tariff {
  /** Charged per kWh drawn from the grid. */
  readonly importPrice: bigint;
  /** Credited per kWh fed into the grid. */
  readonly exportPrice: bigint;
  /** Charged once per period and meter. */
  readonly fixedFee: bigint;
}
const price = bigint(0n, maxPriceUnits);
const tariffCodec = struct<Tariff>('Tariff', { importPrice: price, exportPrice: price, fixedFee: price });

/** `tariffs/set_tariff`: the authority sets (or replaces) the tariff of a period not begun yet. */
export interface SetTariff extends Tariff {
  readonly period: string;
}

/** `tariffs/remove_tariff`: the authority withdraws the tariff of a period not begun yet. */
export interface RemoveTariff {
  readonly period: string;
}

/** A bill preview: what a meter's month would cost under its period's tariff. */
export interface Bill {
  readonly period: string;
  readonly importCost: bigint;
  readonly exportCredit: bigint;
  readonly fixedFee: bigint;
  /** importCost + fixedFee − exportCredit; negative when the meter earned more than it cost. */
  readonly total: bigint;
}

const tariffsTable = new Table(moduleName, 't', (p: string) => textKey(p), tariffCodec);
const tariffSet = defineEvent(`${moduleName}.tariff_set`, [
  'period',
  'import_price',
  'export_price',
  'fixed_fee',
]);
const tariffRemoved = defineEvent(`${moduleName}.tariff_removed`, ['period']);

/** Refuses a change to a period whose tariff is already in force (by the block's time, never the wall clock). */
function assertNotBegun(p: string, blockTimeMs: number): void {
  if (periodStartMs(p) <= blockTimeMs)
    throw new TxError('TARIFFS_PERIOD_BEGUN', `the period ${p} has begun: its tariff can no longer change`, {
      period: p,
    });
}

/** A bill: each part rounded down to the base unit. */
export function billOf(p: string, t: Tariff, importedWh: bigint, exportedWh: bigint): Bill {
  const importCost = (importedWh * t.importPrice) / whPerKwh;
  const exportCredit = (exportedWh * t.exportPrice) / whPerKwh;
  return {
    period: p,
    importCost,
    exportCredit,
    fixedFee: t.fixedFee,
    total: importCost + t.fixedFee - exportCredit,
  };
}

/** The genesis section: the authority (bech32) and the tariffs by period, prices as decimal strings. */
export interface TariffsGenesis {
  readonly authority: Uint8Array | null;
  readonly pendingAuthority: Uint8Array | null;
  readonly tariffs: readonly SetTariff[];
}

const setTariffCodec = struct<SetTariff>('SetTariff', {
  period,
  importPrice: price,
  exportPrice: price,
  fixedFee: price,
});

/** `tariff`: the tariff of a period, or null. */
export const tariffQuery = defineQuery({
  path: 'tariff',
  request: struct<{ period: string }>('TariffRequest', { period }),
  response: nullable(tariffCodec),
  handle: async (ctx, r) => (await tariffsTable.get(ctx.state, r.period)) ?? null,
});

/** `tariffs`: the tariffs of the periods from `from` on, oldest first, one page. */
export const tariffsQuery = defineQuery({
  path: 'tariffs',
  request: struct<{ from: string }>('TariffsRequest', { from: period }),
  response: list(setTariffCodec, maxTariffsPerPage),
  async handle(ctx, r) {
    const first = await tariffsTable.get(ctx.state, r.from);
    const rows: SetTariff[] = first === undefined ? [] : [{ period: r.from, ...first }];
    const after = await tariffsTable.entries(
      ctx.state,
      undefined,
      maxTariffsPerPage - rows.length,
      textKey(r.from),
    );
    for (const [key, t] of after) rows.push({ period: new TextDecoder().decode(key), ...t });
    return rows;
  },
});

const wh = bigint(0n, maxBillWh);

/** `bill`: a bill preview for a meter's imported and exported energy in a period. */
export const billQuery = defineQuery({
  path: 'bill',
  request: struct<{ period: string; importedWh: bigint; exportedWh: bigint }>('BillRequest', {
    period,
    importedWh: wh,
    exportedWh: wh,
  }),
  response: struct<Bill>('Bill', {
    period,
    importCost: bigint(),
    exportCredit: bigint(),
    fixedFee: price,
    total: i64,
  }),
  async handle(ctx, r) {
    const t = await tariffsTable.get(ctx.state, r.period);
    if (t === undefined)
      throw new TxError('TARIFFS_NO_TARIFF', `no tariff is set for ${r.period}`, { period: r.period });
    return billOf(r.period, t, r.importedWh, r.exportedWh);
  },
});

const authority = new Authority({ module: moduleName });

const setTariff: MessageType<SetTariff> = defineMessage({
  type: `${moduleName}/set_tariff`,
  codec: setTariffCodec,
  // Crediting exports above the import price would pay a meter for drawing and feeding back.
  validate: (m) => (m.exportPrice > m.importPrice ? 'exportPrice must not exceed importPrice' : undefined),
  async handle(ctx, m, signer) {
    await authority.require(ctx, signer.address, 'set a tariff');
    assertNotBegun(m.period, ctx.block.time);
    const { period: p, ...t } = m;
    tariffsTable.set(ctx.state, p, t);
    ctx.emit(
      tariffSet({
        period: p,
        import_price: t.importPrice,
        export_price: t.exportPrice,
        fixed_fee: t.fixedFee,
      }),
    );
  },
});

const removeTariff: MessageType<RemoveTariff> = defineMessage({
  type: `${moduleName}/remove_tariff`,
  codec: struct<RemoveTariff>('RemoveTariff', { period }),
  async handle(ctx, m, signer) {
    await authority.require(ctx, signer.address, 'remove a tariff');
    assertNotBegun(m.period, ctx.block.time);
    if ((await tariffsTable.get(ctx.state, m.period)) === undefined)
      throw new TxError('TARIFFS_NO_TARIFF', `no tariff is set for ${m.period}`, { period: m.period });
    tariffsTable.delete(ctx.state, m.period);
    ctx.emit(tariffRemoved({ period: m.period }));
  },
});

/** The `tariffs` module object: the module, and its message and query definitions for clients and tests. */
export interface TariffsModule extends Module<TariffsGenesis> {
  /** The authority that sets tariffs (`authority.msg.transfer` etc. hand it over). */
  readonly authority: Authority;
  readonly msg: {
    readonly setTariff: MessageType<SetTariff>;
    readonly removeTariff: MessageType<RemoveTariff>;
    readonly transferAuthority: Authority['msg']['transfer'];
    readonly acceptAuthority: Authority['msg']['accept'];
    readonly cancelAuthorityTransfer: Authority['msg']['cancel'];
  };
  readonly query: {
    readonly tariff: typeof tariffQuery;
    readonly tariffs: typeof tariffsQuery;
    readonly bill: typeof billQuery;
  };
}

/**
 * The `tariffs` module: one authority (the community's operator) sets each month's tariff before
 * the month begins; anyone reads it and previews a bill. The authority is handed over in two steps
 * (`tariffs/transfer_authority`, `accept_authority`, `cancel_authority_transfer`). Addresses (the
 * authority in genesis, errors and events) use the chain's prefix, which every context carries.
 */
export const tariffs: TariffsModule = {
  name: moduleName,
  messages: [setTariff, removeTariff, ...authority.messages],
  queries: [tariffQuery, tariffsQuery, billQuery],
  routes: [
    { method: 'GET', path: `/${moduleName}/:period`, target: 'tariff', description: 'The tariff of a month' },
    {
      method: 'GET',
      path: `/${moduleName}/:period/bill/:imported_wh/:exported_wh`,
      target: 'bill',
      description: 'A bill preview for a month’s imported and exported Wh',
    },
  ],
  genesis: {
    default: () => ({ authority: null, pendingAuthority: null, tariffs: [] }),
    parse(json, env) {
      const o = jsonObject(json, moduleName);
      const rows = jsonArray(o.tariffs ?? [], `${moduleName}.tariffs`, maxGenesisTariffs);
      return {
        ...authority.parse(o, moduleName, env?.addressPrefix),
        tariffs: rows.map((row, i) => {
          const at = `${moduleName}.tariffs[${i}]`;
          const r = jsonObject(row, at);
          const p = jsonString(r.period, `${at}.period`);
          if (!periodPattern.test(p)) throw new GenesisError(`${at}.period: expected YYYY-MM`, { path: at });
          const amount = (key: string) => {
            const v = jsonAmount(r[key], `${at}.${key}`);
            if (v > maxPriceUnits)
              throw new GenesisError(`${at}.${key}: above ${maxPriceUnits}`, { path: at });
            return v;
          };
          return {
            period: p,
            importPrice: amount('importPrice'),
            exportPrice: amount('exportPrice'),
            fixedFee: amount('fixedFee'),
          };
        }),
      };
    },
    async init(ctx, g) {
      authority.init(ctx.state, g);
      for (const { period: p, ...t } of g.tariffs) tariffsTable.set(ctx.state, p, t);
    },
    async export(ctx) {
      const rows = await tariffsTable.all(ctx.state);
      return {
        ...(await authority.export(ctx.state, ctx.addressPrefix)),
        tariffs: rows.map(([key, t]) => ({
          period: new TextDecoder().decode(key),
          importPrice: t.importPrice.toString(),
          exportPrice: t.exportPrice.toString(),
          fixedFee: t.fixedFee.toString(),
        })),
      };
    },
  },
  authority,
  msg: {
    setTariff,
    removeTariff,
    transferAuthority: authority.msg.transfer,
    acceptAuthority: authority.msg.accept,
    cancelAuthorityTransfer: authority.msg.cancel,
  },
  query: { tariff: tariffQuery, tariffs: tariffsQuery, bill: billQuery },
};
