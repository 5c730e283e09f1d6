import { address, bigint, formatAddress, nullable, parseAddress, struct, uint } from '@joule/consensus';
import {
  defineEvent,
  defineMessage,
  defineQuery,
  GenesisError,
  jsonAmount,
  jsonArray,
  jsonObject,
  jsonString,
  type Module,
  Table,
  TxError,
} from '@joule/state';
import { chain } from './chain.js';

/**
 * The app's module: every account records its meter's cumulative reading (Wh), which only grows;
 * anyone reads an account's last reading and the total over all accounts. Replace it with yours —
 * the shape stays: codecs, tables, messages, queries, events, a route, genesis.
 */
const name = chain.moduleName;

/** Accounts a genesis file may list. */
export const maxGenesisReadings = 10_000;

/** An account's last reading and the height it was recorded at. */
export interface Reading {
  readonly wh: bigint;
  readonly height: number;
}
const readingCodec = struct<Reading>('Reading', { wh: bigint(), height: uint() });

/** The totals over every account. */
export interface Summary {
  readonly accounts: number;
  readonly totalWh: bigint;
}
const summaryCodec = struct<Summary>('Summary', { accounts: uint(), totalWh: bigint() });

// State: one row per account, and one row of totals. Keys never collide with another module's.
const readings = new Table(name, 'r', (account: Uint8Array) => account, readingCodec);
const summary = new Table(name, 's', (_: 'all') => new Uint8Array([0]), summaryCodec);

const recorded = defineEvent(`${name}.recorded`, ['account', 'wh']);
const forgotten = defineEvent(`${name}.forgotten`, ['account']);

/** `<module>/record`: the signer's meter reading, in Wh since the meter was installed. */
export interface RecordReading {
  readonly wh: bigint;
}

export const record = defineMessage({
  type: `${name}/record`,
  codec: struct<RecordReading>('RecordReading', { wh: bigint() }),
  validate: (m) => (m.wh === 0n ? 'a reading of 0 Wh records nothing' : undefined),
  async handle(ctx, m, signer) {
    const last = await readings.get(ctx.state, signer.address);
    if (last !== undefined && m.wh < last.wh)
      throw new TxError(
        'READINGS_BACKWARDS',
        `a meter reading only grows: last ${last.wh} Wh, now ${m.wh} Wh`,
        {
          last: last.wh.toString(),
        },
      );
    const totals = (await summary.get(ctx.state, 'all')) ?? { accounts: 0, totalWh: 0n };
    summary.set(ctx.state, 'all', {
      accounts: totals.accounts + (last === undefined ? 1 : 0),
      totalWh: totals.totalWh - (last?.wh ?? 0n) + m.wh,
    });
    readings.set(ctx.state, signer.address, { wh: m.wh, height: ctx.block.height });
    ctx.emit(recorded({ account: signer.address, wh: m.wh }));
  },
});

/** `<module>/forget`: removes the signer's reading (and its share of the total). */
export const forget = defineMessage({
  type: `${name}/forget`,
  codec: struct<Record<string, never>>('Forget', {}),
  async handle(ctx, _m, signer) {
    const last = await readings.get(ctx.state, signer.address);
    if (last === undefined) throw new TxError('READINGS_NONE', 'the signer has no reading to forget');
    const totals = (await summary.get(ctx.state, 'all')) ?? { accounts: 1, totalWh: last.wh };
    summary.set(ctx.state, 'all', { accounts: totals.accounts - 1, totalWh: totals.totalWh - last.wh });
    readings.delete(ctx.state, signer.address);
    ctx.emit(forgotten({ account: signer.address }));
  },
});

/** `reading`: an account's last reading, or null. */
export const reading = defineQuery({
  path: 'reading',
  request: struct<{ account: Uint8Array }>('ReadingRequest', { account: address }),
  response: nullable(readingCodec),
  handle: async (ctx, r) => (await readings.get(ctx.state, r.account)) ?? null,
});

/** `summary`: how many accounts have a reading, and their sum. */
export const total = defineQuery({
  path: 'summary',
  request: struct<Record<string, never>>('SummaryRequest', {}),
  response: summaryCodec,
  handle: async (ctx) => (await summary.get(ctx.state, 'all')) ?? { accounts: 0, totalWh: 0n },
});

/** The genesis section: readings by account (bech32 in the file), Wh as decimal strings. */
export interface AppModuleGenesis {
  readonly readings: readonly { readonly account: Uint8Array; readonly wh: bigint }[];
}

/**
 * The module. Addresses in its genesis are bech32 of the chain's prefix, which every context carries
 * (`ctx.addressPrefix`, and `env.addressPrefix` when parsing genesis).
 */
export const appModule: Module<AppModuleGenesis> = {
  name,
  messages: [record, forget],
  queries: [reading, total],
  routes: [
    { method: 'GET', path: `/${name}/summary`, target: 'summary', description: 'Accounts and total Wh' },
    {
      method: 'GET',
      path: `/${name}/:account`,
      target: 'reading',
      description: 'An account’s last reading',
    },
  ],
  genesis: {
    default: () => ({ readings: [] }),
    parse(json, env) {
      const rows = jsonArray(jsonObject(json, name).readings ?? [], `${name}.readings`, maxGenesisReadings);
      return {
        readings: rows.map((row, i) => {
          const at = `${name}.readings[${i}]`;
          const o = jsonObject(row, at);
          const text = jsonString(o.account, `${at}.account`);
          let account: Uint8Array;
          try {
            account = parseAddress(text, env?.addressPrefix ?? chain.addressPrefix);
          } catch (cause) {
            throw new GenesisError(`${at}.account: ${String(cause)}`, { path: `${at}.account` });
          }
          return { account, wh: jsonAmount(o.wh, `${at}.wh`) };
        }),
      };
    },
    async init(ctx, g) {
      let totalWh = 0n;
      for (const row of g.readings) {
        readings.set(ctx.state, row.account, { wh: row.wh, height: 0 });
        totalWh += row.wh;
      }
      summary.set(ctx.state, 'all', { accounts: g.readings.length, totalWh });
    },
    async export(ctx) {
      const rows = await readings.all(ctx.state);
      return {
        readings: rows.map(([account, r]) => ({
          account: formatAddress(account, ctx.addressPrefix),
          wh: r.wh.toString(),
        })),
      };
    },
  },
};
