import { randomBytes } from 'node:crypto';
import { generateKeyPair, type Vote, VoteType } from '@joule/consensus';
import { encodeConsensusMessage } from '@joule/consensus/internal';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { afterEach, describe, expect, it } from 'vitest';
import { banScore, consensusProtocol, maxBatchVotesPerValidator, penalties } from '../constants.js';
import { createP2pHost, type P2pHost } from '../host/host.js';
import { gridEdges, TestNet } from '../testkit/test-net.js';
import type { TestNode } from '../testkit/test-node.js';
import { FrameKind } from './consensus-gossip.js';

let net: TestNet | null = null;
const attackers: P2pHost[] = [];
afterEach(async () => {
  await Promise.all(attackers.splice(0).map((a) => a.stop()));
  await net?.stop();
  net = null;
});

/**
 * A direct vote batch of `count` votes with random (bad) signatures at the target's next height + 1,
 * where the finding was that they cost the target every check and the sender nothing. Each batch
 * differs (fresh signatures), so no cache of frames or signatures answers it.
 */
function hostileBatch(target: TestNode, count: number): Uint8Array {
  const state = target.parts?.driver.chainState;
  if (state === undefined) throw new Error('target not running');
  const set = state.nextValidators.validators;
  const votes: Vote[] = [];
  for (let i = 0; i < count; i++) {
    const v = set[i % set.length];
    if (v === undefined) throw new Error('empty set');
    votes.push({
      type: i % 2 === 0 ? VoteType.Prevote : VoteType.Precommit,
      height: state.lastBlockHeight + 2,
      round: 0,
      blockId: null,
      timestamp: Date.now() + i,
      validatorAddress: v.address,
      validatorIndex: i % set.length,
      signature: randomBytes(64),
    });
  }
  return new Uint8Array([FrameKind.direct, ...encodeConsensusMessage({ kind: 'votes', votes })]);
}

/** Writes frames as fast as backpressure allows, reconnecting after a reset, until refused (or 15 s). */
async function flood(attacker: P2pHost, target: string, frame: () => Uint8Array): Promise<number> {
  const deadline = Date.now() + 15_000;
  let sent = 0;
  while (Date.now() < deadline) {
    let stream: Awaited<ReturnType<P2pHost['libp2p']['dialProtocol']>>;
    try {
      stream = await attacker.libp2p.dialProtocol(peerIdFromString(target), consensusProtocol, {
        signal: AbortSignal.timeout(2_000),
      });
    } catch {
      return sent; // refused: banned
    }
    try {
      const lp = lpStream(stream);
      while (stream.status === 'open' && Date.now() < deadline) {
        await lp.write(frame(), { signal: AbortSignal.timeout(2_000) });
        sent++;
      }
    } catch {
      // stream reset by the target
    }
  }
  return sent;
}

describe('a peer flooding bad signatures over loopback TCP', () => {
  it('is banned after a few checks, capped and over-cap batches alike; the chain goes on', async () => {
    net = await TestNet.create({ nodes: 4, validators: [0, 1, 2, 3], edges: gridEdges(2, 2) });
    await net.start();
    await net.waitForHeight(2, 20_000);
    const cap = 4 * maxBatchVotesPerValidator;
    // Victim 1 gets batches at the cap, each ending at its first (bad) vote; victim 2 gets
    // batches of the codec's 2 000 votes, refused by the cap before any check.
    const plan = [
      { index: 1, votes: cap },
      { index: 2, votes: 2_000 },
    ];
    const before = plan.map(({ index }) => {
      const c = net?.node(index).parts?.consensus;
      if (c === undefined) throw new Error('no consensus');
      return { checks: c.signatures.checks, failed: c.signatures.failed };
    });
    const results = await Promise.all(
      plan.map(async ({ index, votes }, i) => {
        const attacker = await createP2pHost(
          { listen: ['/ip4/127.0.0.1/tcp/0'] },
          { nodeKey: generateKeyPair(new Uint8Array(32).fill(150 + i)) },
        );
        attackers.push(attacker);
        await attacker.start();
        const target = net?.node(index);
        if (target === undefined) throw new Error('no target');
        await attacker.dial(target.address());
        const sent = await flood(attacker, target.peerId, () => hostileBatch(target, votes));
        return { target, attacker, sent };
      }),
    );
    results.forEach(({ target, attacker, sent }, i) => {
      const parts = target.parts;
      if (parts === null) throw new Error('target stopped');
      const host = parts.host;
      expect(host.isBanned(attacker.peerId), `${target.name} banned the flooder after ${sent} frames`).toBe(
        true,
      );
      expect(host.connectedPeers(), 'flooder disconnected').not.toContain(attacker.peerId);
      const failed = parts.consensus.signatures.failed - (before[i]?.failed ?? 0);
      const reason = i === 0 ? 'invalid-signature' : 'malformed';
      const judged = host.counters.penalties.get(reason) ?? 0;
      // Each judged frame costs at most one failed check (a batch ends at its first bad vote; an
      // over-cap batch costs none), and the ban comes after a handful of frames (one more than the
      // penalties' sum needs, as the score recovers meanwhile).
      const points = i === 0 ? penalties.invalidSignature : penalties.malformed;
      expect(judged, `${target.name}: frames judged before the ban`).toBeLessThanOrEqual(
        Math.ceil(-banScore / points) + 1,
      );
      expect(failed, `${target.name}: failed signature checks`).toBeLessThanOrEqual(i === 0 ? judged : 0);
      if (i === 0) expect(failed, 'the bad signatures were checked').toBeGreaterThanOrEqual(1);
    });
    const now = Math.max(...net.nodes.map((n) => n.height()));
    await net.waitForHeight(now + 3, 20_000);
    const problems = await net.disagreements();
    expect(problems, problems.join('; ')).toEqual([]);
  });
});
