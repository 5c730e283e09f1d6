import type { Proposal, Vote } from '@joule/consensus';
import { BoundedCache } from '@joule/consensus';
import { verifyCached, voteSignBytes } from '@joule/consensus/core';
import { proposalSignBytes } from '@joule/consensus/internal';
import { invalidSignatureCacheBytes, invalidSignatureCacheEntries } from '../constants.js';

/**
 * Signature checks of peer input, each distinct (key, signature, sign bytes) checked at most once:
 * valid verdicts are remembered by consensus's `verifyCached` (so the driver's own check of the
 * same vote costs a lookup), invalid ones here, in a bounded cache. `checks` counts the checks that
 * reached `verifyCached` (an upper bound on the ed25519 verifications run), for metrics and tests.
 */
export class SignatureVerdicts {
  readonly #invalid: BoundedCache<string, true>;
  /** Signatures handed to the verifier (not answered by the invalid cache). */
  checks = 0;
  /** Checks that found the signature invalid (an honest peer never causes one). */
  failed = 0;
  /** Signatures answered `invalid` by the cache, without a check. */
  invalidHits = 0;

  constructor(options: { readonly maxEntries?: number; readonly maxBytes?: number } = {}) {
    this.#invalid = new BoundedCache({
      maxEntries: options.maxEntries ?? invalidSignatureCacheEntries,
      maxBytes: options.maxBytes ?? invalidSignatureCacheBytes,
      sizeOf: (id) => id.length,
    });
  }

  /** Bytes the invalid cache holds, as it counts them (key ‖ signature ‖ sign bytes), for the memory metrics. */
  get invalidBytes(): number {
    return this.#invalid.bytes;
  }

  vote(chainId: string, vote: Vote, publicKey: Uint8Array): boolean {
    return this.#verify(publicKey, voteSignBytes(chainId, vote), vote.signature);
  }

  proposal(chainId: string, proposal: Proposal, publicKey: Uint8Array): boolean {
    return this.#verify(publicKey, proposalSignBytes(chainId, proposal), proposal.signature);
  }

  #verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const id = Buffer.concat([publicKey, signature, message]).toString('latin1');
    if (this.#invalid.has(id)) {
      this.invalidHits++;
      return false;
    }
    this.checks++;
    const ok = verifyCached(publicKey, message, signature);
    if (!ok) {
      this.failed++;
      this.#invalid.set(id, true);
    }
    return ok;
  }
}
