import { type Codec, int, struct } from '@joule/consensus';
import {
  defaultHookWorkBudget,
  defaultMaxBlockGas,
  defaultMaxTxGas,
  maxBlockWrites as maxBlockWritesCap,
} from '../constants.js';

/**
 * The limits that decide transaction results, so every node of a chain must use the same: they come
 * from genesis (`app_state.app`), are kept in the application record, and are exported with the
 * state. A node's own options never change them.
 */
export interface AppLimits {
  /** Most gas one transaction may use. */
  readonly maxTxGas: number;
  /** Most gas of all transactions of a block (keep `consensus_params.max_block_gas` equal). */
  readonly maxBlockGas: number;
  /** Work units each module's begin- or end-block hook may spend per block. */
  readonly hookWorkBudget: number;
  /** Most distinct keys one block may write (at most `maxBlockWrites` of constants.ts). */
  readonly maxBlockWrites: number;
}

/** The genesis `app_state` section of the framework itself; no module may take this name. */
export const appSectionName = 'app';

export const defaultAppLimits: AppLimits = {
  maxTxGas: defaultMaxTxGas,
  maxBlockGas: defaultMaxBlockGas,
  hookWorkBudget: defaultHookWorkBudget,
  maxBlockWrites: maxBlockWritesCap,
};

export const appLimitsCodec: Codec<AppLimits> = struct<AppLimits>('AppLimits', {
  maxTxGas: int(1),
  maxBlockGas: int(1),
  hookWorkBudget: int(1),
  maxBlockWrites: int(1, maxBlockWritesCap),
});

/** The largest value of each limit in genesis. */
export const appLimitBounds: Readonly<Record<keyof AppLimits, number>> = {
  maxTxGas: Number.MAX_SAFE_INTEGER,
  maxBlockGas: Number.MAX_SAFE_INTEGER,
  hookWorkBudget: Number.MAX_SAFE_INTEGER,
  maxBlockWrites: maxBlockWritesCap,
};
