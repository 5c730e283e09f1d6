/**
 * @joule/p2p — Joule's networking on js-libp2p (TCP, Noise, yamux, identify, ping): the consensus
 * driver's `Transport` with multi-hop relay, transaction gossip, block sync, and peer scoring
 * with rate limits and bans. See README.md for the protocols, limits and the gossip design.
 */

export {
  type BlockApplier,
  StoreBlockApplier,
  type StoreBlockApplierDependencies,
  verifySyncedBlock,
} from './blocksync/block-applier.js';
export {
  BlockSync,
  type BlockSyncDependencies,
  type BlockSyncOptions,
  type ConsensusControl,
} from './blocksync/block-sync.js';
export { requestBlocks, type SyncResponse } from './blocksync/fetch.js';
export {
  decodeSyncEntry,
  decodeSyncRequest,
  decodeSyncStatus,
  encodeSyncEntry,
  encodeSyncRequest,
  encodeSyncStatus,
  type SyncEntry,
  type SyncRequest,
  type SyncStatus,
} from './blocksync/messages.js';
export { type BlockSource, BlockSyncServer } from './blocksync/server.js';
export { type FrameHandler, GossipChannel, type GossipChannelOptions } from './channel/gossip-channel.js';
export { PeerSender, type PeerSenderLimits } from './channel/peer-sender.js';
export { ConsensusGossip, type ConsensusGossipOptions, FrameKind } from './consensus/consensus-gossip.js';
export { type ConsensusView, checkConsensusMessage, type Verdict } from './consensus/message-check.js';
export { SignatureVerdicts } from './consensus/signature-verdicts.js';
export * from './constants.js';
export { type GaterPolicy, policyGater } from './host/gater.js';
export { createP2pHost, P2pHost, type P2pHostDependencies, type P2pHostOptions } from './host/host.js';
export { libp2pKeyOf, type NodeKey, peerIdOfNodeKey } from './host/node-key.js';
export {
  type DialFailure,
  type DialFailureReason,
  dialFailureReason,
  PersistentPeers,
  type PersistentPeersOptions,
} from './host/persistent-peers.js';
export { MempoolGossip, type MempoolGossipOptions, type TxAdmission } from './mempool/mempool-gossip.js';
export { decodeTxBatch, encodeTxBatch, splitTxBatches, txBatchCodec } from './mempool/tx-batch.js';
export { type P2pCounterSnapshot, P2pCounters } from './peers/metrics.js';
export { decodePeerList, encodePeerList, NeighbourSets } from './peers/neighbours.js';
export { PeerScores, type PeerScoresOptions } from './peers/peer-scores.js';
export { BoundedSeenSet } from './peers/seen-cache.js';
export { FrameLimiter, type RateLimit, TokenBucket } from './peers/token-bucket.js';
export { fastTimeouts, freePorts, gridEdges, TestNet, type TestNetOptions } from './testkit/test-net.js';
export { TestNode, type TestNodeOptions, type TestNodeParts } from './testkit/test-node.js';
