import { type Timeouts, verifiedSignatureCacheBytes } from '@joule/consensus';
/**
 * Limits, file names and defaults of @joule/node, each named with its unit. The defaults of the
 * config file live in `home/config-schema.ts`, next to their documentation.
 */

/** Files of a home directory, relative to it. */
export const homeFiles = {
  config: 'config/config.toml',
  genesis: 'config/genesis.json',
  nodeKey: 'config/node_key.json',
  validatorKey: 'config/validator_key.json',
  signerState: 'data/signer_state.bin',
  db: 'data/db',
  wal: 'data/wal',
  lock: 'data/LOCK',
  /** SHA-256 of the genesis.json the data was made from, written at the first start. */
  genesisHash: 'data/genesis.sha256',
  keyring: 'keyring',
} as const;

/** The home used when neither `--home` nor `$JOULE_HOME` names one: `~/.joule`. */
export const defaultHomeDir = '.joule';
/** The environment variable naming the home when `--home` is absent. */
export const homeEnvVar = 'JOULE_HOME';
/** The API a client command talks to when neither `--node` nor a home names one. */
export const defaultApiUrl = 'http://127.0.0.1:26657';
/** Longest `joule stop` waits for the node to exit after SIGTERM, ms (the unit gives it 30 s). */
export const stopWaitMs = 30_000;
/** How often `joule stop` looks whether the node has exited, ms. */
export const stopPollMs = 100;
/** This package's version (`joule version`); a test holds it equal to package.json's. */
export const nodePackageVersion = '0.1.0';

