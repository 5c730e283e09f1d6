/**
 * Protocol ids and limits of @joule/p2p, each limit named with its unit. Every queue, cache, map
 * keyed by peer input, frame and loop in this package is bounded by one of these (or by an option
 * whose default is one of these). Sized for a node on a 1 GB board behind a 4G link, with 2–3 peers.
 */

import { maxMsgBytes, maxTxBytes } from '@joule/consensus';
import { maxCountedVotesPerValidatorRoundType } from '@joule/consensus/core';
import { maxProposalRoundsAhead } from '@joule/consensus/internal';

// ---- protocols ---------------------------------------------------------------------------------

/** Consensus gossip: proposals, votes, vote batches, status and decisions (one frame each), and peer lists. */
export const consensusProtocol = '/joule/consensus/2';
/** Transaction gossip: a batch of transactions per frame (`TxBatch`, a canonical list of byte strings). */
export const mempoolProtocol = '/joule/mempool/2';
/** Block sync: one request and its response per stream. */
export const blockSyncProtocol = '/joule/blocksync/1';

// ---- frames ------------------------------------------------------------------------------------

/** Largest consensus frame (the consensus package's own limit on a message). */
export const maxConsensusFrameBytes = maxMsgBytes;
/**
 * Transaction bytes one gossip frame gathers before it is sent (a larger transaction goes alone).
 * The transactions admitted or relayed in one event-loop turn leave together, up to this.
 */
export const maxMempoolBatchBytes = 64 * 1024;
/** Most transactions in one gossip frame. */
export const maxMempoolBatchTxs = 1_024;
/** Largest mempool frame: a batch of `maxMempoolBatchBytes`, or one transaction of `maxTxBytes`, with the list's framing. */
export const maxMempoolFrameBytes = Math.max(maxTxBytes, maxMempoolBatchBytes) + 8 * maxMempoolBatchTxs;
/** Largest block-sync request frame. */
export const maxBlockSyncRequestBytes = 64;
/** Largest block-sync response frame: one block (≤ 2 MiB + its last commit) and its commit. */
export const maxBlockSyncFrameBytes = maxMsgBytes;

// ---- connections and streams -------------------------------------------------------------------

/** Most open connections; the LIC grid gives each node 2–3, so this leaves room for operators. */
export const defaultMaxConnections = 32;
/** Most inbound gossip streams per protocol and connection (one is used; one spare for a reconnect). */
export const maxGossipStreamsPerConnection = 2;
/** Most concurrent inbound block-sync streams per connection. */
export const maxBlockSyncStreamsPerConnection = 4;
/** Inbound connections per second from one host before further ones are refused. */
export const defaultInboundConnectionsPerSecond = 5;
/**
 * Most open connections from one IP address (inbound and outbound); further inbound ones are
 * refused by the gater before the handshake. Boards of the grid each have their own address; a
 * few may share one behind a router.
 */
export const defaultMaxConnectionsPerIp = 4;
/** Most inbound connections still in their handshake (Noise, yamux) at once. */
export const defaultMaxIncomingPendingConnections = 8;
/** A dial (TCP connect + Noise + yamux) must complete within this long, ms. */
export const dialTimeoutMs = 10_000;
/** Longest error text handed with a failed dial (`DialFailure.message`), characters. */
export const maxDialErrorChars = 300;
/** A stream's protocol negotiation must complete within this long, ms. */
export const streamOpenTimeoutMs = 5_000;
/** Ping period of libp2p's connection monitor by default, ms (a failed ping closes the link). */
export const defaultPingIntervalMs = 10_000;
/** yamux's initial receive window per stream (the protocol's), bytes: the least a window can be. */
export const yamuxInitialStreamWindowBytes = 256 * 1024;

// ---- persistent peers --------------------------------------------------------------------------

/** First delay before redialling a lost persistent peer, ms (then doubled each failure). */
export const reconnectMinMs = 500;
/** Longest delay between redials of a persistent peer, ms (a board may be offline for hours). */
export const reconnectMaxMs = 60_000;
/** Most persistent peers. */
export const maxPersistentPeers = 64;
/** Most peer ids on an allow-list. */
export const maxAllowListPeers = 10_000;

