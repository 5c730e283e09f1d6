import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MarketModule, maxSlotsPerMeasures, settleCommand, settleUsage } from '@joule/market';
import { txMessage } from '@joule/state';
import { clientOf, homeOf, json, parse, required, UsageError } from '../cli/common.js';
import type { CliContext, CliExtension, TxBuilder } from '../cli/extension.js';
import { loadKey, replacePrivateFile } from '../home/home.js';
import { exportPeriod } from './export.js';

type Values = Readonly<Record<string, string | boolean | undefined>>;
const text = { type: 'string' } as const;
/** Slot length assumed by `set_energy_measure` without `--ts-end` or `--slot-seconds`. */
const defaultSlotSeconds = 900;

/** Unix seconds, or an ISO 8601 time on a whole second (`2026-03-01T00:00:00Z`). */
export function parseTime(value: string | boolean | undefined, flag: string): number {
  const t = required(value, flag);
  if (/^[0-9]{1,12}$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  if (!/^[0-9]{4}-/.test(t) || Number.isNaN(ms) || ms % 1000 !== 0 || ms < 0)
    throw new UsageError(`--${flag} must be Unix seconds or an ISO 8601 time such as 2026-03-01T00:00:00Z`);
  return ms / 1000;
}

/** A price or beta: a non-negative decimal (uECT/kWh, uECT/kWh²). */
function amount(value: string | boolean | undefined, flag: string, fallback?: bigint): bigint {
  if (value === undefined && fallback !== undefined) return fallback;
  const t = required(value, flag);
  if (!/^(0|[1-9][0-9]{0,29})$/.test(t)) throw new UsageError(`--${flag} must be a whole number (uECT)`);
  return BigInt(t);
}

function whole(value: string | boolean | undefined, flag: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const t = required(value, flag);
  // Negative values reach the chain, which refuses them with MARKET_NEGATIVE_VALUE.
  if (!/^-?[0-9]{1,15}$/.test(t)) throw new UsageError(`--${flag} must be a whole number`);
  return Number(t);
}

/**
 * `--consumption 2500,0,-,310`: one whole number of Wh per slot, `-` where the meter has no value
 * (at most `maxSlotsPerMeasures`; the chain checks the values' bounds).
 */
export function parseSlotValues(value: string | boolean | undefined, flag: string): (number | null)[] {
  const parts = required(value, flag).split(',');
  if (parts.length > maxSlotsPerMeasures)
    throw new UsageError(
      `--${flag} has ${parts.length} values: at most ${maxSlotsPerMeasures} slots a message`,
    );
  return parts.map((p) => {
    const t = p.trim();
    if (t === '-') return null;
    if (!/^-?[0-9]{1,15}$/.test(t))
      throw new UsageError(`--${flag}: "${t}" is not a whole number of Wh or "-" (no value)`);
    return Number(t);
  });
}

const home = (v: Values): string | undefined => (typeof v.home === 'string' ? v.home : undefined);

/**
 * `tx market <message>` builders: one per message, named as the message, with its fields as flags
 * (the kebab-case names of earlier versions, `add-meter`, stay as aliases).
 */
function txBuilders(m: MarketModule): Record<string, TxBuilder> {
  return {
    add_meter_from_list: {
      aliases: ['add-meter'],
      usage: '--meter ID --account ADDRESS|KEY  (admin)',
      flags: { meter: text, account: text },
      build: async (v, ctx) => [
        txMessage(m.msg.addMeterFromList, {
          meterId: required(v.meter, 'meter'),
          account: await ctx.address(required(v.account, 'account'), home(v)),
        }),
      ],
    },
    remove_meter_from_list: {
      aliases: ['remove-meter'],
      usage: '--meter ID  (admin)',
      flags: { meter: text },
      build: async (v) => [txMessage(m.msg.removeMeterFromList, { meterId: required(v.meter, 'meter') })],
    },
    set_market_parameters: {
      aliases: ['set-params'],
      usage:
        '--ts-start T --ts-end T [--slot-seconds 900] --p-buy-bau P --p-sell-bau P --p-buy-lem P --p-sell-lem P [--beta 0]   (admin; uECT/kWh)',
      flags: {
        'ts-start': text,
        'ts-end': text,
        'slot-seconds': text,
        'p-buy-bau': text,
        'p-sell-bau': text,
        'p-buy-lem': text,
        'p-sell-lem': text,
        beta: text,
      },
      build: async (v) => [
        txMessage(m.msg.setMarketParameters, {
          tsStart: parseTime(v['ts-start'], 'ts-start'),
          tsEnd: parseTime(v['ts-end'], 'ts-end'),
          slotSeconds: whole(v['slot-seconds'], 'slot-seconds', defaultSlotSeconds),
          pBuyBAU: amount(v['p-buy-bau'], 'p-buy-bau'),
          pSellBAU: amount(v['p-sell-bau'], 'p-sell-bau'),
          pBuyLEM: amount(v['p-buy-lem'], 'p-buy-lem'),
          pSellLEM: amount(v['p-sell-lem'], 'p-sell-lem'),
          beta: amount(v.beta, 'beta', 0n),
        }),
      ],
    },
    set_energy_measure: {
      aliases: ['set-measure'],
      usage:
        "--meter ID --ts-start T [--ts-end T | --slot-seconds 900] --signal consumption|production --value WH   (the meter's account)",
      flags: {
        meter: text,
        'ts-start': text,
        'ts-end': text,
        'slot-seconds': text,
        signal: text,
        value: text,
      },
      build: async (v) => {
        const tsStart = parseTime(v['ts-start'], 'ts-start');
        const tsEnd =
          v['ts-end'] === undefined
            ? tsStart + whole(v['slot-seconds'], 'slot-seconds', defaultSlotSeconds)
            : parseTime(v['ts-end'], 'ts-end');
        return [
          txMessage(m.msg.setEnergyMeasure, {
            meterId: required(v.meter, 'meter'),
            tsStart,
            tsEnd,
            signal: required(v.signal, 'signal'),
            value: whole(v.value, 'value'),
          }),
        ];
      },
    },
    set_energy_measures: {
      aliases: ['set-measures'],
      usage:
        "--meter ID --ts-start T --consumption WH,WH,… --production WH,WH,…   (the meter's account; consecutive slots from T, '-' for no value, ≤ 96)",
      flags: { meter: text, 'ts-start': text, consumption: text, production: text },
      build: async (v) => [
        txMessage(m.msg.setEnergyMeasures, {
          meterId: required(v.meter, 'meter'),
          tsStart: parseTime(v['ts-start'], 'ts-start'),
          consumption: parseSlotValues(v.consumption, 'consumption'),
          production: parseSlotValues(v.production, 'production'),
        }),
      ],
    },
    solve_markets: {
      aliases: ['solve'],
      usage: '--ts-start T  (anyone, once the period has ended)',
      flags: { 'ts-start': text },
      build: async (v) => [txMessage(m.msg.solveMarkets, { tsStart: parseTime(v['ts-start'], 'ts-start') })],
    },
    transfer_admin: {
      aliases: ['transfer-admin'],
      usage: '--to ADDRESS|KEY  (admin; the new admin then sends accept_admin)',
      flags: { to: text },
      build: async (v, ctx) => [
        txMessage(m.msg.transferAdmin, { admin: await ctx.address(required(v.to, 'to'), home(v)) }),
      ],
    },
    accept_admin: {
      aliases: ['accept-admin'],
      usage: '(the proposed admin)',
      flags: {},
      build: async () => [txMessage(m.msg.acceptAdmin, {})],
    },
    repay_debts: {
      aliases: ['repay-debts'],
      usage: '--debtor ADDRESS|KEY  (anyone, after a top-up)',
      flags: { debtor: text },
      build: async (v, ctx) => [
        txMessage(m.msg.repayDebts, { debtor: await ctx.address(required(v.debtor, 'debtor'), home(v)) }),
      ],
    },
  };
}

const marketHelp = `Usage: {bin} market settle --params PARAMS.json --measures MEASURES.json [--json]
       {bin} market export --period TS --out DIR [--node URL | --home DIR] [--from ADMIN_KEY]

settle  recomputes a period from files, with no node (the offline audit); prints each
        account's delta, the admin's margin and the grid flow in ECT, or the exact report with --json.
        Exit 1 and one line naming the field for a bad file.
export  reads the period holding TS (Unix seconds or ISO 8601) from a node and writes DIR/PARAMS.json,
        DIR/RECEIPT.json once it is solved (in the shape of \`settle --json\`) and, with the admin's
        keyring key (--from, from --home), DIR/MEASURES.json — so that \`settle\` on them reproduces
        the chain's receipt to the uECT. Measures are read by authenticated queries.

Market messages are sent with \`{bin} tx market <message> …\` (\`{bin} tx --help\` lists them,
\`{bin} tx market <message> --help\` lists a message's fields); queries with
\`{bin} query market <query> …\` (get_meters_list, get_energy_measure and get_meter_measures need
--from KEY --home DIR).`;

async function runMarket(args: readonly string[], ctx: CliContext, m: MarketModule): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'settle')
    return settleCommand(rest, {
      readFile: (path) => readFile(path, 'utf8'),
      stdout: (line) => ctx.io.out(line),
      stderr: (line) =>
        ctx.io.err(
          line.includes(settleUsage)
            ? line.replace(
                settleUsage,
                `usage: ${ctx.bin} market settle --params PARAMS.json --measures MEASURES.json [--json]`,
              )
            : line,
        ),
    });
  if (sub !== 'export') throw new UsageError('expected market settle|export');
  const { values, positionals } = parse(rest, {
    period: text,
    out: text,
    node: text,
    home: text,
    from: text,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const out = required(values.out, 'out');
  const key = values.from === undefined ? undefined : await loadKey(homeOf(values), values.from);
  const exported = await exportPeriod(
    await clientOf(values),
    m,
    ctx.addressPrefix,
    parseTime(values.period, 'period'),
    key?.key.secretKey,
  );
  // Measures are private to their prosumers: the directory is made 0700, each file written 0600.
  await mkdir(out, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  const write = async (name: string, value: unknown): Promise<void> => {
    await replacePrivateFile(join(out, name), `${JSON.stringify(value, null, 2)}\n`);
    files.push(join(out, name));
  };
  await write('PARAMS.json', exported.params);
  if (exported.measures !== null) await write('MEASURES.json', exported.measures);
  if (exported.receipt !== null) await write('RECEIPT.json', exported.receipt);
  ctx.io.out(
    json({
      files,
      ts_start: exported.params.tsStart,
      state: exported.receipt?.state ?? 'not solved',
      measures: exported.measures?.length ?? null,
    }),
  );
  if (exported.measures === null)
    ctx.io.err('note: MEASURES.json needs the admin key (--from KEY --home DIR)');
  return 0;
}

/** The market's CLI: `tx market <message>` with flags, `market settle`, `market export`. */
export function marketCliExtension(m: MarketModule): CliExtension {
  return {
    name: 'market',
    tx: txBuilders(m),
    command: {
      summary: 'market audit: settle a period from files, export a period from a node',
      help: marketHelp,
      run: (args, ctx) => runMarket(args, ctx, m),
    },
  };
}
