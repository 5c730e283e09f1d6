import { chainId } from './fields.js';
import { type Codec, string } from './schema.js';
import { packWire } from './wire.js';

const domainTag = string(64, /^[a-z0-9/._-]+$/);

/**
 * The bytes a validator signs: the canonical encoding of `[domainTag, chainId, value]`. The tag
 * keeps one kind of signed structure from passing for another, the chain id keeps a signature on
 * one chain from being replayed on another, and the node only ever signs bytes it encoded itself
 * from a validated structure.
 */
export function signBytes<T>(tag: string, id: string, codec: Codec<T>, value: T): Uint8Array {
  return packWire([domainTag.toWire(tag, 'tag'), chainId.toWire(id, 'chainId'), codec.toWire(value, '')]);
}
