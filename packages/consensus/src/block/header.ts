import { encode } from '../codec/canonical.js';
import { address, chainId, hash, height, timeMs } from '../codec/fields.js';
import { type Codec, nullable, struct } from '../codec/schema.js';
import { sha256 } from '../crypto/hash.js';
import { type BlockId, blockIdCodec } from './block-id.js';

/**
 * A block header. Field order is the wire order. `time` is Unix milliseconds; `lastBlockId` is
 * `null` only at the first height. The block's hash is the SHA-256 of the header's canonical
 * encoding, so any change to any field changes the block id.
 */
export interface Header {
  readonly chainId: string;
  readonly height: number;
  readonly time: number;
  readonly lastBlockId: BlockId | null;
  /** Hash of the commit for the previous block (`commitHash`). */
  readonly lastCommitHash: Uint8Array;
  /** RFC 6962 root of the block's transactions. */
  readonly dataHash: Uint8Array;
  readonly validatorsHash: Uint8Array;
  readonly nextValidatorsHash: Uint8Array;
  /** Application state after the previous block. */
  readonly appHash: Uint8Array;
  /** RFC 6962 root of the previous block's transaction results. */
  readonly lastResultsHash: Uint8Array;
  /** RFC 6962 root of the block's evidence. */
  readonly evidenceHash: Uint8Array;
  readonly proposerAddress: Uint8Array;
}

export const headerCodec: Codec<Header> = struct<Header>('Header', {
  chainId,
  height,
  time: timeMs,
  lastBlockId: nullable(blockIdCodec),
  lastCommitHash: hash,
  dataHash: hash,
  validatorsHash: hash,
  nextValidatorsHash: hash,
  appHash: hash,
  lastResultsHash: hash,
  evidenceHash: hash,
  proposerAddress: address,
});

/** The header's hash, which is the block's hash. */
export function headerHash(header: Header): Uint8Array {
  return sha256(encode(headerCodec, header));
}
