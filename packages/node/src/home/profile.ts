import {
  bytesPerSeenHash,
  leveldbBytesPerOpenFile,
  type MemoryBudget,
  type NodeProfile,
  type ProfileName,
  p2pStreamsPerConnection,
  profiles,
  yamuxDefaultStreamWindowBytes,
} from '../constants.js';
import type { ConfigOverrides, NodeConfig } from './config-schema.js';

/** The profile named `name` (a name the config schema has validated). */
export function profileOf(name: string): NodeProfile {
  const profile = (profiles as Readonly<Record<string, NodeProfile>>)[name];
  if (profile === undefined) throw new RangeError(`no profile "${name}"`);
  return profile;
}

/**
 * The config.toml values a profile sets: every one derived from the profile's memory budget, timers
 * and disk, so that a budget and the setting that enforces it cannot drift apart.
 */
export function profileConfig(name: ProfileName): ConfigOverrides {
  const p = profileOf(name);
  const m = p.memory;
  return {
    node: { profile: name },
    db: {
      cache_bytes: m.leveldbCacheBytes,
      write_buffer_bytes: m.leveldbMemtablesBytes / 2,
      max_open_files: m.leveldbTableCacheBytes / leveldbBytesPerOpenFile,
    },
    state: {
      retain_blocks: p.disk.retainBlocks,
      prune_interval_blocks: p.disk.pruneIntervalBlocks,
      node_cache_bytes: m.stateNodeCacheBytes,
      value_cache_bytes: m.stateValueCacheBytes,
      verified_tx_cache_bytes: m.verifiedTxCacheBytes,
    },
    mempool: {
      max_txs: p.mempoolMaxTxs,
      max_bytes: m.mempoolBytes,
      cache_size: Math.floor(m.mempoolCacheBytes / bytesPerSeenHash),
    },
    consensus: { rebroadcast_ms: p.timers.rebroadcastMs, ...consensusConfig(p) },
    wal: { max_segment_bytes: p.disk.walSegmentBytes, max_segments: p.disk.walSegments },
    p2p: {
      max_connections: p.maxConnections,
      verdict_cache_bytes: m.p2pVerdictCacheBytes,
      invalid_signature_cache_bytes: m.p2pInvalidSignatureCacheBytes,
    },
  };
}

/** The `[consensus]` timeouts a profile sets (none: the schema's defaults stand). */
function consensusConfig(p: NodeProfile): ConfigOverrides['consensus'] {
  const c = p.consensus;
  if (c === undefined) return {};
  return {
    timeout_propose_ms: c.proposeMs,
    timeout_propose_delta_ms: c.proposeDeltaMs,
    timeout_prevote_ms: c.prevoteMs,
    timeout_prevote_delta_ms: c.prevoteDeltaMs,
    timeout_precommit_ms: c.precommitMs,
    timeout_precommit_delta_ms: c.precommitDeltaMs,
    timeout_commit_ms: c.commitMs,
    skip_timeout_commit: c.skipTimeoutCommit,
    proof_block_delay_ms: c.proofBlockDelayMs,
  };
}

/**
 * The memory budget a node's settings enforce: its profile's, with every component that a
 * config.toml key bounds read back from that key (the inverse of `profileConfig`). A key written in
 * config.toml wins over the profile, so a cache the operator made larger is reported against the
 * bound it fills towards, not the profile's; at the profile's defaults it is the profile's budget.
 */
export function budgetOf(config: NodeConfig, profile: NodeProfile): MemoryBudget {
  return {
    ...profile.memory,
    leveldbCacheBytes: config.db.cache_bytes,
    leveldbMemtablesBytes: 2 * config.db.write_buffer_bytes,
    leveldbTableCacheBytes: config.db.max_open_files * leveldbBytesPerOpenFile,
    mempoolBytes: config.mempool.max_bytes,
    mempoolCacheBytes: config.mempool.cache_size * bytesPerSeenHash,
    stateNodeCacheBytes: config.state.node_cache_bytes,
    stateValueCacheBytes: config.state.value_cache_bytes,
    verifiedTxCacheBytes: config.state.verified_tx_cache_bytes,
    p2pVerdictCacheBytes: config.p2p.verdict_cache_bytes,
    p2pInvalidSignatureCacheBytes: config.p2p.invalid_signature_cache_bytes,
    p2pStreamBuffersBytes:
      config.p2p.max_connections *
      p2pStreamsPerConnection *
      (profile.streamWindowBytes ?? yamuxDefaultStreamWindowBytes),
  };
}
