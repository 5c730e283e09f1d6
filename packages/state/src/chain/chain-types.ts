import {
  type Block,
  type BlockId,
  blockIdCodec,
  type Codec,
  type Commit,
  chainId,
  hash,
  height,
  int,
  nullable,
  string,
  struct,
  timeMs,
  type ValidatorSet,
  validatorSetCodec,
} from '@joule/consensus';

/*
 * Mirrors of `ChainStore`, `ChainState`, `ConsensusParams` and `chainStateCodec` from
 * @joule/consensus `src/chain/`, which its public index does not export yet. They are the same
 * shapes field for field (TypeScript compares structurally, so a `LevelChainStore` is accepted where
 * consensus wants its `ChainStore`); once the index exports them, this file becomes re-exports.
 */

export interface ConsensusParams {
  readonly maxBlockBytes: number;
  readonly maxBlockGas: number;
  readonly evidenceMaxAgeBlocks: number;
  readonly evidenceMaxAgeMs: number;
}

export const consensusParamsCodec: Codec<ConsensusParams> = struct<ConsensusParams>('ConsensusParams', {
  maxBlockBytes: int(1024, 64 * 1024 * 1024),
  maxBlockGas: int(-1),
  evidenceMaxAgeBlocks: int(1),
  evidenceMaxAgeMs: int(1),
});

export interface ChainState {
  readonly chainId: string;
  readonly initialHeight: number;
  readonly lastBlockHeight: number;
  readonly lastBlockId: BlockId | null;
  readonly lastBlockTime: number;
  readonly validators: ValidatorSet;
  readonly nextValidators: ValidatorSet;
  readonly lastValidators: ValidatorSet | null;
  readonly consensusParams: ConsensusParams;
  readonly appHash: Uint8Array;
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

export interface ChainStore {
  height(): number;
  base(): number;
  loadState(): Promise<ChainState | null>;
  loadBlock(height: number): Promise<Block | null>;
  loadCommit(height: number): Promise<Commit | null>;
  loadValidators(height: number): Promise<ValidatorSet | null>;
  saveBlock(block: Block, commit: Commit, state: ChainState): Promise<void>;
  saveGenesisState(state: ChainState): Promise<void>;
  prune(retainHeight: number): Promise<number>;
}