// ---- queues and caches -------------------------------------------------------------------------

/**
 * Bytes a peer's inbound stream may hold unread while this node handles earlier frames (at least
 * one whole frame more). Past it the stream is reset and its frames lost, so it must cover a burst
 * arriving while the handler waits: a few thousand transactions during a block's commit.
 */
export const maxInboundBufferBytes = 4 * 1024 * 1024;
/**
 * The same for a transaction stream: about 400 transactions of the pilot's size (2.5 KiB) — the
 * burst of a block's commit — and 64 MiB at most over 32 peers' two streams.
 */
export const maxMempoolInboundBufferBytes = 1024 * 1024;
/** Most frames waiting to be written to one peer on one protocol; the oldest is dropped first. */
export const maxPeerQueueFrames = 1_024;
/** Most bytes waiting to be written to one peer on one protocol. */
export const maxPeerQueueBytes = 8 * 1024 * 1024;
/**
 * Most frame bytes one write to a peer's stream carries (queued frames leave together, up to this;
 * a larger frame goes alone). Noise seals at most 64 KiB per message, so a write splits there anyway.
 */
export const maxPeerWriteBytes = 256 * 1024;
/** Most peer ids in a peers frame (a node's list of its own peers, see `NeighbourSets`). */
export const maxAdvertisedPeers = 64;
/** Hashes of consensus messages remembered for de-duplication (a few MiB with the map). */
export const consensusSeenCacheEntries = 20_000;
/**
 * Verdicts on received signed consensus frames, gossip and direct (status answers, catch-up votes),
 * by the SHA-256 of their bytes: the same bytes are not checked twice. A gossip frame's duplicate
 * is dropped before by the seen-set; its verdict serves the same bytes arriving as a direct frame,
 * or again after the seen-set has let its hash go.
 */
export const consensusVerdictCacheEntries = 4_096;
/**
 * (key, signature, sign bytes) triples found invalid, remembered so that a bad signature costs
 * one check however often it is sent (valid ones are remembered by consensus's `verifyCached`).
 */
export const invalidSignatureCacheEntries = 4_096;
/** Most bytes of those triples (key ‖ signature ‖ sign bytes, one character per byte). */
export const invalidSignatureCacheBytes = 1024 * 1024;
/** Hashes of transactions remembered for de-duplication. */
export const mempoolSeenCacheEntries = 20_000;

// ---- consensus relay ---------------------------------------------------------------------------

/** Messages at most this many heights below the node's height are still handled. */
export const heightWindowBelow = 1;
/** Messages at most this many heights above the node's height are handled; higher ones hint at block sync. */
export const heightWindowAbove = 1;
/**
 * Proposals at most this many rounds above the node's round are relayed: the rounds its driver
 * admits (`maxProposalRoundsAhead`), so a proposer's blocks for rounds no node would keep do not
 * cross the grid. One further ahead is dropped unblamed; a node in its round sends it to a peer
 * whose status shows it waiting for it.
 */
export const maxRelayRoundsAhead = maxProposalRoundsAhead;
/**
 * Most votes per validator of the height's set in one vote batch: the driver sends the prevotes
 * and precommits of two rounds (the peer's and its own), and the vote keeper holds at most
 * `maxCountedVotesPerValidatorRoundType` votes per validator, round and type. A batch over
 * `set size × this` cannot come from an honest driver and is refused before any signature check.
 */
export const maxBatchVotesPerValidator = 2 * 2 * maxCountedVotesPerValidatorRoundType;

// ---- rate limits (token buckets, per peer and protocol) ----------------------------------------

/** Sustained consensus frames per second from one peer. */
export const consensusFramesPerSecond = 400;
/** Consensus frames one peer may send in a burst. */
export const consensusBurstFrames = 1_000;
/** Sustained consensus bytes per second from one peer. */
export const consensusBytesPerSecond = 8 * 1024 * 1024;
/** Consensus bytes one peer may send in a burst. */
export const consensusBurstBytes = 16 * 1024 * 1024;
/**
 * Sustained transactions per second from one peer. An honest peer relays every transaction of
 * the network, so this sits above what a chain commits (a few thousand per second), not below.
 */
