import { defaultGraceSlots, defaultMaxMeasureWh, market } from '@joule/market';
import { coreModules } from '@joule/state';
import type { CliApp } from '../cli/app.js';
import { type AppStateBuilder, coreAppState } from '../home/init.js';
import { marketCliExtension } from './cli.js';

/**
 * Genesis of a market chain: the core sections, and the market's default section with
 * `authorities.market`, or else the first funded account (the operator of `init`, node0 of
 * `testnet`), as admin, settling in the chain's denomination.
 */
export const marketAppState: AppStateBuilder = (accounts, denom, authorities = {}) => ({
  ...coreAppState(accounts, denom, authorities),
  market: {
    admin: authorities.market ?? accounts[0]?.address ?? null,
    denom,
    maxMeasureWh: defaultMaxMeasureWh,
    graceSlots: defaultGraceSlots,
    pseudonymous: false,
    meters: [],
    periods: [],
    measures: [],
    receipts: [],
    progress: [],
    debts: [],
  },
});

/** Auth, bank, poa and market over `prefix` (the LIC appchain's modules). */
export function marketModules(prefix: string) {
  const core = coreModules({ addressPrefix: prefix });
  const m = market({ addressPrefix: prefix }, { bank: core.bank.keeper });
  return { core, market: m, modules: [...core.modules, m], accounts: core.accounts };
}

/** The `joule` bin: auth, bank, poa and the energy market, in `ujoule` (1 joule = 1 ECT). */
export const jouleCliApp: CliApp = {
  name: 'joule',
  addressPrefix: 'joule',
  denom: 'ujoule',
  build() {
    const built = marketModules('joule');
    return { modules: built.modules, accounts: built.accounts };
  },
  appState: marketAppState,
  extensions: [marketCliExtension(marketModules('joule').market)],
};
