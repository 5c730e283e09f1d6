/**
 * @joule/consensus — the ground every Joule package stands on: the canonical codec, ed25519 with
 * ZIP-215 rules, SHA-256 and RFC 6962 Merkle trees, addresses, and the consensus structures
 * (blocks, votes, proposals, commits, validator sets) with their encodings, hashes and sign bytes.
 */

export * from './app/application.js';
export * from './block/block.js';
export * from './cache/bounded-cache.js';
export { misbehaviorOf } from './chain/apply-block.js';
export * from './chain/block-time.js';
export * from './chain/chain-state.js';
export * from './chain/chain-store.js';
export * from './chain/errors.js';
export * from './chain/update-state.js';
// The browser-safe surface (codec, crypto, headers, commits, validator sets, votes), then the rest.
export * from './core.js';
export {
  generateKeyPair,
  type KeyPair,
  publicKeyOf,
  sign,
  signatureCacheStats,
  signNoble,
  verify,
  verifyCached,
  verifyFast,
} from './crypto/ed25519.js';
export { checkBlock, expectedBlockTime, InvalidBlockError, makeNextBlock } from './driver/block-check.js';
export * from './driver/clock.js';
export { type CommitBlockDeps, type CommitFailure, commitBlock } from './driver/commit-block.js';
export { buildCommit } from './driver/commit-builder.js';
export { DiskFullError, diskFullOf, WalFailedError } from './driver/disk-full.js';
export {
  type CommittedEvent,
  ConsensusDriver,
  type DriverDeps,
  type DriverOptions,
  defaultDriverOptions,
} from './driver/driver.js';
export * from './driver/errors.js';
export {
  ApplicationFailedError,
  CommitFailedError,
  ConsensusHaltError,
  DecidedBlockRefusedError,
  ReplayMismatchError,
} from './driver/halt.js';
export type { HeightFootprint } from './driver/height-blocks.js';
export * from './driver/limits.js';
export * from './driver/messages.js';
export {
  type PeerFault,
  type PeerFaultAction,
  type PeerFaultCode,
  type PeerFaultReport,
  peerFault,
  peerFaultActions,
} from './driver/peer-fault.js';
export * from './driver/ports.js';
export { systemClock } from './driver/system-clock.js';
export * from './driver/transport.js';
export { decodeWalRecord, encodeWalRecord, type WalRecord, walRecordCodec } from './driver/wal-records.js';
export { apply, newHeightState, timeoutMs } from './engine/machine.js';
export * from './engine/types.js';
export * from './evidence/errors.js';
export * from './evidence/limits.js';
export * from './evidence/pool.js';
export {
  type ChainTip,
  type EvidenceAge,
  encodeEvidence,
  evidenceKey,
  isEvidenceExpired,
  verifyEvidenceSignatures,
} from './evidence/verify.js';
export {
  evidenceAgeOf,
  evidenceValidators,
  evidenceWindowBase,
  sameEvidenceValidators,
} from './evidence/window.js';
export * from './mempool/errors.js';
export * from './mempool/limits.js';
export * from './mempool/mempool.js';
export * from './signer/errors.js';
export { FileSignerStore, type FileSignerStoreOptions } from './signer/file-signer-store.js';
export {
  comparePositions,
  DoubleSignGuard,
  type DoubleSignGuardDependencies,
  type DoubleSignGuardOptions,
  type SignPosition,
} from './signer/guard.js';
export * from './signer/limits.js';
export { MemorySignerStore } from './signer/memory-signer-store.js';
export { signerStateCodec } from './signer/signer-state-codec.js';
export * from './signer/signer-store.js';
export type { Startable } from './startable.js';
export * from './validators/proposer.js';
export * from './validators/updates.js';
export * from './vote/evidence.js';
export * from './vote/proposal.js';
export * from './votes/vote-keeper.js';
export * from './votes/weights.js';
export * from './wal/errors.js';
export { FileWal, type FileWalOptions } from './wal/file-wal.js';
export * from './wal/limits.js';
export { MemoryWal, type MemoryWalOptions } from './wal/memory-wal.js';
export * from './wal/wal.js';
