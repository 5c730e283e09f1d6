import type {
  Application,
  ChainStore,
  ConsensusDriver,
  ConsensusMessage,
  EvidencePool,
  KeyPair,
  Mempool,
  PeerFault,
  PeerId,
  Transport,
} from '@joule/consensus';
import type { Logger as Pino } from 'pino';
import type { NodeProfile } from '../constants.js';
import type { NodeConfig } from '../home/config-schema.js';

/** A connected peer, as /net_info shows it. */
export interface PeerInfo {
  readonly id: string;
  /** The remote multiaddr of the connection (`/ip4/192.168.1.20/tcp/26656`). */
  readonly address: string | null;
  /** Who dialled: `outbound` (this node) or `inbound` (the peer). */
  readonly direction?: 'inbound' | 'outbound';
  /** The peer's score (misbehaviour lowers it; a peer below the ban threshold is banned). */
  readonly score?: number;
}

/**
 * The network side of a node: the consensus `Transport` plus what the API and the metrics read.
 * This is the one seam where @joule/p2p plugs in (`p2p.ts`); `standaloneNetwork` is the network of
 * a node with no peers (a one-validator chain, or tests).
 */
export interface NetworkService {
  readonly transport: Transport;
  /** The node id peers know this node by (the libp2p peer id of the node key). */
  readonly nodeId: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  peers(): PeerInfo[];
  /** Addresses peers can dial. */
  listenAddresses(): string[];
  /** True while block sync is fetching heights this node is missing. */
  catchingUp(): boolean;
  /** Payload bytes received and sent since start. */
  bytes(): { in: number; out: number };
  /** Hashes held by the gossip de-duplication sets (consensus and mempool), for the memory metrics. */
  seenEntries?(): number;
  /** Verdicts held by the consensus gossip's verdict cache, for the memory metrics. */
  verdictEntries?(): number;
  /** Bytes held by the invalid-signature cache, as it counts them, for the memory metrics. */
  invalidSignatureBytes?(): number;
  /** Gives the network the driver (consensus view, and block sync pauses it); called before `start`. */
  attach(driver: ConsensusDriver): void;
  /** Admits a client's transaction to the mempool and gossips it; rejects as `Mempool.add` does. */
  submitTx(tx: Uint8Array): Promise<Uint8Array>;
}

/** What a network is built from. */
export interface NetworkContext {
  readonly config: NodeConfig['p2p'];
  /** The node's profile: gossip caches, stream windows and timers sized for its machine. */
  readonly profile: NodeProfile;
  /** config.toml, named in errors about the [p2p] settings. */
  readonly configFile: string;
  readonly chainId: string;
  readonly nodeKey: KeyPair;
  readonly nodeId: string;
  readonly mempool: Mempool;
  readonly evidence: EvidencePool;
  readonly store: ChainStore;
  readonly app: Application;
  readonly logger: Pino;
}

export type NetworkFactory = (context: NetworkContext) => Promise<NetworkService>;

/** A network of one: broadcasts go nowhere, nothing arrives. */
export const standaloneNetwork: NetworkFactory = async (context) => {
  if (context.config.persistent_peers.length > 0) {
    context.logger.warn(
      { peers: context.config.persistent_peers.length },
      'persistent peers configured, but this node was built without a network: running standalone',
    );
  }
  const transport: Transport = {
    broadcast(_message: ConsensusMessage) {},
    send(_peer: PeerId, _message: ConsensusMessage) {},
    onMessage() {},
    reportPeer() {},
  };
  return {
    transport,
    nodeId: context.nodeId,
    start: async () => {},
    stop: async () => {},
    peers: () => [],
    listenAddresses: () => [],
    catchingUp: () => false,
    bytes: () => ({ in: 0, out: 0 }),
    attach() {},
    submitTx: (tx) => context.mempool.add(tx),
  };
};

/**
 * Wraps a transport so that every message consensus rejects is also counted (invalid messages per
 * peer). Only `reject` faults count: an `ignore` (a correctly signed message that is invalid or too
 * far ahead, which its relay cannot tell apart, or this node's own overload) is no peer's doing.
 */
export function observedTransport(
  inner: Transport,
  onInvalid: (peer: PeerId, fault: PeerFault) => void,
): Transport {
  return {
    broadcast: (m) => inner.broadcast(m),
    send: (p, m) => inner.send(p, m),
    onMessage: (h) => inner.onMessage(h),
    reportPeer(peer, fault) {
      if (fault.action === 'reject') onInvalid(peer, fault);
      inner.reportPeer(peer, fault);
    },
  };
}
