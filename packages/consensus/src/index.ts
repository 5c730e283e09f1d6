/**
 * @joule/consensus — the ground every Joule package stands on: the canonical codec, ed25519 with
 * ZIP-215 rules, SHA-256 and RFC 6962 Merkle trees, addresses, and the consensus structures
 * (blocks, votes, proposals, commits, validator sets) with their encodings, hashes and sign bytes.
 */

export * from './block/block.js';
export * from './block/block-id.js';
export * from './block/commit.js';
export * from './block/header.js';
export { type DecodeOptions, decode, encode, equalBytes } from './codec/canonical.js';
export * from './codec/fields.js';
export {
  bigint,
  bool,
  bytes,
  type Codec,
  type Infer,
  i64,
  int,
  list,
  nullable,
  oneOf,
  refine,
  string,
  struct,
} from './codec/schema.js';
export { signBytes } from './codec/sign-bytes.js';
export * from './constants.js';
export { addressOf, formatAddress, maxBech32Length, parseAddress } from './crypto/address.js';
export {
  generateKeyPair,
  type KeyPair,
  nativeKeyCacheSize,
  publicKeyOf,
  sign,
  verify,
  verifyFast,
} from './crypto/ed25519.js';
export { fromHex, sha256, toHex } from './crypto/hash.js';
export * from './errors.js';
export * from './merkle/rfc6962.js';
export * from './validators/validator-set.js';
export * from './vote/evidence.js';
export * from './vote/proposal.js';
export * from './vote/vote.js';
