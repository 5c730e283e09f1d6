/**
 * `@joule/consensus/core` — what a client needs to check a chain, and nothing that needs Node: the
 * canonical codec, SHA-256, ed25519 (noble; Node's native paths only where the runtime has them),
 * addresses, RFC 6962 Merkle roots, and headers, commits, validator sets and votes with their
 * hashes and sign bytes. It loads in a browser; the light client's browser bundle is built on it.
 */
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
  uint,
} from './codec/schema.js';
export { signBytes } from './codec/sign-bytes.js';
export * from './constants.js';
export { addressOf, formatAddress, maxBech32Length, parseAddress } from './crypto/address.js';
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
export { fromHex, sha256, toHex } from './crypto/hash.js';
export * from './errors.js';
export * from './merkle/rfc6962.js';
export * from './validators/validator-set.js';
export * from './vote/vote.js';
