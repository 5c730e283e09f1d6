import { equalBytes } from '../codec/canonical.js';
import { hash } from '../codec/fields.js';
import { type Codec, struct } from '../codec/schema.js';

/** Names a block by the hash of its header. A nil vote carries no block id (`null`). */
export interface BlockId {
  readonly hash: Uint8Array;
}

export const blockIdCodec: Codec<BlockId> = struct<BlockId>('BlockId', { hash });

export function blockIdEquals(a: BlockId | null, b: BlockId | null): boolean {
  if (a === null || b === null) return a === b;
  return equalBytes(a.hash, b.hash);
}
