import { type Codec, decode, encode } from '@joule/consensus';
import { StoreCorruptionError } from '../errors.js';
import { concatBytes, prefixEnd, u64 } from '../keys.js';
import type { KvStore, WriteBatch } from './kv-store.js';

/** How a typed value becomes bytes and back. */
export interface ValueCodec<V> {
  encode(value: V): Uint8Array;
  decode(bytes: Uint8Array): V;
}

/** How a typed key becomes the bytes after the table prefix. */
export type KeyEncoder<K> = (key: K) => Uint8Array;

/** A value codec from a canonical consensus codec (strict decode, bounded by `maxBytes`). */
export function canonical<V>(codec: Codec<V>, maxBytes?: number): ValueCodec<V> {
  const options = maxBytes === undefined ? {} : { maxBytes };
  return { encode: (v) => encode(codec, v), decode: (b) => decode(codec, b, options) };
}

/** Heights and versions as keys: 8 big-endian bytes, so key order is numeric order. */
export const heightKey: KeyEncoder<number> = u64;
/** Byte strings used as keys as they are. */
export const bytesKey: KeyEncoder<Uint8Array> = (k) => k;

/**
 * One table of the database: a one-byte prefix (see `keys.ts`), a key encoder and a value codec.
 * Reads go to the store; writes go into a caller's batch so that they join an atomic commit.
 */
export class Repository<K, V> {
  constructor(
    readonly prefix: number,
    private readonly keyOf: KeyEncoder<K>,
    private readonly codec: ValueCodec<V>,
  ) {}

  key(key: K): Uint8Array {
    return concatBytes(new Uint8Array([this.prefix]), this.keyOf(key));
  }

  async get(kv: KvStore, key: K): Promise<V | undefined> {
    const bytes = await kv.get(this.key(key));
    return bytes === undefined ? undefined : this.decode(bytes);
  }

  encode(value: V): Uint8Array {
    return this.codec.encode(value);
  }

  /** Decodes a stored value; a record that does not decode is `StoreCorruptionError`. */
  decode(bytes: Uint8Array): V {
    try {
      return this.codec.decode(bytes);
    } catch (cause) {
      throw new StoreCorruptionError(`table 0x${this.prefix.toString(16)} holds an undecodable record`, {
        cause: String(cause),
      });
    }
  }

  put(batch: WriteBatch, key: K, value: V): void {
    batch.put(this.key(key), this.codec.encode(value));
  }

  del(batch: WriteBatch, key: K): void {
    batch.del(this.key(key));
  }

  /** Encoded keys of every entry in `[from, to)` (both given as typed keys), at most `limit`. */
  async keysBetween(kv: KvStore, from: K, to: K, limit: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const [key] of kv.entries({ gte: this.key(from), lt: this.key(to), limit })) out.push(key);
    return out;
  }

  /** The whole table's range, for compaction. */
  range(): { start: Uint8Array; end: Uint8Array } {
    const start = new Uint8Array([this.prefix]);
    return { start, end: prefixEnd(start) };
  }
}
