/**
 * `@joule/p2p/internal` — the wire codecs, send queues, seen-sets, rate limits and bounds that
 * Joule's fuzzer and benchmarks reach into. Nodes use the package root; names here may change in
 * any release.
 */
// biome-ignore-all assist/source/organizeImports: the surface is grouped by concept, not sorted by path

// Block sync wire messages and fetching.
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

// Gossip channels and per-peer send queues.
export { type FrameHandler, GossipChannel, type GossipChannelOptions } from './channel/gossip-channel.js';
export { PeerSender, type PeerSenderLimits } from './channel/peer-sender.js';

// Consensus frame checks.
export { FrameKind } from './consensus/consensus-gossip.js';
export { checkConsensusMessage, type ConsensusView, type Verdict } from './consensus/message-check.js';
export { SignatureVerdicts } from './consensus/signature-verdicts.js';

// Bounds of every queue, cache, frame and rate (units in the names).
export {
  banDurationMs,
  banScore,
  blockSyncBurstRequests,
  blockSyncRequestsPerSecond,
  consensusBurstBytes,
  consensusBurstFrames,
  consensusBytesPerSecond,
  consensusFramesPerSecond,
  consensusSeenCacheEntries,
  consensusVerdictCacheEntries,
  dialTimeoutMs,
  heightWindowAbove,
  heightWindowBelow,
  invalidSignatureCacheBytes,
  invalidSignatureCacheEntries,
  maxAdvertisedPeers,
  maxAllowListPeers,
  maxBatchVotesPerValidator,
  maxBlockSyncFrameBytes,
  maxBlockSyncRequestBytes,
  maxBlockSyncStreamsPerConnection,
  maxConsensusFrameBytes,
  maxDialErrorChars,
  maxGossipStreamsPerConnection,
  maxInboundBufferBytes,
  maxMempoolBatchBytes,
  maxMempoolBatchTxs,
  maxMempoolFrameBytes,
  maxMempoolInboundBufferBytes,
  maxPeerQueueBytes,
  maxPeerQueueFrames,
  maxPeerWriteBytes,
  maxPersistentPeers,
  maxRegossipTxs,
  maxRelayRoundsAhead,
  maxScoredPeers,
  maxSyncPeers,
  maxSyncResponseBlocks,
  maxSyncResponseBytes,
  mempoolBurstBytes,
  mempoolBurstFrames,
  mempoolBytesPerSecond,
  mempoolFramesPerSecond,
  mempoolRegossipAfterHeights,
  mempoolRegossipMs,
  mempoolSeenCacheEntries,
  penalties,
  reconnectMaxMs,
  reconnectMinMs,
  scoreRecoveryPerSecond,
  streamOpenTimeoutMs,
  syncBatchBlocks,
  syncMaxPendingBlocks,
  syncParallelRequests,
  syncPollMs,
  syncRequestTimeoutMs,
  syncStallMs,
  syncThresholdHeights,
  yamuxInitialStreamWindowBytes,
} from './constants.js';

// Transaction batches on the wire.
export { decodeTxBatch, encodeTxBatch, splitTxBatches, txBatchCodec } from './mempool/tx-batch.js';

// Peer lists, seen-sets and rate limits.
export { decodePeerList, encodePeerList, NeighbourSets } from './peers/neighbours.js';
export { BoundedSeenSet } from './peers/seen-cache.js';
export { FrameLimiter, type RateLimit, TokenBucket } from './peers/token-bucket.js';
