import { describe, expect, it } from 'vitest';
import { blockId } from '../block/block.js';
import { toHex } from '../crypto/hash.js';
import { chainId, TestCluster, type TestNode } from '../testkit/cluster.js';
import { proposerForRound } from '../validators/proposer.js';
import type { DuplicateVoteEvidence } from '../vote/evidence.js';
import { signProposal } from '../vote/proposal.js';
import { signVote, VoteType } from '../vote/vote.js';
import { expectedBlockTime, makeNextBlock } from './block-check.js';
import { maxProposalRoundsAhead } from './limits.js';

/**
 * Committed evidence must not be committed again: a block that re-includes it is invalid. Block
 * validity must be the same on every correct node, so a node that restarted must judge it as the
 * others do (the evidence pool's doc: "after a restart the driver must replay `update` for the
 * blocks still inside the age window").
 */

/** v3 equivocates (two precommits in round 7 of the current height); runs until it is committed. */
async function commitEquivocation(cluster: TestCluster): Promise<DuplicateVoteEvidence> {
  expect(await cluster.runUntil(() => cluster.minHeight() >= 2, 30_000), 'two heights first').toBe(true);
  const byz = cluster.node('v3');
  const height = cluster.node('v0').driver?.height ?? 0;
  const index = cluster
    .node('v0')
    .driver?.chainState.validators.validators.findIndex((v) => toHex(v.address) === toHex(byz.address));
  for (const value of [null, { hash: new Uint8Array(32).fill(5) }]) {
    const vote = signVote(
      chainId,
      {
        type: VoteType.Precommit,
        height,
        round: 7,
        blockId: value,
        timestamp: cluster.time.now,
        validatorAddress: byz.address,
        validatorIndex: index ?? 0,
      },
      byz.key.secretKey,
    );
    for (const to of ['v0', 'v1', 'v2']) cluster.net.sendAs('v3', to, { kind: 'vote', vote });
  }
  const withEvidence = () =>
    cluster.nodes.flatMap((n) => n.committed).find((e) => e.block.evidence.length > 0);
  expect(
    await cluster.runUntil(() => withEvidence() !== undefined, 30_000),
    'the equivocation is committed',
  ).toBe(true);
  const committed = withEvidence();
  const evidence = committed?.block.evidence[0];
  if (committed === undefined || evidence === undefined) throw new Error('no evidence');
  const after = committed.block.header.height + 1;
  expect(await cluster.runUntil(() => cluster.minHeight() >= after, 30_000), 'every node past it').toBe(true);
  return evidence;
}

/**
 * A proposal for the furthest round `node` admits (no honest proposal there yet) of a valid block
 * that re-includes `evidence`.
 */
async function reProposal(node: TestNode, cluster: TestCluster, evidence: DuplicateVoteEvidence) {
  // Not in the commit wait: the driver is in the height after its chain state.
  const inHeight = () =>
    node.driver !== null && node.driver.height === node.driver.chainState.lastBlockHeight + 1;
  expect(await cluster.runUntil(inHeight, 10_000), `${node.name} enters a height`).toBe(true);
  const state = node.driver?.chainState;
  if (state === undefined) throw new Error('not running');
  const lastCommit = await node.store.loadCommit(state.lastBlockHeight);
  const round = (node.driver?.round ?? 0) + maxProposalRoundsAhead;
  const proposer = proposerForRound(state.validators, round);
  const time = expectedBlockTime(state, { lastCommit });
  const block = makeNextBlock(state, proposer.address, [], [evidence], lastCommit, time);
  const key = cluster.nodes.find((n) => toHex(n.address) === toHex(proposer.address))?.key;
  if (key === undefined) throw new Error('no proposer key');
  const proposal = signProposal(
    chainId,
    { height: state.lastBlockHeight + 1, round, polRound: -1, blockId: blockId(block), timestamp: time },
    key.secretKey,
  );
  return { kind: 'proposal' as const, proposal, block };
}

const reportsAbout = (cluster: TestCluster, node: TestNode) =>
  cluster.net.reports.filter((r) => r.from === node.name && r.about === 'byz').map((r) => r.fault);

describe('evidence across a restart', () => {
  it('a node that saw the evidence committed refuses a block that re-includes it', async () => {
    const cluster = new TestCluster({ validators: 4 });
    await cluster.startAll();
    const evidence = await commitEquivocation(cluster);
    const node = cluster.node('v1');
    cluster.net.sendAs('byz', node.name, await reProposal(node, cluster, evidence));
    await cluster.runFor(100);
    expect(
      reportsAbout(cluster, node),
      're-included evidence: refused (its signer, not the relay, to blame)',
    ).toEqual([{ code: 'BLOCK_BAD_EVIDENCE', action: 'ignore' }]);
  });

  /**
   * Regression (found by these tests): `ConsensusDriver.start` (driver.ts) did not
   * replay `evidence.update` for the committed blocks inside the evidence age window, so a
   * restarted node's pool forgets committed evidence and accepts a block that commits it again,
   * while its peers refuse it: block validity differs between correct nodes. After a power cut of
   * a whole community every node forgets, and a Byzantine proposer can have a validator punished
   * twice.
   */
  it('a restarted node refuses it too', async () => {
    const cluster = new TestCluster({ validators: 4 });
    await cluster.startAll();
    const evidence = await commitEquivocation(cluster);
    const node = cluster.node('v0');
    await cluster.stop(node);
    await cluster.start(node);
    cluster.net.sendAs('byz', node.name, await reProposal(node, cluster, evidence));
    await cluster.runFor(100);
    expect(reportsAbout(cluster, node), 'restarted node: re-included evidence refused').toEqual([
      { code: 'BLOCK_BAD_EVIDENCE', action: 'ignore' },
    ]);
  });
});
