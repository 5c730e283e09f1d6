import { type AppStateBuilder, type CliApp, coreAppState } from '@joule/node';
import { type AccountKeeper, type CoreModules, coreModules, type Module } from '@joule/state';
import { tariffs } from './tariffs.js';

/** Addresses of the tariffs chain: `tariff1…`. */
export const addressPrefix = 'tariff';
/** Its denomination: prices and fees are in `utariff`. */
export const denom = 'utariff';

/** Auth, bank, poa (fresh objects: a node owns its core modules) and tariffs, for the chain's prefix. */
export function tariffsModules(): { core: CoreModules; modules: Module[]; accounts: AccountKeeper } {
  const core = coreModules({ addressPrefix });
  return { core, modules: [...core.modules, tariffs], accounts: core.accounts };
}

/**
 * The genesis `init` and `testnet` write: the core sections and a `tariffs` section whose authority
 * is `--authority tariffs=ADDRESS`, or else the first funded account (init's operator, testnet's
 * node0).
 */
export const tariffsAppState: AppStateBuilder = (accounts, genesisDenom, authorities = {}) => ({
  ...coreAppState(accounts, genesisDenom, authorities),
  tariffs: { authority: authorities.tariffs ?? accounts[0]?.address ?? null, tariffs: [] },
});

/** The `tariffs` bin: @joule/node's CLI over the tariffs chain. */
export const tariffsApp: CliApp = {
  name: 'tariffs',
  addressPrefix,
  denom,
  build: () => {
    const { modules, accounts } = tariffsModules();
    return { modules, accounts };
  },
  appState: tariffsAppState,
};
