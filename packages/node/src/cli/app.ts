import { type AccountKeeper, coreModules, type Module } from '@joule/state';
import type { AppStateBuilder } from '../home/init.js';
import { coreAppState } from '../home/init.js';
import type { CliExtension } from './extension.js';

/**
 * What the CLI runs: an appchain's modules and conventions. The `joule` bin runs auth, bank, poa and
 * the market (`jouleCliApp`); an appchain ships its own bin that calls `runCli(argv, itsApp)`.
 */
export interface CliApp {
  /** Name of the bin in help texts. */
  readonly name: string;
  readonly addressPrefix: string;
  /** Denomination of genesis balances written by init and testnet. */
  readonly denom: string;
  /** Builds fresh modules (a node owns its module objects). */
  build(): { readonly modules: readonly Module[]; readonly accounts: AccountKeeper };
  readonly appState?: AppStateBuilder;
  /** Modules' additions to the CLI: `tx` builders with flags, top-level commands. */
  readonly extensions?: readonly CliExtension[];
  readonly version?: string;
}

/** The core modules only (auth, bank, poa). */
export const coreCliApp: CliApp = {
  name: 'joule',
  addressPrefix: 'joule',
  denom: 'ujoule',
  build() {
    const core = coreModules({ addressPrefix: 'joule' });
    return { modules: core.modules, accounts: core.accounts };
  },
  appState: coreAppState,
};

/** A built-in command: resolves with the exit code; throws `UsageError` for a bad command line. */
export type Command = (args: string[], app: CliApp, io: import('./common.js').CliIo) => Promise<number>;
