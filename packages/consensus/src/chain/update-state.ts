import type { ExecTxResult, FinalizeBlockResponse, ValidatorUpdate } from '../app/application.js';
import type { Block } from '../block/block.js';
import type { BlockId } from '../block/block-id.js';
import { encode } from '../codec/canonical.js';
import { isUint32, uintBytes, writeUint } from '../codec/msgpack-uint.js';
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

export const hashedResultCodec = struct<Pick<ExecTxResult, 'code' | 'data' | 'gasWanted' | 'gasUsed'>>(
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
  return merkleRoot(results.map(hashedResultBytes));
}

/**
 * `encode(hashedResultCodec, …)` of a result's hashed part. The usual result — code, gas within 32
 * bits and at most 255 bytes of data — is written directly as its canonical msgpack (an array of
 * four: three unsigned integers in their shortest form and a bin 8), which is what the codec gives
 * at a fraction of its cost; anything else, invalid values included, goes through the codec.
 */
export function hashedResultBytes(r: ExecTxResult): Uint8Array {
  const { code, data, gasWanted, gasUsed } = r;
  if (
    !(
      isUint32(code) &&
      isUint32(gasWanted) &&
      isUint32(gasUsed) &&
      data instanceof Uint8Array &&
      data.length <= 0xff
    )
  )
    return encode(hashedResultCodec, { code, data, gasWanted, gasUsed });
  const out = new Uint8Array(
    1 + uintBytes(code) + 2 + data.length + uintBytes(gasWanted) + uintBytes(gasUsed),
  );
  out[0] = 0x94;
  let at = writeUint(out, 1, code);
  out[at++] = 0xc4;
  out[at++] = data.length;
  out.set(data, at);
  at = writeUint(out, at + data.length, gasWanted);
  writeUint(out, at, gasUsed);
  return out;
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
