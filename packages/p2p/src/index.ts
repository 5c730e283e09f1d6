/**
 * @joule/p2p — Joule's networking on js-libp2p (TCP, Noise, yamux, identify, ping): the consensus
 * driver's `Transport` with multi-hop relay, transaction gossip, block sync, and peer scoring
 * with rate limits and bans. See README.md for the protocols, limits and the gossip design.
 *
 * Sub-paths: `./testkit` (networks of real nodes for tests), `./internal` (wire codecs, queues and
 * bounds for Joule's own packages, its fuzzer and benchmarks; no stability promise).
 */
// biome-ignore-all assist/source/organizeImports: the surface is grouped by concept, not sorted by path

// The host: a libp2p node with Joule's transports, connection gater, node key and persistent peers.
export { createP2pHost, P2pHost, type P2pHostOptions, type P2pHostDependencies } from './host/host.js';
export { type NodeKey, libp2pKeyOf, peerIdOfNodeKey } from './host/node-key.js';
export {
  PersistentPeers,
  type PersistentPeersOptions,
  type DialFailure,
  type DialFailureReason,
  dialFailureReason,
} from './host/persistent-peers.js';
export { type GaterPolicy, policyGater } from './host/gater.js';

// Gossip: the consensus driver's `Transport` and transaction gossip into the mempool.
export { ConsensusGossip, type ConsensusGossipOptions } from './consensus/consensus-gossip.js';
export { MempoolGossip, type MempoolGossipOptions, type TxAdmission } from './mempool/mempool-gossip.js';

// Block sync: catching up from peers, and serving blocks to them.
export {
  BlockSync,
  type BlockSyncOptions,
  type BlockSyncDependencies,
  type ConsensusControl,
} from './blocksync/block-sync.js';
export { BlockSyncServer, type BlockSource } from './blocksync/server.js';
export {
  type BlockApplier,
  StoreBlockApplier,
  type StoreBlockApplierDependencies,
  verifySyncedBlock,
} from './blocksync/block-applier.js';

// Peer health: scores, bans and counters.
export { PeerScores, type PeerScoresOptions } from './peers/peer-scores.js';
export { P2pCounters, type P2pCounterSnapshot } from './peers/metrics.js';

// Protocol ids and connection defaults (the other bounds are in `@joule/p2p/internal`).
export {
  consensusProtocol,
  mempoolProtocol,
  blockSyncProtocol,
  defaultMaxConnections,
  defaultMaxConnectionsPerIp,
  defaultMaxIncomingPendingConnections,
  defaultInboundConnectionsPerSecond,
  defaultPingIntervalMs,
} from './constants.js';
