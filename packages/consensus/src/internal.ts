/**
 * `@joule/consensus/internal` — the engine's building blocks that Joule's own packages (p2p, state,
 * node), its fuzzer and its benchmarks reach into: block checks, consensus message and WAL record
 * encodings, proposer selection, evidence windows, vote counting, caches and internal bounds.
 * Applications use the package root; names here may change in any release.
 */
// biome-ignore-all assist/source/organizeImports: the surface is grouped by concept, not sorted by path

// Block structure checks and encodings.
export { blockIdCodec, blockIdEquals } from './block/block-id.js';
export {
  blockProblem,
  bodyProblem,
  decodeBlock,
  encodeBlock,
  evidenceHash,
  type HeaderFields,
  makeBlock,
  txsHash,
} from './block/block.js';
export { commitHash, commitSigCodec, commitSigToVote, InvalidCommitError } from './block/commit.js';

// Chain state transitions.
export { misbehaviorOf } from './chain/apply-block.js';
export { medianTime } from './chain/block-time.js';
export { AppResponseError } from './chain/errors.js';
export { nextChainState, resultsHash } from './chain/update-state.js';

// Codec internals.
export { maxRound, round } from './codec/fields.js';
export { signBytes } from './codec/sign-bytes.js';

// Bounds of engine internals.
export {
  domainTags,
  maxBlockEvidence,
  maxCachedProposerRounds,
  maxCountedVotesPerValidatorRoundType,
  maxDecodeDepth,
  maxFutureRoundsPerValidator,
  maxHashScratchBytes,
  maxLocalEvidence,
  maxMerkleProofLength,
  maxPendingVotesPerValidatorRoundType,
  nativeKeyCacheEntries,
  nativeSecretKeyCacheEntries,
  publicKeyBytes,
  secretKeyBytes,
  signatureBytes,
  verifiedSignatureCacheBytes,
  verifiedSignatureCacheEntries,
} from './constants.js';

// Signature fast paths.
export { maxBech32Length } from './crypto/address.js';
export { signatureCacheStats, signNoble, verifyCached, verifyFast } from './crypto/ed25519.js';

// Driver building blocks: block checks, commit, peer faults, consensus messages, the WAL records.
export { checkBlock, expectedBlockTime, InvalidBlockError, makeNextBlock } from './driver/block-check.js';
export type { Rng } from './driver/clock.js';
export { commitBlock, type CommitBlockDeps, type CommitFailure } from './driver/commit-block.js';
export { buildCommit } from './driver/commit-builder.js';
export {
  DriverStateError,
  type DriverStateErrorCode,
  HandshakeError,
  type HandshakeErrorCode,
} from './driver/errors.js';
export type { HeightFootprint } from './driver/height-blocks.js';
export {
  catchUpAnswersPerPeerPerSecond,
  catchUpBurstAnswersPerPeer,
  maxCatchUpPeers,
  maxFutureMessages,
  maxFutureProposals,
  maxPendingInputs,
  maxPendingInputsPerPeer,
  maxProposalBlockBytesPerHeight,
  maxProposalRoundsAhead,
  maxProposalRoundsPerHeight,
} from './driver/limits.js';
export {
  consensusMessageCodec,
  type DecisionMessage,
  decodeConsensusMessage,
  encodeConsensusMessage,
  type ProposalMessage,
  proposalMessageCodec,
  type StatusMessage,
  type VoteMessage,
  type VotesMessage,
} from './driver/messages.js';
export {
  type PeerFaultAction,
  peerFaultActions,
  type PeerFaultCode,
  type PeerFaultReport,
} from './driver/peer-fault.js';
export { decodeWalRecord, encodeWalRecord, type WalRecord, walRecordCodec } from './driver/wal-records.js';

// The pure consensus state machine.
export { apply, newHeightState, timeoutMs } from './engine/machine.js';
export {
  type Effect,
  type HeightState,
  type Input,
  type ProposalRecord,
  Step,
  type TimeoutStep,
} from './engine/types.js';

// Evidence pool internals.
export {
  DuplicateEvidenceError,
  type DuplicateEvidenceReason,
  type EvidenceErrorCode,
  EvidencePoolFullError,
  ExpiredEvidenceError,
  InvalidEvidenceError,
  type InvalidEvidenceReason,
} from './evidence/errors.js';
export {
  evidenceMaxAgeBlocks,
  evidenceMaxAgeMs,
  evidencePoolMaxBytes,
  evidencePoolMaxPending,
} from './evidence/limits.js';
export type { EvidencePoolDependencies } from './evidence/pool.js';
export {
  type ChainTip,
  encodeEvidence,
  type EvidenceAge,
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

// Mempool internals.
export {
  type MempoolErrorCode,
  MempoolUpdateError,
  TxGasTooHighError,
  TxInCacheError,
} from './mempool/errors.js';
export {
  mempoolCacheTxs,
  mempoolMaxBytes,
  mempoolMaxTxBytes,
  mempoolMaxTxs,
  mempoolMaxTxsPerSender,
} from './mempool/limits.js';
export type { MempoolDependencies } from './mempool/mempool.js';

// Merkle proofs.
export { leafHash, merkleRootOfLeaves, nodeHash } from './merkle/rfc6962.js';

// Signer state.
export { SignerStateCorruptError, SignerStoreIoError } from './signer/errors.js';
export { comparePositions, type DoubleSignGuardDependencies, type SignPosition } from './signer/guard.js';
export { maxSignBytes, maxSignerStateFileBytes } from './signer/limits.js';
export { signerStateCodec } from './signer/signer-state-codec.js';
export { type SignerState, SignStep } from './signer/signer-store.js';

// Proposer selection and validator updates.
export {
  incrementProposerPriority,
  incrementProposerPriorityWithProposer,
  priorityWindowSizeFactor,
  proposerForRound,
  proposerOf,
  ProposerSchedule,
  type ProposerSelection,
  rescaleAndCenterPriorities,
} from './validators/proposer.js';
export {
  applyValidatorUpdates,
  genesisValidatorSets,
  InvalidValidatorUpdateError,
  nextValidatorSet,
} from './validators/updates.js';
export {
  compareBytes,
  compareValidators,
  indexOfValidator,
  totalVotingPower,
  validatorCodec,
  validatorSetProblem,
} from './validators/validator-set.js';

// Votes, proposals and evidence.
export {
  compareBlockIds,
  duplicateVoteEvidenceCodec,
  duplicateVoteEvidenceProblem,
  makeDuplicateVoteEvidence,
} from './vote/evidence.js';
export {
  type CanonicalProposal,
  canonicalProposalCodec,
  proposalSignBytes,
  signProposal,
  verifyProposalSignature,
} from './vote/proposal.js';
export { type CanonicalVote, canonicalVoteCodec, voteSignBytes } from './vote/vote.js';

// Vote counting.
export { type AddVoteResult, NIL, type ValueId, valueIdOf, VoteKeeper } from './votes/vote-keeper.js';
export { isOneThird, isQuorum, type Weights, weightsOf } from './votes/weights.js';

// The write-ahead log.
export { type WalErrorCode, walIoError } from './wal/errors.js';
export {
  defaultMemoryWalRetainedHeights,
  defaultWalMaxSegmentBytes,
  defaultWalMaxSegments,
  maxWalQueuedBytes,
  maxWalRecordBytes,
  walReadChunkBytes,
  walRecordEnvelopeBytes,
  walWriteBatchBytes,
} from './wal/limits.js';
