import { describe, expect, it } from 'vitest';
import { CommitFlag } from '../block/commit.js';
import { fastTimeouts, TestCluster } from '../testkit/cluster.js';

/** A commit timeout far longer than a height's messages take on the loss-free simulated network. */
const commitMs = 60_000;
const target = 5;

async function run(skipTimeoutCommit: boolean, stopped: string | null) {
  const cluster = new TestCluster({
    validators: 4,
    driver: { timeouts: { ...fastTimeouts, commitMs }, skipTimeoutCommit },
  });
  await cluster.startAll();
  if (stopped !== null) await cluster.stop(cluster.node(stopped));
  const live = cluster.nodes.filter((n) => n.name !== stopped);
  const start = cluster.time.now;
  const reached = await cluster.runUntil(
    () => Math.min(...live.map((n) => n.store.height())) >= target,
    (target + 1) * commitMs,
  );
  const elapsedMs = cluster.time.now - start;
  const first = live[0];
  if (first === undefined) throw new Error('no live node');
  const signers: number[] = [];
  for (let h = 2; h <= target; h++) {
    const block = await first.store.loadBlock(h);
    signers.push(block?.lastCommit?.signatures.filter((s) => s.flag === CommitFlag.Commit).length ?? -1);
  }
  for (const node of live) {
    expect(node.doubleSigns, `${node.name}: no double sign`).toEqual([]);
    await cluster.stop(node);
  }
  return { reached, elapsedMs, signers };
}

/**
 * skipTimeoutCommit, as CometBFT's skip_timeout_commit: with every validator's precommit for the
 * decided block in, the next height starts at once; with one missing, the commit timeout is
 * waited out as before (it is the only chance for the late precommit to make the last commit).
 */
describe('ConsensusDriver: skipTimeoutCommit', () => {
  it('all precommits in: heights follow one another without the commit timeout', async () => {
    const { reached, elapsedMs, signers } = await run(true, null);
    expect(reached, `height ${target} is reached`).toBe(true);
    expect(elapsedMs, `${target} heights take less than one commit timeout`).toBeLessThan(commitMs);
    expect(signers, 'every last commit holds all 4 precommits').toEqual(Array(target - 1).fill(4));
  });

  it('off (the default): each height waits out the commit timeout', async () => {
    const { reached, elapsedMs } = await run(false, null);
    expect(reached, `height ${target} is reached`).toBe(true);
    expect(elapsedMs, `${target - 1} commit waits precede height ${target}`).toBeGreaterThanOrEqual(
      (target - 1) * commitMs,
    );
  });

  it('one validator down: the commit timeout is waited out, since 100 % never precommits', async () => {
    const { reached, elapsedMs, signers } = await run(true, 'v3');
    expect(reached, `height ${target} is reached with 3 of 4 validators`).toBe(true);
    expect(elapsedMs, `${target - 1} commit waits precede height ${target}`).toBeGreaterThanOrEqual(
      (target - 1) * commitMs,
    );
    expect(signers, 'every last commit holds the 3 live precommits').toEqual(Array(target - 1).fill(3));
  });
});
