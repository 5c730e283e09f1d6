import { bytes, type Codec, list, nullable, struct } from '@joule/consensus';
import { maxKeyBytes, maxProvedReads, maxValueBytes } from '../constants.js';
import { type StoreProof, storeProofCodec } from '../store/proof.js';
import type { VersionedStore } from '../store/versioned-store.js';
import type { StateReader } from './state-layer.js';
import { TxError } from './tx-errors.js';

/**
 * One read of a proven module query: the key, its value at the query's height (`null`: absent),
 * and the store's proof of that against the height's app hash.
 */
export interface ProvedRead {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  readonly proof: StoreProof;
}

/** What a proven module query returns as its `proof`: every read of its handler, in read order. */
export const provedReadsCodec: Codec<readonly ProvedRead[]> = list(
  struct<ProvedRead>('ProvedRead', {
    key: bytes({ max: maxKeyBytes }),
    value: nullable(bytes({ max: maxValueBytes })),
    proof: storeProofCodec,
  }),
  maxProvedReads,
) as Codec<readonly ProvedRead[]>;

/**
 * The committed state at `version`, as a query handler reads it, recording a proof of every read.
 * A proven query shows its caller exactly what the handler read and nothing more: the handler's
 * own authorization (public, or the signed caller's) decides what it reads. Point reads are proven
 * at any retained version. A range read lists the keys of the latest state (the store iterates that
 * one only) and proves each at `version`, yielding those present there: a proof of each entry, not
 * that none was left out (a key deleted since is missed). At most `maxProvedReads` reads.
 */
export class ProvingReader implements StateReader {
  readonly reads: ProvedRead[] = [];

  constructor(
    private readonly store: VersionedStore,
    private readonly version: number,
  ) {}

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const { value, proof } = await this.store.prove(key, this.version);
    this.#record({ key, value, proof });
    return value ?? undefined;
  }

  async entries(prefix: Uint8Array, limit: number, after?: Uint8Array): Promise<[Uint8Array, Uint8Array][]> {
    const out: [Uint8Array, Uint8Array][] = [];
    for (const [key] of await this.store.entries(prefix, limit, after)) {
      const { value, proof } = await this.store.prove(key, this.version);
      this.#record({ key, value, proof });
      if (value !== null) out.push([key, value]);
    }
    return out;
  }

  #record(read: ProvedRead): void {
    if (this.reads.length >= maxProvedReads)
      throw new TxError('QUERY_FAILED', `a proven query reads at most ${maxProvedReads} keys`);
    this.reads.push(read);
  }
}
