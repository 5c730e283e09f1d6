import { describe, expect, it } from 'vitest';
import type { Block } from '../block/block.js';
import { genesisTime, testGenesis, testKeys } from '../testkit/cluster.js';
import { genesisValidatorSets } from '../validators/updates.js';
import { makeNextBlock } from './block-check.js';
import { CatchUpBudget } from './catch-up-budget.js';
import { blockBytesEstimate, HeightBlocks } from './height-blocks.js';
import { InputShares } from './input-shares.js';
import type { ProposalMessage } from './messages.js';

const genesis = testGenesis(testKeys(4));
const sets = genesisValidatorSets(genesis.validators);

/** A block of about `kib` KiB, distinct per `tag`. */
function blockOf(tag: string, kib: number): Block {
  const tx = new TextEncoder().encode(`${tag}:${'x'.repeat(kib * 1024)}`);
  const state = { ...sets, chainId: genesis.chainId } as never;
  return makeNextBlock(
    state,
    sets.validators.validators[0]?.address as Uint8Array,
    [tx],
    [],
    null,
    genesisTime,
  );
}

/** A proposal message carrying `block` (the proposal's fields are not read by `HeightBlocks`). */
const messageOf = (block: Block): ProposalMessage => ({ kind: 'proposal', proposal: {} as never, block });

describe('HeightBlocks', () => {
  it('keeps at most maxRounds earlier rounds, oldest dropped first, protected values and later rounds kept', () => {
    const blocks = new HeightBlocks({ maxRounds: 3, maxBytes: 1 << 30 });
    for (let r = 0; r < 6; r++) blocks.keepProposal(r, messageOf(blockOf(`b${r}`, 1)), `v${r}`);
    // Round 5 is current; v1 is the lock.
    const dropped = blocks.prune(5, new Set(['v1', 'v5']));
    expect(dropped, 'the oldest unprotected earlier rounds go').toEqual([0, 2, 3]);
    expect(blocks.footprint().rounds, 'rounds left').toBe(3);
    expect(blocks.block('v1'), 'the locked block stays').toBeDefined();
    expect(blocks.block('v0'), "a dropped round's block goes").toBeUndefined();
    expect(blocks.proposal(4), 'the previous round stays when within the limit').toBeDefined();
  });

  it('keeps at most maxBytes of blocks; a block shared by two rounds is counted once and kept while one holds it', () => {
    const size = blockBytesEstimate(blockOf('aa', 100));
    const blocks = new HeightBlocks({ maxRounds: 100, maxBytes: 3 * size });
    const shared = blockOf('sh', 100);
    blocks.keepProposal(0, messageOf(shared), 'shared');
    blocks.keepProposal(1, messageOf(blockOf('b1', 100)), 'b1');
    blocks.keepProposal(2, messageOf(shared), 'shared');
    expect(blocks.footprint(), 'two distinct blocks').toEqual({ blocks: 2, bytes: 2 * size, rounds: 3 });
    blocks.keepProposal(3, messageOf(blockOf('b3', 100)), 'b3');
    blocks.keepProposal(4, messageOf(blockOf('b4', 100)), 'b4');
    expect(blocks.prune(4, new Set()), 'rounds dropped until within the bytes').toEqual([0, 1]);
    expect(blocks.block('shared'), 'still held by round 2').toBeDefined();
    expect(blocks.footprint().bytes, 'within the bytes').toBeLessThanOrEqual(3 * size);
  });

  it('never keeps an invalid block, only its verdict', () => {
    const blocks = new HeightBlocks();
    blocks.keepBlock('v', blockOf('v', 10));
    blocks.setVerdict('v', false);
    expect(blocks.block('v'), 'dropped on an invalid verdict').toBeUndefined();
    expect(blocks.verdict('v'), 'the verdict stays').toBe(false);
    expect(blocks.footprint(), 'nothing held').toEqual({ blocks: 0, bytes: 0, rounds: 0 });
  });
});

describe('CatchUpBudget', () => {
  it('answers a burst, then the rate, per peer', () => {
    let now = 0;
    const budget = new CatchUpBudget({ answersPerSecond: 2, burstAnswers: 3 }, { now: () => now });
    const taken = (peer: string, n: number) =>
      Array.from({ length: n }, () => budget.take(peer)).filter(Boolean).length;
    expect(taken('a', 10), 'the burst').toBe(3);
    expect(taken('b', 10), 'another peer has its own burst').toBe(3);
    now += 1_000;
    expect(taken('a', 10), 'one second refills the rate').toBe(2);
  });
});

describe('InputShares', () => {
  it('bounds the queue and each peer to its share; a released input frees room', () => {
    const shares = new InputShares({ maxPendingInputs: 5, maxPendingInputsPerPeer: 2 });
    expect(
      [1, 2, 3].map(() => shares.admit('a')),
      'peer a: its share of 2',
    ).toEqual([true, true, false]);
    expect(
      [1, 2].map(() => shares.admit('b')),
      'peer b: its own share',
    ).toEqual([true, true]);
    expect(shares.admit('c'), 'c fits: 5 in all').toBe(true);
    expect(shares.admit('d'), 'the queue is full').toBe(false);
    shares.release('a');
    expect(shares.admit('d'), 'room again after a release').toBe(true);
  });
});
