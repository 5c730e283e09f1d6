import { generateKeyPair } from '@joule/consensus';
import { commitSigToVote } from '@joule/consensus/core';
import { encodeConsensusMessage } from '@joule/consensus/internal';
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { afterEach, describe, expect, it } from 'vitest';
import { consensusProtocol, maxConsensusFrameBytes } from '../constants.js';
import { createP2pHost, type P2pHost } from '../host/host.js';
import { gridEdges, TestNet } from '../testkit/test-net.js';
import { FrameKind } from './consensus-gossip.js';

let net: TestNet | null = null;
const attackers: P2pHost[] = [];
afterEach(async () => {
  await Promise.all(attackers.splice(0).map((a) => a.stop()));
  await net?.stop();
  net = null;
});

type Attack = 'malformed' | 'oversized' | 'replayed';

/** Opens consensus streams to `target` and writes `frame()` as fast as backpressure allows, until refused. */
async function flood(
  attacker: P2pHost,
  target: string,
  attack: Attack,
  frame: () => Uint8Array,
): Promise<number> {
  const deadline = Date.now() + 15_000;
  let sent = 0;
  while (Date.now() < deadline && sent < 20_000) {
    let stream: Awaited<ReturnType<P2pHost['libp2p']['dialProtocol']>>;
    try {
      stream = await attacker.libp2p.dialProtocol(peerIdFromString(target), consensusProtocol, {
        signal: AbortSignal.timeout(2_000),
      });
    } catch {
      return sent; // refused: banned
    }
    try {
      if (attack === 'oversized') {
        // A length prefix over the limit, then a little of the promised body.
        const prefix = varint(maxConsensusFrameBytes + 1024);
        stream.send(new Uint8Array([...prefix, 1, 2, 3]));
        sent++;
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const lp = lpStream(stream);
      while (stream.status === 'open' && Date.now() < deadline && sent < 20_000) {
        await lp.write(frame(), { signal: AbortSignal.timeout(2_000) });
        sent++;
      }
    } catch {
      // stream reset by the target
    }
  }
  return sent;
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

describe('misbehaving peers over loopback TCP', () => {
  it('peers flooding malformed, oversized or replayed messages are banned; the chain goes on', async () => {
    net = await TestNet.create({ nodes: 8, validators: [0, 2, 5, 7], edges: gridEdges(2, 4) });
    await net.start();
    await net.waitForHeight(3, 20_000);
    const commit = await net.node(1).store.loadCommit(2);
    const vote = commit === null ? null : commitSigToVote(commit, 0);
    if (vote === null) throw new Error('no vote to replay');
    const body = encodeConsensusMessage({ kind: 'vote', vote });
    const replayed = new Uint8Array([FrameKind.gossip, ...body]);
    const garbage = new Uint8Array([FrameKind.gossip, 0xc1, 0xff, 0x00, 0x42]);
    const plan: [Attack, number, () => Uint8Array][] = [
      ['malformed', 1, () => garbage],
      ['oversized', 2, () => garbage],
      ['replayed', 6, () => replayed],
    ];
    const results = await Promise.all(
      plan.map(async ([attack, index], i) => {
        const attacker = await createP2pHost(
          { listen: ['/ip4/127.0.0.1/tcp/0'] },
          { nodeKey: generateKeyPair(new Uint8Array(32).fill(200 + i)) },
        );
        attackers.push(attacker);
        await attacker.start();
        const target = net?.node(index) ?? null;
        if (target === null) throw new Error('no target');
        await attacker.dial(target.address());
        const sent = await flood(attacker, target.peerId, attack, plan[i]?.[2] ?? (() => garbage));
        return { attack, target, attacker, sent };
      }),
    );
    for (const { attack, target, attacker, sent } of results) {
      const host = target.parts?.host;
      expect(
        host?.isBanned(attacker.peerId),
        `${attack} flooder banned by ${target.name} after ${sent} frames`,
      ).toBe(true);
      expect(host?.connectedPeers(), `${attack} flooder disconnected`).not.toContain(attacker.peerId);
      expect(host?.counters.bans, `${target.name} counted the ban`).toBeGreaterThanOrEqual(1);
    }
    const now = Math.max(...net.nodes.map((n) => n.height()));
    await net.waitForHeight(now + 5, 20_000);
    const problems = await net.disagreements();
    expect(problems, problems.join('; ')).toEqual([]);
  });
});
