import type { ConsensusMessage } from './messages.js';
import type { PeerFault } from './peer-fault.js';

/** A peer, as the network layer names it (a libp2p peer id string, or a simulator node name). */
export type PeerId = string;

/**
 * How the driver talks to the network. @joule/p2p implements it on libp2p (relaying what it
 * receives so messages cross several hops); the simulator implements it in memory. Messages are
 * already decoded and size-checked when they reach the handler; everything else is checked by the
 * driver, which reports every refused message back with `reportPeer` and a typed `PeerFault`: the
 * network layer penalises the peer for a `reject` and only counts an `ignore`.
 */
export interface Transport {
  /** Sends to every peer (the network layer relays further). */
  broadcast(message: ConsensusMessage): void;
  /** Sends to one peer. */
  send(peer: PeerId, message: ConsensusMessage): void;
  /** Installs the one handler for incoming messages. */
  onMessage(handler: (peer: PeerId, message: ConsensusMessage) => void): void;
  /** The driver refused a message from `peer` (see `PeerFault` for who is to blame). */
  reportPeer(peer: PeerId, fault: PeerFault): void;
}
