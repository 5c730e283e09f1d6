/**
 * @joule/consensus — the ground every Joule package stands on: the canonical codec, ed25519 with
 * ZIP-215 rules, SHA-256 and RFC 6962 Merkle trees, addresses, the consensus structures (blocks,
 * votes, proposals, commits, validator sets), the application interface, and the engine a node runs.
 *
 * Sub-paths: `./core` (the browser-safe part a client needs), `./sim` (the deterministic
 * simulator), `./internal` (engine building blocks for Joule's own packages; no stability promise).
 */
// biome-ignore-all assist/source/organizeImports: the surface is grouped by concept, not sorted by path

// Errors: every Joule error has a stable name and code.
export { JouleError, DecodeError, type DecodeErrorCode, InvalidValueError, AddressError } from './errors.js';

// The canonical codec: define a message or state schema, encode it, decode it strictly.
export {
  type Codec,
  type Infer,
  bigint,
  bool,
  bytes,
  i64,
  int,
  list,
  nullable,
  oneOf,
  refine,
  string,
  struct,
  uint,
} from './codec/schema.js';
export { type DecodeOptions, encode, decode, equalBytes } from './codec/canonical.js';
export {
  address,
  chainId,
  chainIdPattern,
  hash,
  height,
  publicKey,
  signature,
  timeMs,
} from './codec/fields.js';

// Hashes, keys, addresses and RFC 6962 Merkle trees.
export { sha256, toHex, fromHex } from './crypto/hash.js';
export { latin1 } from './crypto/native.js';
export { addressOf, formatAddress, parseAddress } from './crypto/address.js';
export {
  generateKeyPair,
  type KeyPair,
  publicKeyOf,
  sign,
  signatureCacheStats,
  verify,
} from './crypto/ed25519.js';
export { merkleRoot, inclusionProof, type InclusionProof, verifyInclusion } from './merkle/rfc6962.js';

// Chain data: blocks, headers, commits, votes, proposals, evidence and validator sets.
export { type Block, blockCodec, blockId } from './block/block.js';
export type { BlockId } from './block/block-id.js';
export { type Header, headerCodec, headerHash } from './block/header.js';
export { type Commit, type CommitSig, CommitFlag, commitCodec, verifyCommit } from './block/commit.js';
export { type Vote, VoteType, voteCodec, signVote, verifyVoteSignature } from './vote/vote.js';
export { type Proposal, proposalCodec } from './vote/proposal.js';
export type { DuplicateVoteEvidence } from './vote/evidence.js';
export {
  type Validator,
  type ValidatorSet,
  makeValidator,
  makeValidatorSet,
  validatorSetCodec,
  validatorSetHash,
} from './validators/validator-set.js';
export { txHash, type TxHash } from './mempool/mempool.js';

// The application interface: what the engine asks of an application (@joule/state implements it).
export type {
  Application,
  AppEvent,
  AppInfo,
  EventAttribute,
  ExecTxResult,
  ValidatorUpdate,
  Misbehavior,
  CheckTxKind,
  CheckTxRequest,
  CheckTxResponse,
  CommitResponse,
  CommittedBlock,
  FinalizeBlockRequest,
  FinalizeBlockResponse,
  InitChainRequest,
  InitChainResponse,
  PrepareProposalRequest,
  PrepareProposalResponse,
  ProcessProposalRequest,
  ProcessProposalResponse,
  QueryRequest,
  QueryResponse,
} from './app/application.js';

// Bounded caches: every cache in Joule is one (LRU, bounded by entries and bytes).
export {
  BoundedCache,
  type BoundedCacheOptions,
  type BoundedCacheStats,
  bytesKey,
} from './cache/bounded-cache.js';

// Genesis and chain state.
export { type Genesis, defaultConsensusParams, genesisState } from './chain/update-state.js';
export {
  type ConsensusParams,
  type ChainState,
  chainStateCodec,
  consensusParamsCodec,
} from './chain/chain-state.js';
export type { ChainStore } from './chain/chain-store.js';

// Running the engine: the driver and the parts a node wires into it (mempool, evidence pool,
// double-sign guard, write-ahead log, transport, clock).
export { ConsensusDriver } from './driver/driver.js';
export {
  type DriverDeps,
  type DriverOptions,
  defaultDriverOptions,
  type CommittedEvent,
} from './driver/options.js';
export { type Timeouts, defaultTimeouts } from './engine/types.js';
export { Mempool, type MempoolOptions } from './mempool/mempool.js';
export { EvidencePool, type EvidencePoolOptions, type EvidenceChainView } from './evidence/pool.js';
export { DoubleSignGuard, type DoubleSignGuardOptions } from './signer/guard.js';
export type { SignerStore } from './signer/signer-store.js';
export { FileSignerStore, type FileSignerStoreOptions } from './signer/file-signer-store.js';
export { MemorySignerStore } from './signer/memory-signer-store.js';
export type { Wal } from './wal/wal.js';
export { FileWal, type FileWalOptions } from './wal/file-wal.js';
export { MemoryWal, type MemoryWalOptions } from './wal/memory-wal.js';
export type { Transport, PeerId } from './driver/transport.js';
export type { ConsensusMessage } from './driver/messages.js';
export { type PeerFault, peerFault } from './driver/peer-fault.js';
export type { Clock } from './driver/clock.js';
export { systemClock } from './driver/system-clock.js';
export { type Logger, silentLogger, type Signer, type TxPool, type EvidenceSource } from './driver/ports.js';
export type { Startable } from './startable.js';

// What the engine refuses or halts on.
export {
  ConsensusHaltError,
  ApplicationFailedError,
  CommitFailedError,
  DecidedBlockRefusedError,
  ReplayMismatchError,
} from './driver/halt.js';
export { DiskFullError, diskFullOf, WalFailedError } from './driver/disk-full.js';
export {
  MempoolError,
  MempoolFullError,
  MempoolSenderFullError,
  TxRejectedError,
  TxTooLargeError,
} from './mempool/errors.js';
export { EvidenceError } from './evidence/errors.js';
export { DoubleSignError } from './signer/errors.js';
export { WalError, WalCorruptError } from './wal/errors.js';

// Limits a chain is checked against (units in the names).
export {
  maxBlockBytes,
  maxBlockTxs,
  maxTxBytes,
  maxMsgBytes,
  maxChainIdLength,
  maxValidators,
  maxTotalVotingPower,
  hashBytes,
  addressBytes,
} from './constants.js';
// The process's cache of valid signatures (a node's memory budget counts it).
export { verifiedSignatureCacheBytes } from './constants.js';