export const mempoolFramesPerSecond = 5_000;
/** Transactions one peer may send in a burst. */
export const mempoolBurstFrames = 10_000;
/** Sustained transaction bytes per second from one peer. */
export const mempoolBytesPerSecond = 8 * 1024 * 1024;
/** Transaction bytes one peer may send in a burst. */
export const mempoolBurstBytes = 16 * 1024 * 1024;
/** How often transactions that stay in the pool are gossiped again, ms. */
export const mempoolRegossipMs = 3_000;
/** Heights a transaction waits in the pool before it is gossiped again. */
export const mempoolRegossipAfterHeights = 2;
/** Most transactions gossiped again per round. */
export const maxRegossipTxs = 256;
/**
 * Event-loop turns a partial gossip batch may wait while the mempool still checks transactions
 * (each turn is a few of its checks): under a backlog the frames fill up instead of leaving with
 * the few transactions admitted in one turn; an idle mempool sends at once.
 */
export const mempoolGossipMaxWaitTurns = 32;
/** Block-sync requests per second one peer may make of this node. */
export const blockSyncRequestsPerSecond = 20;
/** Block-sync requests one peer may make in a burst. */
export const blockSyncBurstRequests = 40;

// ---- peer score --------------------------------------------------------------------------------

/** A peer is disconnected and banned when its score falls to this. Scores start at 0. */
export const banScore = -100;
/** How long a banned peer is refused, ms. */
export const banDurationMs = 10 * 60_000;
/** Score points a peer recovers per second (toward 0), so honest mistakes fade. */
export const scoreRecoveryPerSecond = 1;
/** Most peers whose score or ban is remembered (oldest forgotten first). */
export const maxScoredPeers = 1_024;
/** Penalties, in score points. */
export const penalties = {
  /** A frame over the protocol's size limit (the stream is reset too). */
  oversized: 50,
  /**
   * Bytes that do not decode strictly, or a frame no honest node sends (a status as gossip, a
   * vote batch over its cap or spanning heights).
   */
  malformed: 20,
  /**
   * A signature that does not verify, or a signer that is not the set's, at a height whose
   * validator set this node knows. Honest nodes check before they relay, so this is never an
   * accident: two such frames ban the peer.
   */
  invalidSignature: 50,
  /** A frame over the peer's rate limit (dropped). */
  rateLimited: 1,
  /**
   * The consensus driver refused a message from the peer with a `reject` fault: bytes no honest
   * node sends (a bad signature or signer, a block that is not the signed one, a commit that does
   * not verify). Its `ignore` faults (a correctly signed message that is invalid or too far ahead,
   * or this node's own overload) cost nothing.
   */
  driverReject: 5,
  /** A transaction over the chain's gas limit per transaction. */
  rejectedTx: 1,
  /**
   * A transaction refused for what its bytes say, whatever the state (bad signature, malformed, another
   * chain, an unknown or invalid message): an honest relay forwards only what it admitted.
   */
  invalidTx: 20,
  /** A block-sync response that was invalid, or a claimed height not served. */
  badBlockSync: 40,
  /** A block-sync request that timed out. */
  blockSyncTimeout: 10,
} as const;

// ---- block sync --------------------------------------------------------------------------------

/** Block sync takes over when a peer's verified height is this many heights above the node's. */
export const syncThresholdHeights = 3;
/** Period of the status poll of peers, ms. */
export const syncPollMs = 2_000;
/** Blocks asked of one peer in one request. */
export const syncBatchBlocks = 20;
/** Most requests in flight at once (each to a different peer). */
export const syncParallelRequests = 3;
/** Most blocks fetched and waiting to be applied. */
export const syncMaxPendingBlocks = 120;
/** A block-sync request (status or blocks) must be answered within this long, ms. */
export const syncRequestTimeoutMs = 5_000;
/** Block sync gives up and hands back to consensus after this long without applying a block, ms. */
export const syncStallMs = 15_000;
/** Most blocks a server sends in one response. */
export const maxSyncResponseBlocks = 50;
/** Most bytes a server sends in one response (at least one block is always sent). */
export const maxSyncResponseBytes = 8 * 1024 * 1024;
/** Most peer heights remembered by block sync. */
export const maxSyncPeers = 256;
