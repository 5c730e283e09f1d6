import { type Block, blockProblem, encodeBlock, makeBlock } from '../block/block.js';
import { blockIdEquals } from '../block/block-id.js';
import type { Commit } from '../block/commit.js';
import { verifyCommit } from '../block/commit.js';
import { medianTime } from '../chain/block-time.js';
import type { ChainState } from '../chain/chain-state.js';
import { equalBytes } from '../codec/canonical.js';
import { JouleError } from '../errors.js';
import { indexOfValidator, validatorSetHash } from '../validators/validator-set.js';
import type { DuplicateVoteEvidence } from '../vote/evidence.js';

/** A proposed or received block does not fit the chain. */
export class InvalidBlockError extends JouleError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('INVALID_BLOCK', message, context);
  }
}

/** The time the block after `state` must carry (the genesis time for the first block). */
export function expectedBlockTime(state: ChainState, block: Pick<Block, 'lastCommit'>): number {
  if (state.lastValidators === null || block.lastCommit === null) return state.lastBlockTime;
  return medianTime(block.lastCommit, state.lastValidators);
}

/**
 * Checks everything about the next block that follows from the chain state (CometBFT's
 * validateBlock): header fields, the last commit's signatures, the time rule, the size. What the
 * application thinks of the transactions is asked separately (processProposal).
 */
export function checkBlock(state: ChainState, block: Block): void {
  const h = block.header;
  const height = state.lastBlockHeight + 1;
  const fail = (message: string): never => {
    throw new InvalidBlockError(message, { height: h.height });
  };
  const problem = blockProblem(block);
  if (problem !== undefined) fail(problem);
  if (h.chainId !== state.chainId) fail(`chain id ${h.chainId}, expected ${state.chainId}`);
  if (h.height !== height) fail(`height ${h.height}, expected ${height}`);
  if (!blockIdEquals(h.lastBlockId, state.lastBlockId)) fail('last block id does not match');
  if (!equalBytes(h.validatorsHash, validatorSetHash(state.validators)))
    fail('validators hash does not match');
  if (!equalBytes(h.nextValidatorsHash, validatorSetHash(state.nextValidators)))
    fail('next validators hash does not match');
  if (!equalBytes(h.appHash, state.appHash)) fail('app hash does not match');
  if (!equalBytes(h.lastResultsHash, state.lastResultsHash)) fail('last results hash does not match');
  // Only membership: a block re-proposed in a later round (the paper's validValue) keeps the
  // address of the proposer that built it, as in CometBFT.
  if (indexOfValidator(state.validators, h.proposerAddress) < 0) fail('proposer address is not a validator');
  if (height === state.initialHeight && block.lastCommit !== null) fail('the first block has no last commit');
  if (height > state.initialHeight) {
    if (block.lastCommit === null || state.lastBlockId === null || state.lastValidators === null)
      fail('missing last commit');
    else {
      try {
        verifyCommit(state.chainId, state.lastValidators, state.lastBlockId, height - 1, block.lastCommit);
      } catch (error) {
        fail(`last commit: ${(error as Error).message}`);
      }
    }
    if (h.time <= state.lastBlockTime) fail('block time does not increase');
  }
  if (h.time !== expectedBlockTime(state, block))
    fail('block time is not the weighted median of the last commit');
  const size = encodeBlock(block).length;
  if (size > state.consensusParams.maxBlockBytes)
    fail(`block of ${size} bytes exceeds ${state.consensusParams.maxBlockBytes}`);
}

/** The next block a proposer builds on `state`. */
export function makeNextBlock(
  state: ChainState,
  proposerAddress: Uint8Array,
  txs: readonly Uint8Array[],
  evidence: readonly DuplicateVoteEvidence[],
  lastCommit: Commit | null,
  time: number,
): Block {
  return makeBlock(
    {
      chainId: state.chainId,
      height: state.lastBlockHeight + 1,
      time,
      lastBlockId: state.lastBlockId,
      validatorsHash: validatorSetHash(state.validators),
      nextValidatorsHash: validatorSetHash(state.nextValidators),
      appHash: state.appHash,
      lastResultsHash: state.lastResultsHash,
      proposerAddress,
    },
    txs,
    evidence,
    lastCommit,
  );
}
