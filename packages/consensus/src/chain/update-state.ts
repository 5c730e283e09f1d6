import type { ExecTxResult, FinalizeBlockResponse, ValidatorUpdate } from '../app/application.js';
import type { Block } from '../block/block.js';
import type { BlockId } from '../block/block-id.js';
import { encode } from '../codec/canonical.js';
import { bytes, int, struct } from '../codec/schema.js';
import { merkleRoot } from '../merkle/rfc6962.js';
import { genesisValidatorSets, nextValidatorSet } from '../validators/updates.js';
import type { ChainState, ConsensusParams } from './chain-state.js';

/** What every node must agree on for a genesis. */
export interface Genesis {
  readonly chainId: string;
  /** Unix ms; the first block's time. */
  readonly genesisTime: number;
  readonly initialHeight: number;
  readonly validators: readonly ValidatorUpdate[];
  readonly consensusParams: ConsensusParams;
  /** The application's genesis state, as bytes (JSON in a genesis file). */
  readonly appState: Uint8Array;
}

export const defaultConsensusParams: ConsensusParams = {
  maxBlockBytes: 1024 * 1024,
  maxBlockGas: -1,
  evidenceMaxAgeBlocks: 100_000,
  evidenceMaxAgeMs: 48 * 3600 * 1000,
};

/**
 * The chain state before the first block (CometBFT's MakeGenesisState). Sets are stored with the
 * priorities from before their height's increment, which is what `proposerForRound` expects.
 */
export function genesisState(
  genesis: Genesis,
  validators: readonly ValidatorUpdate[],
  appHash: Uint8Array,
): ChainState {
  const sets = genesisValidatorSets(validators);
  return {
    chainId: genesis.chainId,
    initialHeight: genesis.initialHeight,
    lastBlockHeight: genesis.initialHeight - 1,
    lastBlockId: null,
    lastBlockTime: genesis.genesisTime,
    validators: sets.validators,
    nextValidators: sets.nextValidators,
    lastValidators: null,
    consensusParams: genesis.consensusParams,
    appHash,
    lastResultsHash: resultsHash([]),
    appVersion: '',
  };
}

const hashedResultCodec = struct<Pick<ExecTxResult, 'code' | 'data' | 'gasWanted' | 'gasUsed'>>(
  'HashedResult',
  {
    code: int(0, 0xffff_ffff),
    data: bytes({ max: 1024 * 1024 }),
    gasWanted: int(0),
    gasUsed: int(0),
  },
);

/** RFC 6962 root over each result's deterministic part (code, data, gas), as CometBFT. */
export function resultsHash(results: readonly ExecTxResult[]): Uint8Array {
  return merkleRoot(
    results.map((r) =>
      encode(hashedResultCodec, { code: r.code, data: r.data, gasWanted: r.gasWanted, gasUsed: r.gasUsed }),
    ),
  );
}

/**
 * The state after `block` (CometBFT's updateState). Validator updates returned at height H change
 * the set of H+2: they are applied to `nextValidators`, which becomes `validators` one height later.
 */
export function nextChainState(
  state: ChainState,
  block: Block,
  blockId: BlockId,
  response: FinalizeBlockResponse,
): ChainState {
  return {
    ...state,
    lastBlockHeight: block.header.height,
    lastBlockId: blockId,
    lastBlockTime: block.header.time,
    lastValidators: state.validators,
    validators: state.nextValidators,
    nextValidators: nextValidatorSet(state.nextValidators, response.validatorUpdates),
    appHash: response.appHash,
    lastResultsHash: resultsHash(response.txResults),
  };
}
