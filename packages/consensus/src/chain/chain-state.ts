import { type BlockId, blockIdCodec } from '../block/block-id.js';
import { chainId, hash, height, timeMs } from '../codec/fields.js';
import { type Codec, int, nullable, string, struct } from '../codec/schema.js';
import { type ValidatorSet, validatorSetCodec } from '../validators/validator-set.js';

/**
 * Consensus parameters, agreed at genesis. Sizes in bytes, times in milliseconds.
 */
export interface ConsensusParams {
  /** Largest block (all transactions and evidence), bytes. */
  readonly maxBlockBytes: number;
  /** Most work units (gas) of the transactions in one block; -1 for no limit. */
  readonly maxBlockGas: number;
  /** Evidence older than this many blocks is refused. */
  readonly evidenceMaxAgeBlocks: number;
  /** Evidence older than this is refused, ms. */
  readonly evidenceMaxAgeMs: number;
}

export const consensusParamsCodec: Codec<ConsensusParams> = struct<ConsensusParams>('ConsensusParams', {
  maxBlockBytes: int(1024, 64 * 1024 * 1024),
  maxBlockGas: int(-1),
  evidenceMaxAgeBlocks: int(1),
  evidenceMaxAgeMs: int(1),
});

/**
 * What consensus needs to know after the last committed block (CometBFT's `State`): enough to
 * validate and build the next block. Saved in the same atomic batch as the block it follows.
 */
export interface ChainState {
  readonly chainId: string;
  readonly initialHeight: number;
  /** 0 before the first block. */
  readonly lastBlockHeight: number;
  readonly lastBlockId: BlockId | null;
  /** Unix ms; the genesis time before the first block. */
  readonly lastBlockTime: number;
  /** Validators of `lastBlockHeight + 1` (the next block). */
  readonly validators: ValidatorSet;
  /** Validators of `lastBlockHeight + 2`. */
  readonly nextValidators: ValidatorSet;
  /** Validators of `lastBlockHeight` (they signed the last commit); `null` before the first block. */
  readonly lastValidators: ValidatorSet | null;
  readonly consensusParams: ConsensusParams;
  /** App hash after the last block (goes into the next header). */
  readonly appHash: Uint8Array;
  /** RFC 6962 root of the last block's tx results (goes into the next header). */
  readonly lastResultsHash: Uint8Array;
  readonly appVersion: string;
}

export const chainStateCodec: Codec<ChainState> = struct<ChainState>('ChainState', {
  chainId,
  initialHeight: height,
  lastBlockHeight: int(0),
  lastBlockId: nullable(blockIdCodec),
  lastBlockTime: timeMs,
  validators: validatorSetCodec,
  nextValidators: validatorSetCodec,
  lastValidators: nullable(validatorSetCodec),
  consensusParams: consensusParamsCodec,
  appHash: hash,
  lastResultsHash: hash,
  appVersion: string(64),
});