/** Largest config.toml read, bytes. */
export const maxConfigFileBytes = 64 * 1024;
/** Largest genesis.json read, bytes (the app state dominates; @joule/state bounds it again). */
export const maxGenesisFileBytes = 32 * 1024 * 1024;
/** Largest key file read, bytes. */
export const maxKeyFileBytes = 4 * 1024;
/** Most keys in a keyring listed at once. */
export const maxKeyringKeys = 1_000;
/** Key names: letters, digits, `.`, `_`, `-`, at most 64 characters. */
export const keyNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Most transaction submissions the API handles at once (checks waiting for the mempool's lane);
 * one more is answered 429 `API_BUSY` with `Retry-After`, before its body is read.
 */
export const maxInFlightTxRequests = 256;
/** The retry hint of a 429 `API_BUSY`, ms (a check takes well under a millisecond). */
export const apiBusyRetryAfterMs = 100;
/** The retry hint of a 429 `MEMPOOL_FULL`, ms: about a block, which empties the pool's front. */
export const mempoolFullRetryAfterMs = 1_000;
/** Times a client posts again after a 429 with a retry hint before it gives up with the error. */
export const defaultClientBusyRetries = 5;
/** Longest wait a client honours from one retry hint, ms. */
export const maxClientRetryAfterMs = 10_000;
/** Most transactions in one `/broadcast_txs_sync` request (the body's size bounds it too). */
export const maxTxsPerSubmit = 256;
/** Most requests waiting for their transaction's block (`/broadcast_tx_commit`). */
export const maxCommitWaiters = 1_000;
/** Most peers given their own label in the invalid-messages metric; the rest share `other`. */
export const maxPeerMetricLabels = 64;
/** Most results in a list answered by the API (validators, peers). */
export const maxApiListItems = 1_000;
/** Longest URL accepted by the API, characters. */
export const maxUrlLength = 4 * 1024;
/** Time the API gives a client to send a request's headers, ms (then the socket is destroyed). */
export const apiHeadersTimeoutMs = 5_000;
/** Time an idle keep-alive connection to the API stays open, ms. */
export const apiKeepAliveTimeoutMs = 5_000;
/**
 * The retry hint of a 408 `REQUEST_TIMEOUT` (a request not received in full within `[api]
 * request_timeout_ms`, typically on a node too busy to read it), ms.
 */
export const apiRequestTimeoutRetryAfterMs = 1_000;
/** The retry hint of a 503 `NODE_STARTING` (the API listens before the node has its chain), ms. */
export const apiStartingRetryAfterMs = 1_000;
/** How often the API checks its connections against the header and request timeouts, ms. */
export const apiConnectionsCheckIntervalMs = 1_000;
/** The header that carries an authenticated query's envelope (hex of a `SignedQuery`). */
export const signedQueryHeader = 'joule-signed-query';
/**
 * Replay window of an authenticated query at the API, ms: its timestamp must be within this of the
 * last block time (the application allows more), and the API answers each envelope once within it.
 */
export const signedQueryWindowMs = 30_000;
/** Envelopes the API remembers to refuse their replay (entries older than the window are dropped first). */
export const maxSeenSignedQueries = 16_384;
/** Longest query string value used as a route parameter, characters. */
export const maxParamLength = 1_024;
/** Time a client of `@joule/node/client` waits for an answer by default, ms. */
export const defaultClientTimeoutMs = 30_000;
/** Trust period of `joule query … --verify`: how old its trusted header may be, ms (14 days). */
export const defaultVerifyTrustPeriodMs = 14 * 86_400_000;
/** Largest response body a client reads, bytes. */
export const maxClientResponseBytes = 16 * 1024 * 1024;

/** Exit codes of the `joule` CLI. */
export const exitCodes = {
  ok: 0,
  /** Something failed at run time (the node crashed, a store failed). */
  failure: 1,
  /** The command line is wrong (unknown command or flag, missing argument). */
  usage: 2,
  /**
   * An input file is wrong (config, genesis, key, home of another chain, port in use), or the Node is
   * too old (`@joule/consensus/node-check`, shared with the bins).
   */
  badInput: 3,
  /** The node at `--node` could not be reached. */
  unreachable: 4,
  /** The node answered with an error (a rejected transaction, an unknown route). */
  rejected: 5,
  /**
   * The disk under the home's data is full (`DISK_FULL`): the node stopped without losing what it
   * signed or committed; free space and start it again.
   */
  diskFull: 6,
  /** Stopped by a second signal, without a graceful shutdown. */
  interrupted: 130,
} as const;

// ---- profiles: one memory budget per component, timers and disk, sized for the machine ------------

/**
 * The profiles of `[node] profile` in config.toml. `server` (the default) keeps the settings Joule
 * always had; `board` sizes a validator for a 1 GB ARM board (Raspberry Pi class): what the systemd
 * unit and the bundle run with. `fast` is `server` with short consensus timeouts for a LAN or a
 * benchmark on loopback (as CometBFT's test configs), never for boards behind 4G links.
 */
export const profileNames = ['server', 'board', 'fast'] as const;
export type ProfileName = (typeof profileNames)[number];
/** The profile of a config.toml that names none. */
export const defaultProfile: ProfileName = 'server';

/**
 * What a node may hold in memory, per component, bytes. Each bound is enforced by the setting named
 * in its comment (a V8 flag of the unit, a config key, a p2p option); `/metrics` reports every one
 * (`joule_memory_budget_bytes{component}`) and, where the process can measure it, its use
 * (`joule_memory_used_bytes{component}`).
 */
export interface MemoryBudget {
  /** V8's old generation, code and maps: `--max-old-space-size` (objects, loaded code, module metadata). */
  readonly v8OldSpaceBytes: number;
  /** V8's young generation: three semi-spaces of `--max-semi-space-size`. */
  readonly v8YoungGenerationBytes: number;
  /** LevelDB's block cache: `[db] cache_bytes`. */
  readonly leveldbCacheBytes: number;
  /** LevelDB's memtables, the active one and one being flushed: 2 × `[db] write_buffer_bytes`. */
  readonly leveldbMemtablesBytes: number;
  /** LevelDB's table cache (index and filter blocks of open tables): `[db] max_open_files` × `leveldbBytesPerOpenFile`. */
  readonly leveldbTableCacheBytes: number;
  /** Transactions in the mempool: `[mempool] max_bytes`. */
  readonly mempoolBytes: number;
  /** Hashes of recently seen transactions: `[mempool] cache_size` × `bytesPerSeenHash`. */
  readonly mempoolCacheBytes: number;
  /**
   * Merkle tree nodes cached by the state, as the cache counts them (a node's encoding and a fixed
   * overhead: 0.5–1.4 KiB a node): `[state] node_cache_bytes`.
   */
  readonly stateNodeCacheBytes: number;
  /** The latest values of recently read and written state keys: `[state] value_cache_bytes`. */
  readonly stateValueCacheBytes: number;
  /** Transactions whose signature verified, kept with their decoding: `[state] verified_tx_cache_bytes`. */
  readonly verifiedTxCacheBytes: number;
  /**
   * Vote and proposal signatures found valid (and the node's own), so a vote relayed again or
   * repeated in the next block's commit is not verified twice: `verifiedSignatureCacheBytes` of
   * `@joule/consensus`, the process's (fixed). Transactions have their own cache (`verifiedTxCacheBytes`).
   */
  readonly verifiedSignatureCacheBytes: number;
  /** Gossip de-duplication sets (consensus and mempool, each `p2pSeenCacheBytes / 2 / bytesPerSeenHash` hashes). */
  readonly p2pSeenCacheBytes: number;
  /**
   * The consensus gossip's verdicts on received signed messages, by the SHA-256 of their bytes (a
   * message sent again is not checked again): `[p2p] verdict_cache_bytes` / `bytesPerVerdict` entries.
   */
  readonly p2pVerdictCacheBytes: number;
  /**
   * (key, signature, sign bytes) triples found invalid, counted at their bytes as the verified
   * signatures are: `[p2p] invalid_signature_cache_bytes`.
   */
  readonly p2pInvalidSignatureCacheBytes: number;
  /** Unread bytes peers may leave in flight: `[p2p] max_connections` × `p2pStreamsPerConnection` × the yamux stream window. */
  readonly p2pStreamBuffersBytes: number;
}

/** The timers that wake an idle node, ms. */
export interface ProfileTimers {
  /** Sampling period of the event-loop delay monitor (each sample is a wake-up). */
  readonly eventLoopSampleMs: number;
  /**
   * libp2p's connection monitor: a ping per connection this often (dead links are closed). Each
   * ping opens a stream on both ends of the connection: on an idle board node ~0.5 ms of CPU a
   * second per 30 s of period, for its 2–3 connections.
   */
  readonly pingIntervalMs: number;
  /** Transactions that stay in the pool are gossiped again this often. */
  readonly mempoolRegossipMs: number;
  /** `[consensus] rebroadcast_ms`: a node stuck at one step resends its votes and status this often. */
  readonly rebroadcastMs: number;
  /**
   * Block sync asks its peers for their height this often, a stream each (a peer seen ahead in
   * consensus gossip starts a sync at once; the poll is the fallback).
   */
  readonly blockSyncPollMs: number;
  /**
   * A block committed and nothing waits (no transaction in the mempool, no later commit): after this
   * long the node asks V8 for a memory-reducing full collection (0: never; V8 collects only when its
   * heap reaches a limit). Needs Node's `--expose-gc` (the unit's flag); without it nothing runs.
   */
  readonly idleCollectionDelayMs: number;
}

/**
 * The most of the node's time its idle collections (`idleCollectionDelayMs`) may take: after a
 * collection of `d` ms the next waits at least `d / idleCollectionMaxCpuShare` (100 × `d`). A
 * memory-reducing collection takes ~40–60 ms of an idle validator on the 2-core reference machine
 * (so one every 4–6 s at most), several times that on a board.
 */
export const idleCollectionMaxCpuShare = 0.01;

/** What a node keeps on disk. */
export interface ProfileDisk {
  /** `[state] retain_blocks`: heights of blocks and state kept (0: all, an archive). */
  readonly retainBlocks: number;
  /** `[state] prune_interval_blocks`. */
  readonly pruneIntervalBlocks: number;
  /** `[wal] max_segment_bytes` and `[wal] max_segments`. */
  readonly walSegmentBytes: number;
  readonly walSegments: number;
}

/**
 * Consensus timeouts of a profile that sets its own (`[consensus] timeout_*_ms`,
 * `skip_timeout_commit`), ms; a profile without them keeps the config schema's defaults.
 */
export interface ProfileConsensus extends Timeouts {
  readonly skipTimeoutCommit: boolean;
  /** `[consensus] proof_block_delay_ms`: how long a proof block waits for a transaction to carry. */
  readonly proofBlockDelayMs: number;
}

export interface NodeProfile {
  readonly name: ProfileName;
  readonly memory: MemoryBudget;
  readonly timers: ProfileTimers;
  readonly disk: ProfileDisk;
  /** Most open peer connections: `[p2p] max_connections`. */
  readonly maxConnections: number;
  /** Most transactions in the mempool: `[mempool] max_txs`. */
  readonly mempoolMaxTxs: number;
  /** yamux's largest receive window per stream, bytes (libp2p's default when absent: 16 MiB). */
  readonly streamWindowBytes?: number;
  /** Consensus timeouts (the config schema's, CometBFT's production ones, when absent). */
  readonly consensus?: ProfileConsensus;
}

/**
 * Bytes of live heap one remembered hash costs in a full seen-set or seen-cache: a `BoundedCache`
 * entry keyed by a SHA-256 as a 32-character string, with its share of the cache's `Map` and slot
 * arrays. Measured (`scripts/cache-heap.mjs`: caches filled to their cap and evicting, `heapUsed`
 * between full collections, Node 26 x64): 130–172 B an entry at 2 000–40 000 entries, rounded up.
 */
export const bytesPerSeenHash = 180;
/** The same for one verdict of the consensus gossip (a seen hash and a verdict object): 162–204 B measured. */
export const bytesPerVerdict = 210;
/** Estimated bytes LevelDB holds per open table file (index and filter blocks of Joule's small tables). */
export const leveldbBytesPerOpenFile = 4 * 1024;
/** Gossip streams per peer connection that hold a receive window (consensus, mempool, block sync). */
export const p2pStreamsPerConnection = 3;
/** yamux's default largest receive window per stream, bytes (libp2p's `maxStreamWindowSize`). */
export const yamuxDefaultStreamWindowBytes = 16 * 1024 * 1024;
/** A heap limit above the profile's V8 budget by this factor is logged at start (the unit's flags are missing). */
export const heapLimitWarnFactor = 1.25;

const KiB = 1024;
const MiB = 1024 * KiB;

/** A machine with memory to spare: the defaults of a full node or a validator on a server. */
const serverProfile: NodeProfile = {
  name: 'server',
  memory: {
    v8OldSpaceBytes: 384 * MiB,
    v8YoungGenerationBytes: 3 * 16 * MiB,
    leveldbCacheBytes: 2 * MiB,
    leveldbMemtablesBytes: 2 * 1 * MiB,
    leveldbTableCacheBytes: 128 * leveldbBytesPerOpenFile,
    mempoolBytes: 4 * MiB,
    mempoolCacheBytes: 10_000 * bytesPerSeenHash,
    stateNodeCacheBytes: 8 * MiB,
    stateValueCacheBytes: 4 * MiB,
    verifiedTxCacheBytes: 12 * MiB,
    verifiedSignatureCacheBytes,
    p2pSeenCacheBytes: 2 * 20_000 * bytesPerSeenHash,
    p2pVerdictCacheBytes: 4_096 * bytesPerVerdict,
    p2pInvalidSignatureCacheBytes: 1 * MiB,
    p2pStreamBuffersBytes: 16 * p2pStreamsPerConnection * yamuxDefaultStreamWindowBytes,
  },
  timers: {
    eventLoopSampleMs: 20,
    pingIntervalMs: 10_000,
    mempoolRegossipMs: 3_000,
    rebroadcastMs: 2_000,
    blockSyncPollMs: 2_000,
    idleCollectionDelayMs: 0,
  },
  disk: { retainBlocks: 0, pruneIntervalBlocks: 100, walSegmentBytes: 4 * MiB, walSegments: 4 },
  maxConnections: 16,
  mempoolMaxTxs: 2_000,
};

/** Every profile, by name. */
export const profiles: Readonly<Record<ProfileName, NodeProfile>> = {
  server: serverProfile,
  board: {
    name: 'board',
    memory: {
      v8OldSpaceBytes: 128 * MiB,
      v8YoungGenerationBytes: 3 * 1 * MiB,
      leveldbCacheBytes: 512 * KiB,
      leveldbMemtablesBytes: 2 * 256 * KiB,
      leveldbTableCacheBytes: 64 * leveldbBytesPerOpenFile,
      mempoolBytes: 1 * MiB,
      // The seen hashes are a de-duplication window, which needs minutes: at the pilot's load a
      // board validator meets a few hundred new gossip messages an hour, so 1 000 hashes a set hold
      // hours. Full, the sets are live heap a board carries for good: a soak of 12 simulated days
      // levelled off at ~35 MB anonymous with 5 000 a set (and 2 000 in the mempool's cache).
      mempoolCacheBytes: 1_000 * bytesPerSeenHash,
      stateNodeCacheBytes: 512 * KiB,
      stateValueCacheBytes: 256 * KiB,
      verifiedTxCacheBytes: 512 * KiB,
      verifiedSignatureCacheBytes,
      p2pSeenCacheBytes: 2 * 1_000 * bytesPerSeenHash,
      // A message is sent again within a few heights; 1 024 verdicts are ~100 heights of a
      // 4-validator set's proposals and votes. An honest peer never sends an invalid signature
      // (a peer that does is banned after two).
      p2pVerdictCacheBytes: 1_024 * bytesPerVerdict,
      p2pInvalidSignatureCacheBytes: 64 * KiB,
      p2pStreamBuffersBytes: 8 * p2pStreamsPerConnection * 256 * KiB,
    },
    timers: {
      eventLoopSampleMs: 1_000,
      pingIntervalMs: 60_000,
      mempoolRegossipMs: 10_000,
      rebroadcastMs: 5_000,
      blockSyncPollMs: 30_000,
      idleCollectionDelayMs: 250,
    },
    disk: { retainBlocks: 400, pruneIntervalBlocks: 50, walSegmentBytes: 1 * MiB, walSegments: 2 },
    maxConnections: 8,
    mempoolMaxTxs: 500,
    streamWindowBytes: 256 * KiB,
  },
  // The server's budget and timers, with the consensus timeouts of a LAN: a proposal late by
  // 300 ms gives the round up (+200 ms a round, so a loaded machine still converges), votes wait
  // 50 ms (+50), and the next height starts as soon as every precommit is in (else after 10 ms).
  // A proof block waits up to 100 ms for a transaction: when transactions come less than 100 ms
  // apart, the next one's block carries the app hash, so each costs one height, not two, and none
  // waits for an empty proof block in progress.
  fast: {
    ...serverProfile,
    name: 'fast',
    consensus: {
      proposeMs: 300,
      proposeDeltaMs: 200,
      prevoteMs: 50,
      prevoteDeltaMs: 50,
      precommitMs: 50,
      precommitDeltaMs: 50,
      commitMs: 10,
      skipTimeoutCommit: true,
      proofBlockDelayMs: 100,
    },
  },
};
