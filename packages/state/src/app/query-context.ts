import { maxQueryGas } from '../constants.js';
import { GasMeter } from './gas.js';
import type { Module, QueryContext } from './module.js';
import { registerModules } from './registry.js';
import { MeteredState, ModuleState } from './state.js';
import { StateLayer, type StateReader } from './state-layer.js';

/**
 * The context a query of module `module` gets over `reader` (read-only, metered by `maxQueryGas`),
 * outside an `App`: for running a module's query handler again on proven state (a light client's
 * replay). `modules` are the application's, whose store keys the module's keepers use.
 */
export function queryContextOver(
  reader: StateReader,
  env: {
    readonly module: string;
    readonly modules: readonly Module[];
    readonly chainId: string;
    readonly height: number;
    readonly lastBlockTime: number;
    readonly addressPrefix: string;
  },
): QueryContext {
  return {
    chainId: env.chainId,
    height: env.height,
    lastBlockTime: env.lastBlockTime,
    addressPrefix: env.addressPrefix,
    state: new ModuleState(
      new MeteredState(new StateLayer(reader), new GasMeter(maxQueryGas), true),
      env.module,
      registerModules(env.modules).storeKeys,
    ),
  };
}
