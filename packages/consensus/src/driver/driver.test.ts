import { describe, expect, it } from 'vitest';
import { blockId } from '../block/block.js';
import { CommitFlag } from '../block/commit.js';
import { medianTime } from '../chain/block-time.js';
import { toHex } from '../crypto/hash.js';
import { kvTx } from '../sim/kv-app.js';
import { genesisTime, TestCluster } from '../testkit/cluster.js';

/**
 * Four validators of the real driver on a loss-free in-memory network: every node commits the
 * same blocks and app hashes, and block time is BFT time (the weighted median of the previous
 * block's precommit times), strictly increasing.
 */
describe('ConsensusDriver: a 4-validator network', () => {
  it('commits several heights with one app hash per height and BFT block times', async () => {
    // Unequal powers and skewed clocks, so the weighted median is not any single node's clock.
    const cluster = new TestCluster({
      validators: 4,
      powers: [4n, 3n, 2n, 1n],
      skews: [0, 170, -90, 400],
    });
    await cluster.startAll();
    let txs = 0;
    const load = () => {
      const tx = kvTx(`k${txs % 3}`, `v${txs}`);
      txs++;
      for (const node of cluster.nodes) void node.mempool?.add(tx).catch(() => {});
      cluster.time.schedule(700, load);
    };
    cluster.time.schedule(100, load);
    const target = 8;
    const reached = await cluster.runUntil(() => cluster.minHeight() >= target, 120_000);
    expect(reached, `every node reaches height ${target}; heights ${cluster.heights()}`).toBe(true);

    const [first, ...others] = cluster.nodes;
    if (first === undefined) throw new Error('no nodes');
    let previousTime = 0;
    let blocksWithTxs = 0;
    for (let h = 1; h <= target; h++) {
      const block = await first.store.loadBlock(h);
      if (block === null) throw new Error(`${first.name} has no block ${h}`);
      const hash = toHex(blockId(block).hash);
      if (block.txs.length > 0) blocksWithTxs++;
      for (const node of others) {
        const other = await node.store.loadBlock(h);
        expect(other && toHex(blockId(other).hash), `${node.name} committed the same block ${h}`).toBe(hash);
      }
      // The app hash after height h-1 is in header h: equal blocks mean equal app hashes.
      const appHashes = new Set<string>();
      for (const node of cluster.nodes) {
        const next = await node.store.loadBlock(h + 1);
        const state = await node.store.loadState();
        const appHash = next?.header.appHash ?? (state?.lastBlockHeight === h ? state.appHash : undefined);
        if (appHash !== undefined) appHashes.add(toHex(appHash));
      }
      expect(appHashes.size, `one app hash after height ${h} across the nodes`).toBe(1);

      // Block time: genesis time at the first height, then the weighted median of lastCommit.
      if (h === 1) {
        expect(block.header.time, 'the first block carries the genesis time').toBe(genesisTime);
      } else {
        const lastCommit = block.lastCommit;
        const signers = await first.store.loadValidators(h - 1);
        if (lastCommit === null || signers === null) throw new Error(`block ${h} lacks its last commit`);
        expect(block.header.time, `block ${h} time is the weighted median of its lastCommit`).toBe(
          medianTime(lastCommit, signers),
        );
        const present = lastCommit.signatures.filter((s) => s.flag !== CommitFlag.Absent);
        const times = present.map((s) => s.timestamp);
        expect(block.header.time, `block ${h} time is one of its precommit times`).toBeOneOf(times);
        expect(block.header.time, `block ${h} time is later than block ${h - 1}`).toBeGreaterThan(
          previousTime,
        );
      }
      previousTime = block.header.time;
    }
    expect(blocksWithTxs, 'the load made it into blocks').toBeGreaterThan(0);

    // The app state itself agrees (the KvApp's committed entries at the lowest common height).
    const lowest = cluster.minHeight();
    const atLowest = cluster.nodes.filter((n) => n.kv.height === lowest);
    for (const node of atLowest) {
      expect(toHex(node.kv.appHash), `${node.name} app hash at ${lowest}`).toBe(
        toHex((atLowest[0] ?? node).kv.appHash),
      );
    }
    for (const node of cluster.nodes) {
      expect(node.doubleSigns, `${node.name} never signed two values for one step`).toEqual([]);
      expect(
        node.warnings.filter((w) => w.startsWith('consensus input failed')),
        `${node.name}: no input threw inside the driver`,
      ).toEqual([]);
    }
    expect(cluster.net.reports, 'correct peers on a clean network are never reported').toEqual([]);
    for (const node of cluster.nodes) await cluster.stop(node);
  });

  /**
   * Regression (found by these tests): #vote (driver.ts) stamped a vote with
   * max(now, state.lastBlockTime + 1), the time of block H-1, not of block H that it votes on
   * (CometBFT: max(now, proposal block time + 1 ms)). A precommit for block H from a node whose
   * clock lags (a Raspberry Pi without RTC after a reboot) is then stamped at or below block H's
   * own time; when it decides the lower-median of a bare-quorum commit (see block-time.test.ts),
   * block H+1's time does not increase, every proposal is invalid, and since every node's
   * lastCommit holds the same precommits the chain halts for good — even after the clock and the
   * crashed node are back. Before the fix: heights stay at 2.
   */
  it('one lagging clock and one crashed validator do not halt the chain', async () => {
    const cluster = new TestCluster({ validators: 4, skews: [0, 0, 0, -3_600_000] });
    await cluster.startAll();
    await cluster.stop(cluster.node('v2'));
    const live = cluster.nodes.filter((n) => n.name !== 'v2');
    const progressed = await cluster.runUntil(
      () => Math.min(...live.map((n) => n.store.height())) >= 8,
      120_000,
    );
    expect(progressed, `3 of 4 live validators make progress; heights ${cluster.heights()}`).toBe(true);
  });
});
