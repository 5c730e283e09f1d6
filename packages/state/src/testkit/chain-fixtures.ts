import {
  type Block,
  blockId,
  type Commit,
  type DuplicateVoteEvidence,
  generateKeyPair,
  type KeyPair,
  makeValidator,
  makeValidatorSet,
  type ValidatorSet,
  validatorSetHash,
} from '@joule/consensus';
import { makeBlock } from '@joule/consensus/internal';
import type { ChainState } from '../chain/chain-types.js';

/** Deterministic test keys: key `i` is generated from a seed filled with `i + 1`. */
export function testKey(i: number): KeyPair {
  return generateKeyPair(new Uint8Array(32).fill((i % 255) + 1));
}

/** A validator set of `n` test keys with power 10 each. */
export function testValidatorSet(n: number): ValidatorSet {
  return makeValidatorSet(Array.from({ length: n }, (_, i) => makeValidator(testKey(i).publicKey, 10n)));
}

/** Genesis time of test chains, Unix ms. */
export const testGenesisTimeMs = 1_764_000_000_000;
/** Block interval of test chains, ms. */
export const testBlockIntervalMs = 1_000;

/**
 * The block at `height` following `previous` (a structurally valid block whose commit carries no
 * signatures: stores and applications do not verify commits, consensus does).
 */
export function testBlock(
  chainId: string,
  height: number,
  previous: Block | null,
  txs: readonly Uint8Array[],
  appHash: Uint8Array,
  validators: ValidatorSet,
  evidence: readonly DuplicateVoteEvidence[] = [],
): Block {
  const setHash = validatorSetHash(validators);
  const last = previous === null ? null : blockId(previous);
  return makeBlock(
    {
      chainId,
      height,
      time: testGenesisTimeMs + height * testBlockIntervalMs,
      lastBlockId: last,
      validatorsHash: setHash,
      nextValidatorsHash: setHash,
      appHash,
      lastResultsHash: new Uint8Array(32),
      proposerAddress: validators.validators[0]?.address ?? new Uint8Array(20),
    },
    txs,
    evidence,
    last === null ? null : { height: height - 1, round: 0, blockId: last, signatures: [] },
  );
}

/** A commit for `block` with no signatures. */
export function testCommit(block: Block): Commit {
  return { height: block.header.height, round: 0, blockId: blockId(block), signatures: [] };
}

/** The chain state after `block` (validators unchanged). */
export function testChainState(chainId: string, block: Block | null, validators: ValidatorSet): ChainState {
  return {
    chainId,
    initialHeight: 1,
    lastBlockHeight: block?.header.height ?? 0,
    lastBlockId: block === null ? null : blockId(block),
    lastBlockTime: block?.header.time ?? testGenesisTimeMs,
    validators,
    nextValidators: validators,
    lastValidators: block === null ? null : validators,
    consensusParams: {
      maxBlockBytes: 2 * 1024 * 1024,
      maxBlockGas: -1,
      evidenceMaxAgeBlocks: 100_000,
      evidenceMaxAgeMs: 48 * 3600 * 1000,
    },
    appHash: new Uint8Array(32),
    lastResultsHash: new Uint8Array(32),
    appVersion: 'test',
  };
}
