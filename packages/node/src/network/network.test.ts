import { type PeerFault, peerFault, type Transport } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { observedTransport } from './network.js';

describe('observedTransport', () => {
  it('counts rejected messages as invalid, not ignored ones, and passes every fault on', () => {
    const passed: [string, PeerFault][] = [];
    const inner: Transport = {
      broadcast() {},
      send() {},
      onMessage() {},
      reportPeer: (peer, fault) => passed.push([peer, fault]),
    };
    const invalid: string[] = [];
    const transport = observedTransport(inner, (peer) => invalid.push(peer));
    transport.reportPeer('busy', peerFault('INPUT_QUEUE_FULL'));
    transport.reportPeer('relay', peerFault('BLOCK_INVALID'));
    transport.reportPeer('liar', peerFault('VOTE_BAD_SIGNATURE'));
    expect(invalid, 'only the reject counts as an invalid message').toEqual(['liar']);
    expect(
      passed.map(([p, f]) => `${p}:${f.code}`),
      'every fault reaches the network layer',
    ).toEqual(['busy:INPUT_QUEUE_FULL', 'relay:BLOCK_INVALID', 'liar:VOTE_BAD_SIGNATURE']);
  });
});
