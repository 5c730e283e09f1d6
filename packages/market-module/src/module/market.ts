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
import { type SetEnergyMeasure, setEnergyMeasureMessage } from './measures.js';
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

/** The REST routes, with the paper's names, that @joule/node mounts (POST: messages, GET: queries). */
export const marketRoutes: readonly RouteDescription[] = [
  {
    method: 'POST',
    path: '/market/addMeterFromList',
    target: 'market/add_meter_from_list',
    description: 'Admin: add a meter (meterId, account)',
  },
  {
    method: 'POST',
    path: '/market/removeMeterFromList',
    target: 'market/remove_meter_from_list',
    description: 'Admin: remove a meter, keeping its history',
  },
  {
    method: 'POST',
    path: '/market/setMarketParameters',
    target: 'market/set_market_parameters',
    description: 'Admin: prices and beta of a period',
  },
  {
    method: 'POST',
    path: '/market/setEnergyMeasure',
    target: 'market/set_energy_measure',
    description: "A meter's account: one slot's consumption or production, Wh",
  },
  {
    method: 'POST',
    path: '/market/solveMarkets',
    target: 'market/solve_markets',
    description: 'Anyone: settle an ended period (runs over the next blocks)',
  },
  {
    method: 'POST',
    path: '/market/transferAdmin',
    target: 'market/transfer_admin',
    description: 'Admin: propose a new admin',
  },
  {
    method: 'POST',
    path: '/market/acceptAdmin',
    target: 'market/accept_admin',
    description: 'The proposed admin: take the role',
  },
  {
    method: 'POST',
    path: '/market/repayDebts',
    target: 'market/repay_debts',
    description: "Anyone: repay an account's debts from its balance",
  },
  {
    method: 'GET',
    path: '/market/getMetersList',
    target: 'getMetersList',
    description: 'Meter ids (authenticated; the admin also sees accounts), by page',
  },
  {
    method: 'GET',
    path: '/market/getMarketParameters/:ts',
    target: 'getMarketParameters',
    description: 'The period holding a time',
  },
  {
    method: 'GET',
    path: '/market/getEnergyMeasure/:meterId/:tsStart/:signal',
    target: 'getEnergyMeasure',
    description: "A measure (authenticated: the meter's account or the admin)",
  },
  {
    method: 'GET',
    path: '/market/getMeterMeasures/:meterId/:tsStart/:count',
    target: 'getMeterMeasures',
    description: "A meter's measures of up to 1 024 slots (authenticated: the meter's account or the admin)",
  },
  {
    method: 'GET',
    path: '/market/getTotalEnergy/:tsStart/:count',
    target: 'getTotalEnergy',
    description: 'Per-slot Ec, Ep and reporting meters',
  },
  {
    method: 'GET',
    path: '/market/getReceipt/:tsStart',
    target: 'getReceipt',
    description: "A solved period's receipt",
  },
  {
    method: 'GET',
    path: '/market/getReceiptSlots/:tsStart/:count',
    target: 'getReceiptSlots',
    description: 'Per-slot Ec, Ep, E, pb, ps, grid flow',
  },
  {
    method: 'GET',
    path: '/market/getReceiptDeltas/:tsStart',
    target: 'getReceiptDeltas',
    description: 'Per-account deltas of a solved period, by page',
  },
  {
    method: 'GET',
    path: '/market/getSolveStatus/:tsStart',
    target: 'getSolveStatus',
    description: "A period's state, and why its solve failed (FAILED)",
  },
  {
    method: 'GET',
    path: '/market/getDebts/:debtor',
    target: 'getDebts',
    description: 'What an account owes',
  },
];

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
