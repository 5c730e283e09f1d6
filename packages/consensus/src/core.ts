/**
 * `@joule/consensus/core` — what a client needs to check a chain, and nothing that needs Node: the
 * canonical codec, SHA-256, ed25519 (noble; Node's native paths only where the runtime has them),
 * addresses, RFC 6962 Merkle roots, and headers, commits, validator sets and votes with their
 * hashes and sign bytes. It loads in a browser; the light client's browser bundle is built on it.
 */
// biome-ignore-all assist/source/organizeImports: the surface is grouped by concept, not sorted by path

// Errors every Joule package builds on: a stable name and code on each.
export { JouleError, DecodeError, type DecodeErrorCode, InvalidValueError, AddressError } from './errors.js';

// The canonical codec: schema builders, strict encode/decode, and the shared field codecs.
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
export { signBytes } from './codec/sign-bytes.js';
export { isUint32, uintBytes, writeUint } from './codec/msgpack-uint.js';
export {
  address,
  chainId,
  chainIdPattern,
  hash,
  height,
  maxRound,
  publicKey,
  round,
  signature,
  timeMs,
} from './codec/fields.js';

// Hashes, keys and addresses: SHA-256, ed25519 (ZIP-215 verification), bech32 addresses.
export { sha256, toHex, fromHex } from './crypto/hash.js';
export { latin1 } from './crypto/native.js';
export { addressOf, formatAddress, parseAddress, maxBech32Length } from './crypto/address.js';
export {
  generateKeyPair,
  type KeyPair,
  publicKeyOf,
  sign,
  signNoble,
  verify,
  verifyCached,
  verifyFast,
} from './crypto/ed25519.js';

// RFC 6962 Merkle trees.
export {
  merkleRoot,
  merkleRootOfLeaves,
  leafHash,
  nodeHash,
  inclusionProof,
  type InclusionProof,
  verifyInclusion,
} from './merkle/rfc6962.js';

// Headers, block ids and commits: what a client checks.
export { type Header, headerCodec, headerHash } from './block/header.js';
export { type BlockId, blockIdCodec, blockIdEquals } from './block/block-id.js';
export {
  type Commit,
  type CommitSig,
  CommitFlag,
  commitCodec,
  commitSigCodec,
  commitHash,
  commitSigToVote,
  verifyCommit,
  InvalidCommitError,
} from './block/commit.js';

// Validator sets and votes.
export {
  type Validator,
  type ValidatorSet,
  validatorCodec,
  validatorSetCodec,
  validatorSetHash,
  validatorSetProblem,
  makeValidator,
  makeValidatorSet,
  compareBytes,
  compareValidators,
  indexOfValidator,
  totalVotingPower,
} from './validators/validator-set.js';
export {
  type Vote,
  VoteType,
  type CanonicalVote,
  canonicalVoteCodec,
  voteCodec,
  voteSignBytes,
  signVote,
  verifyVoteSignature,
} from './vote/vote.js';

// Sizes and bounds of the consensus data (see constants.ts for the units).
export {
  addressBytes,
  hashBytes,
  publicKeyBytes,
  secretKeyBytes,
  signatureBytes,
  domainTags,
  maxBlockBytes,
  maxBlockEvidence,
  maxBlockTxs,
  maxTxBytes,
  maxMsgBytes,
  maxChainIdLength,
  maxValidators,
  maxTotalVotingPower,
  maxDecodeDepth,
  maxMerkleProofLength,
  maxCachedProposerRounds,
  maxCountedVotesPerValidatorRoundType,
  maxFutureRoundsPerValidator,
  maxHashScratchBytes,
  maxLocalEvidence,
  maxPendingVotesPerValidatorRoundType,
  nativeKeyCacheEntries,
  nativeSecretKeyCacheEntries,
  verifiedSignatureCacheBytes,
  verifiedSignatureCacheEntries,
} from './constants.js';
