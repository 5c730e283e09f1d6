import { generateKeyPair, type PeerFault, peerFault } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { penalties } from '../constants.js';
import { createP2pHost } from '../host/host.js';
import { peerIdOfNodeKey } from '../host/node-key.js';
import { ConsensusGossip } from './consensus-gossip.js';

/**
 * The contract between the driver and the network: a `reject` fault costs the peer that sent the
 * message `penalties.driverReject`; an `ignore` fault (the node's own overload, a correctly signed
 * message that is invalid or too far ahead) is counted as a drop and costs nothing.
 */
describe('consensus gossip: the driver’s peer faults', () => {
  it('ignore faults cost no score, reject faults do', async () => {
    const now = 1_000_000;
    const host = await createP2pHost(
      { listen: ['/ip4/127.0.0.1/tcp/0'] },
      { nodeKey: generateKeyPair(new Uint8Array(32).fill(31)), now: () => now },
    );
    const gossip = new ConsensusGossip({}, { host });
    const peer = await peerIdOfNodeKey(generateKeyPair(new Uint8Array(32).fill(32)));
    const ignored: PeerFault[] = [
      peerFault('INPUT_QUEUE_FULL'),
      peerFault('BLOCK_INVALID'),
      peerFault('BLOCK_REJECTED_BY_APP'),
      peerFault('PROPOSAL_TOO_FAR_AHEAD'),
      peerFault('VOTE_TOO_FAR_AHEAD'),
    ];
    for (let i = 0; i < 1_000; i++) for (const fault of ignored) gossip.reportPeer(peer, fault);
    expect(host.scores.score(peer), 'ignore faults: score untouched').toBe(0);
    expect(host.isBanned(peer), 'ignore faults: not banned').toBe(false);
    expect(host.counters.dropped.get('INPUT_QUEUE_FULL'), 'ignore faults are counted as drops').toBe(1_000);

    gossip.reportPeer(peer, peerFault('VOTE_BAD_SIGNATURE'));
    expect(host.scores.score(peer), 'a reject fault costs driverReject').toBe(-penalties.driverReject);
    expect(host.counters.penalties.get('VOTE_BAD_SIGNATURE'), 'counted under its code').toBe(1);
    await host.stop();
  });
});
