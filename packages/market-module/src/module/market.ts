import { address, struct } from '@joule/consensus';
import {
  type BlockContext,
  defineMessage,
  type MessageType,
  type Module,
  type QueryType,
  type RouteDescription,
  type TxContext,
} from '@joule/state';
import { MarketError } from '../errors.js';
import { sweepCost } from './budget.js';
import { initMarketGenesis, type MarketGenesis, parseMarketGenesis } from './genesis.js';
import { exportMarketGenesis } from './genesis-export.js';
import {
  type SetEnergyMeasure,
  type SetEnergyMeasures,
  setEnergyMeasureMessage,
  setEnergyMeasuresMessage,
} from './measures.js';
import { type AddMeter, meterMessages, type RemoveMeter, type TransferAdmin } from './meters.js';
import { type SetMarketParameters, setMarketParameters } from './parameters.js';
import { type MarketBank, Payments } from './payments.js';
import { loadConfig } from './periods.js';
import * as q from './queries.js';
import { recordSolveAttempt, type SolveMarkets, solveMarkets, solveStep, solvingPeriod } from './solve.js';

export interface MarketOptions {
  /** Bech32 prefix of addresses in genesis and errors (default: the chain's, from the context). */
  readonly addressPrefix?: string;
}

export interface MarketDependencies {
  /** The bank module's keeper (`coreModules().bank.keeper`): settlements move its balances. */
  readonly bank: MarketBank;
}

export type MarketModule = Module<MarketGenesis> & {
  readonly msg: {
    readonly addMeterFromList: MessageType<AddMeter>;
    readonly removeMeterFromList: MessageType<RemoveMeter>;
    readonly setMarketParameters: MessageType<SetMarketParameters>;
    readonly setEnergyMeasure: MessageType<SetEnergyMeasure>;
    readonly setEnergyMeasures: MessageType<SetEnergyMeasures>;
    readonly solveMarkets: MessageType<SolveMarkets>;
    readonly transferAdmin: MessageType<TransferAdmin>;
    readonly acceptAdmin: MessageType<Record<string, never>>;
    readonly repayDebts: MessageType<{ debtor: Uint8Array }>;
  };
  readonly query: {
    readonly getMetersList: typeof q.getMetersList;
    readonly getMarketParameters: typeof q.getMarketParameters;
    readonly getEnergyMeasure: typeof q.getEnergyMeasure;
    readonly getMeterMeasures: typeof q.getMeterMeasures;
    readonly getTotalEnergy: typeof q.getTotalEnergy;
    readonly getReceipt: typeof q.getReceipt;
    readonly getReceiptSlots: typeof q.getReceiptSlots;
    readonly getReceiptDeltas: typeof q.getReceiptDeltas;
    readonly getDebts: typeof q.getDebts;
    readonly getSolveStatus: typeof q.getSolveStatus;
  };
};

/**
 * The REST routes: `/market/<name>` where `<name>` is the message's or the query's (snake_case, as
 * on the CLI); path parameters are the request's fields in snake_case. Each route's former
 * camelCase spelling stays as an alias (it answers in the former camelCase JSON); routes added after
 * the rename have none.
 */
export const marketRoutes: readonly RouteDescription[] = (
  [
    [
      'POST',
      '/market/add_meter_from_list',
      'market/add_meter_from_list',
      'Admin: add a meter (meter_id, account)',
      '/market/addMeterFromList',
    ],
    [
      'POST',
      '/market/remove_meter_from_list',
      'market/remove_meter_from_list',
      'Admin: remove a meter, keeping its history',
      '/market/removeMeterFromList',
    ],
    [
      'POST',
      '/market/set_market_parameters',
      'market/set_market_parameters',
      'Admin: prices and beta of a period',
      '/market/setMarketParameters',
    ],
    [
      'POST',
      '/market/set_energy_measure',
      'market/set_energy_measure',
      "A meter's account: one slot's consumption or production, Wh",
      '/market/setEnergyMeasure',
    ],
    [
      'POST',
      '/market/set_energy_measures',
      'market/set_energy_measures',
      "A meter's account: consumption and production of up to 96 consecutive slots, Wh",
      undefined,
    ],
    [
      'POST',
      '/market/solve_markets',
      'market/solve_markets',
      'Anyone: settle an ended period (runs over the next blocks)',
      '/market/solveMarkets',
    ],
    [
      'POST',
      '/market/transfer_admin',
      'market/transfer_admin',
      'Admin: propose a new admin',
      '/market/transferAdmin',
    ],
    [
      'POST',
      '/market/accept_admin',
      'market/accept_admin',
      'The proposed admin: take the role',
      '/market/acceptAdmin',
    ],
    [
      'POST',
      '/market/repay_debts',
      'market/repay_debts',
      "Anyone: repay an account's debts from its balance",
      '/market/repayDebts',
    ],
    [
      'GET',
      '/market/get_meters_list',
      'get_meters_list',
      'Meter ids (authenticated; the admin also sees accounts), by page',
      '/market/getMetersList',
    ],
    [
      'GET',
      '/market/get_market_parameters/:ts',
      'get_market_parameters',
      'The period holding a time',
      '/market/getMarketParameters/:ts',
    ],
    [
      'GET',
      '/market/get_energy_measure/:meter_id/:ts_start/:signal',
      'get_energy_measure',
      "A measure (authenticated: the meter's account or the admin)",
      '/market/getEnergyMeasure/:meterId/:tsStart/:signal',
    ],
    [
      'GET',
      '/market/get_meter_measures/:meter_id/:ts_start/:count',
      'get_meter_measures',
      "A meter's measures of up to 1 024 slots (authenticated: the meter's account or the admin)",
      '/market/getMeterMeasures/:meterId/:tsStart/:count',
    ],
    [
      'GET',
      '/market/get_total_energy/:ts_start/:count',
      'get_total_energy',
      'Per-slot Ec, Ep and reporting meters',
      '/market/getTotalEnergy/:tsStart/:count',
    ],
    [
      'GET',
      '/market/get_receipt/:ts_start',
      'get_receipt',
      "A solved period's receipt",
      '/market/getReceipt/:tsStart',
    ],
    [
      'GET',
      '/market/get_receipt_slots/:ts_start/:count',
      'get_receipt_slots',
      'Per-slot Ec, Ep, E, pb, ps, grid flow',
      '/market/getReceiptSlots/:tsStart/:count',
    ],
    [
      'GET',
      '/market/get_receipt_deltas/:ts_start',
      'get_receipt_deltas',
      'Per-account deltas of a solved period, by page',
      '/market/getReceiptDeltas/:tsStart',
    ],
    [
      'GET',
      '/market/get_solve_status/:ts_start',
      'get_solve_status',
      "A period's state, and why its solve failed (FAILED)",
      '/market/getSolveStatus/:tsStart',
    ],
    ['GET', '/market/get_debts/:debtor', 'get_debts', 'What an account owes', '/market/getDebts/:debtor'],
  ] as const
).flatMap(([method, path, target, description, former]) => [
  { method, path, target, description },
  ...(former === undefined ? [] : [{ method, path: former, target, description, alias: true }]),
]);

