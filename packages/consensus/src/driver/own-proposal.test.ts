import { describe, expect, it } from 'vitest';
import type { Application, PrepareProposalRequest } from '../app/application.js';
import { toHex } from '../crypto/hash.js';
import { MemorySignerStore } from '../signer/memory-signer-store.js';
import { KvApp, kvTx } from '../sim/kv-app.js';
import { MemoryChainStore } from '../sim/memory-chain-store.js';
import { delegateApp, TestCluster } from '../testkit/cluster.js';
import { setupDriver } from '../testkit/lone-driver.js';
import { MemoryWal } from '../wal/memory-wal.js';
import type { ConsensusMessage, ProposalMessage } from './messages.js';
import { decodeWalRecord } from './wal-records.js';

/** A MemoryWal that remembers, per appended record, its kind, its peer and whether it was synced. */
class SpyWal extends MemoryWal {
  readonly appends: { kind: string; peer: string | null; sync: boolean }[] = [];
  override append(record: Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
    const decoded = decodeWalRecord(record);
    const peer = decoded.kind === 'message' || decoded.kind === 'proposal' ? decoded.peer : null;
    this.appends.push({ kind: decoded.kind, peer, sync: options.sync === true });
    return super.append(record, options);
  }
}

const proposals = (messages: readonly ConsensusMessage[]): ProposalMessage[] =>
  messages.filter((m): m is ProposalMessage => m.kind === 'proposal');

describe("the node's own proposal", () => {
  it('is fsynced to the WAL, and sent again after a restart', async () => {
    const wal = new SpyWal();
    const disk = {
      store: new MemoryChainStore(),
      wal,
      signerStore: new MemorySignerStore(),
      kv: KvApp.empty(),
    };
    const before = await setupDriver({ proposerOf: 0, disk });
    const sent = proposals(before.transport.broadcasts);
    expect(sent.length, 'the proposer of round 0 proposed').toBe(1);
    const own = wal.appends.filter(
      (a) => a.peer === 'self' && (a.kind === 'proposal' || a.kind === 'message'),
    );
    expect(own[0], 'its first own record is the proposal, fsynced').toEqual({
      kind: 'proposal',
      peer: 'self',
      sync: true,
    });

    await before.driver.stop();
    const after = await setupDriver({ proposerOf: 0, disk: { ...disk, wal: wal.crash() } });
    expect(after.halts, 'the restart did not stop the node').toEqual([]);
    const resent = proposals(after.transport.broadcasts);
    expect(
      resent.map((m) => [m.proposal.round, toHex(m.proposal.signature)]),
      'the same signed proposal is broadcast again on start',
    ).toEqual([[0, toHex((sent[0] as ProposalMessage).proposal.signature)]]);
  });
});

describe('prepareProposal', () => {
  it("gets the time the block will carry (the median of the last commit), not the last block's time", async () => {
    const requests: { node: string; request: PrepareProposalRequest }[] = [];
    const cluster = new TestCluster({
      validators: 4,
      skews: [0, 40, 80, 120],
      app: (node): Application => {
        const inner = new KvApp(node.kv);
        return delegateApp(inner, {
          prepareProposal: (request) => {
            requests.push({ node: node.name, request });
            return inner.prepareProposal(request);
          },
        });
      },
    });
    await cluster.startAll();
    for (const node of cluster.nodes) void node.mempool?.add(kvTx('k', 'v')).catch(() => {});
    expect(await cluster.runUntil(() => cluster.minHeight() >= 5, 60_000), 'five heights').toBe(true);
    const committed = cluster.node('v0').committed;
    let checked = 0;
    for (const { block } of committed) {
      const h = block.header.height;
      if (h < 2) continue;
      const asked = requests.filter((r) => r.request.height === h).map((r) => r.request.time);
      expect(asked.length, `height ${h}: the proposer asked the application`).toBeGreaterThan(0);
      expect(asked, `height ${h}: with the block's own time`).toEqual(asked.map(() => block.header.time));
      const previous = committed.find((c) => c.block.header.height === h - 1)?.block.header.time ?? 0;
      expect(block.header.time, `height ${h}: later than the block before`).toBeGreaterThan(previous);
      checked++;
    }
    expect(checked, 'heights checked').toBeGreaterThanOrEqual(3);
  });
});
