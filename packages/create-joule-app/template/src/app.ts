import { type AppStateBuilder, type CliApp, coreAppState } from '@joule/node';
import { coreModules } from '@joule/state';
import { chain } from './chain.js';
import { appModule } from './module.js';

/** The core modules (auth, bank, poa) and this app's module, for addresses of the chain's prefix. */
export function appModules() {
  const core = coreModules({ addressPrefix: chain.addressPrefix });
  return { core, modules: [...core.modules, appModule], accounts: core.accounts };
}

/**
 * The genesis `app_state` that `init` and `testnet` write: the core sections (funded accounts, the
 * bank and poa authorities) and this module's section. A module left out would get its
 * `genesis.default()`; a section of a module the app does not have is refused at start.
 */
export const appState: AppStateBuilder = (accounts, denom, authorities) => ({
  ...coreAppState(accounts, denom, authorities),
  [chain.moduleName]: { readings: [] },
});

/** What the CLI runs: every command of @joule/node's CLI over this app's modules and genesis. */
export const app: CliApp = {
  name: chain.name,
  addressPrefix: chain.addressPrefix,
  denom: chain.denom,
  build: () => {
    const { modules, accounts } = appModules();
    return { modules, accounts };
  },
  appState,
};