/**
 * The `market` module: the allowed-meter list, market parameters per period, measures with
 * per-slot totals, on-chain LEM/LPM settlement spread over end-block hooks, debts, receipts.
 */
export function market(options: MarketOptions, deps: MarketDependencies): MarketModule {
  const fixedPrefix = options.addressPrefix;
  const prefixOf = (ctx: { readonly addressPrefix: string }): string => fixedPrefix ?? ctx.addressPrefix;
  let payments: Payments | undefined;
  const paymentsFor = async (ctx: BlockContext | TxContext): Promise<Payments> => {
    payments ??= new Payments(deps.bank, (await loadConfig(ctx.state)).denom, prefixOf(ctx));
    return payments;
  };
  const meters = meterMessages(fixedPrefix);
  const setEnergyMeasure = setEnergyMeasureMessage();
  const setEnergyMeasures = setEnergyMeasuresMessage();
  const repayDebts = defineMessage<{ debtor: Uint8Array }>({
    type: 'market/repay_debts',
    codec: struct<{ debtor: Uint8Array }>('RepayDebts', { debtor: address }),
    async handle(ctx, m) {
      const repaid = await (await paymentsFor(ctx)).repay(ctx.state, (e) => ctx.emit(e), m.debtor, 8);
      // A repayment that moves nothing is refused (in checkTx too): no free transactions.
      if (repaid === 0)
        throw new MarketError('MARKET_NOTHING_TO_REPAY', 'the account has no debt it can repay now');
    },
  });
  const msg = {
    addMeterFromList: meters.addMeter,
    removeMeterFromList: meters.removeMeter,
    setMarketParameters,
    setEnergyMeasure,
    setEnergyMeasures,
    solveMarkets,
    transferAdmin: meters.transferAdmin,
    acceptAdmin: meters.acceptAdmin,
    repayDebts,
  };
  const query = {
    getMetersList: q.getMetersList,
    getMarketParameters: q.getMarketParameters,
    getEnergyMeasure: q.getEnergyMeasure,
    getMeterMeasures: q.getMeterMeasures,
    getTotalEnergy: q.getTotalEnergy,
    getReceipt: q.getReceipt,
    getReceiptSlots: q.getReceiptSlots,
    getReceiptDeltas: q.getReceiptDeltas,
    getDebts: q.getDebts,
    getSolveStatus: q.getSolveStatus,
  };
  return {
    name: 'market',
    msg,
    query,
    messages: Object.values(msg) as MessageType<unknown>[],
    queries: Object.values(query) as QueryType<unknown, unknown>[],
    routes: marketRoutes,
    genesis: {
      default: () => parseMarketGenesis({}, fixedPrefix ?? 'joule'),
      parse: (json, env) => parseMarketGenesis(json, fixedPrefix ?? env?.addressPrefix ?? 'joule'),
      init: (ctx, g) => initMarketGenesis(ctx, g),
      export: (ctx) => exportMarketGenesis(ctx, prefixOf(ctx)),
    },
    async beginBlock(ctx) {
      await recordSolveAttempt(ctx);
    },
    async endBlock(ctx) {
      const pay = await paymentsFor(ctx);
      const solving = await solvingPeriod(ctx.state);
      if (solving !== undefined) await solveStep(ctx, pay, prefixOf(ctx), solving);
      if (ctx.budget.remaining >= sweepCost) await pay.sweep(ctx.state, (e) => ctx.emit(e), ctx.block.height);
    },
  };
}
