import { decode, encode } from '../codec/canonical.js';
import { signerStateCodec } from './signer-state-codec.js';
import type { SignerState, SignerStore } from './signer-store.js';

/**
 * The signer store of the in-process simulator. A save is durable the moment it resolves, as a
 * `FileSignerStore` save is after its fsyncs, so a simulated power cut keeps it: a restarted node
 * either gets this same store again or the one `crash()` returns. States are copied through the
 * canonical codec in and out, so a save refuses what the file store would refuse and callers
 * never share buffers with the store.
 */
export class MemorySignerStore implements SignerStore {
  private state: Uint8Array | null = null;
  private saveFailure: Error | null = null;

  constructor(initial: SignerState | null = null) {
    if (initial !== null) this.state = encode(signerStateCodec, initial);
  }

  async load(): Promise<SignerState | null> {
    return this.state === null ? null : decode(signerStateCodec, this.state);
  }

  async save(state: SignerState): Promise<void> {
    const bytes = encode(signerStateCodec, state);
    if (this.saveFailure !== null) throw this.saveFailure;
    this.state = bytes;
  }

  /** What a restarted node finds after a power cut: the last saved state, in a fresh store. */
  crash(): MemorySignerStore {
    const next = new MemorySignerStore();
    next.state = this.state;
    return next;
  }

  /** Makes later saves fail with `error` (a dying disk), or succeed again with `null`. */
  failSaves(error: Error | null): void {
    this.saveFailure = error;
  }
}
