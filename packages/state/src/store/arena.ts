import { batchArenaChunkBytes, onHeapArrayMaxBytes } from '../constants.js';

/**
 * The small keys and values of one version's batch, cut from a few shared chunks. classic-level
 * copies each key and value out of V8 as the batch is built; V8 keeps an array of 64 bytes or less
 * on its own heap, and handing one to native code first moves it off the heap into a buffer of its
 * own (a malloc, a copy, and an object for the collector to sweep). A version's thousands of node
 * keys, value keys and 64-byte values are views of one chunk instead. The chunks live as long as
 * the batch (or, in the memory store of tests, as long as a key cut from them).
 */
export class BatchArena {
  private chunk = new Uint8Array(0);
  private at = 0;

  /** `length` zero bytes. */
  take(length: number): Uint8Array {
    if (this.at + length > this.chunk.length) {
      this.chunk = new Uint8Array(Math.max(batchArenaChunkBytes, length));
      this.at = 0;
    }
    const out = this.chunk.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  /** `bytes` themselves when V8 holds them off its heap already, else a copy cut from a chunk. */
  small(bytes: Uint8Array): Uint8Array {
    if (bytes.length > onHeapArrayMaxBytes) return bytes;
    const out = this.take(bytes.length);
    out.set(bytes);
    return out;
  }
}
