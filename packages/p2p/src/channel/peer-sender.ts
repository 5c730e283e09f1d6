import type { Stream } from '@libp2p/interface';
import { type LengthPrefixedStream, lpStream } from '@libp2p/utils';
import { maxPeerWriteBytes } from '../constants.js';
import type { P2pCounters } from '../peers/metrics.js';

export interface PeerSenderLimits {
  /** Most frames queued; the oldest is dropped first. */
  readonly maxFrames: number;
  /** Most bytes queued. */
  readonly maxBytes: number;
  /** Most frame bytes in one write (at least one frame is written). Default `maxPeerWriteBytes`. */
  readonly maxWriteBytes?: number;
}

/**
 * The write side of one gossip stream to one peer: a bounded FIFO of frames and a pump that
 * writes them in batches, waiting for the stream to drain when it is full (backpressure from
 * yamux and TCP). Overflow drops the oldest frames: in gossip a newer vote or transaction is worth
 * more than an older one, and the rebroadcast timer and catch-up answer re-send what matters.
 * Sending on a closed stream never throws: the frame is dropped and counted.
 *
 * Batching: the pump starts on the event loop's next check phase (`setImmediate`), not at the first
 * enqueue, so the frames queued by every callback of one loop turn — the HTTP requests, the frames
 * read from other peers — leave in one write: one yamux frame, one Noise message, one socket
 * write, where one write per frame cost each of them per frame. A batch holds at most
 * `maxWriteBytes` of frames; while a write waits for the stream to drain the queue fills and the
 * next batch takes all of it.
 */
export class PeerSender {
  readonly stream: Stream;
  readonly #lp: LengthPrefixedStream<Stream>;
  readonly #limits: PeerSenderLimits;
  readonly #counters: P2pCounters;
  readonly #name: string;
  readonly #abort = new AbortController();
  /** Frames from `#head` on are queued; the slots before it are cleared (`undefined`) as frames leave. */
  #queue: (Uint8Array | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  #pumping = false;
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  #closed = false;

  constructor(stream: Stream, name: string, limits: PeerSenderLimits, counters: P2pCounters) {
    this.stream = stream;
    this.#lp = lpStream(stream);
    this.#name = name;
    this.#limits = limits;
    this.#counters = counters;
    stream.addEventListener('close', () => this.close(), { once: true });
  }

  get open(): boolean {
    return !this.#closed && this.stream.status === 'open' && this.stream.writeStatus === 'writable';
  }

  /** Frames waiting to be written. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Queues `frame`; returns `false` if the stream is closed (the frame is dropped). */
  enqueue(frame: Uint8Array): boolean {
    if (!this.open) {
      this.#counters.add(this.#counters.dropped, 'stream-closed');
      return false;
    }
    this.#queue.push(frame);
    this.#bytes += frame.length;
    while (this.queued > this.#limits.maxFrames || (this.#bytes > this.#limits.maxBytes && this.queued > 1)) {
      const dropped = this.#take();
      this.#bytes -= dropped.length;
      this.#counters.add(this.#counters.dropped, 'queue-full');
    }
    this.#compact();
    if (!this.#pumping && this.#scheduled === undefined)
      this.#scheduled = setImmediate(() => {
        this.#scheduled = undefined;
        void this.#pump();
      });
    return true;
  }

  /** Stops the pump, drops the queue and aborts the stream. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    this.#abort.abort();
    this.#queue = [];
    this.#head = 0;
    this.#bytes = 0;
    if (this.stream.status === 'open') this.stream.abort(new Error('sender closed'));
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    const maxWriteBytes = this.#limits.maxWriteBytes ?? maxPeerWriteBytes;
    try {
      while (!this.#closed && this.queued > 0) {
        const batch: Uint8Array[] = [];
        let bytes = 0;
        while (this.queued > 0) {
          const frame = this.#queue[this.#head] as Uint8Array;
          if (batch.length > 0 && bytes + frame.length > maxWriteBytes) break;
          batch.push(this.#take());
          bytes += frame.length;
        }
        this.#bytes -= bytes;
        this.#compact();
        if (batch.length === 1) await this.#lp.write(batch[0] as Uint8Array, { signal: this.#abort.signal });
        else await this.#lp.writeV(batch, { signal: this.#abort.signal });
        this.#counters.add(this.#counters.framesOut, this.#name, batch.length);
        this.#counters.add(this.#counters.bytesOut, this.#name, bytes);
        this.#counters.add(this.#counters.writesOut, this.#name);
      }
    } catch {
      this.close();
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * The frame at the head, its slot cleared: a frame that was written or dropped is not held until
   * the next compaction (up to 256 of them, whatever their size, outside `maxBytes`).
   */
  #take(): Uint8Array {
    const frame = this.#queue[this.#head] as Uint8Array;
    this.#queue[this.#head++] = undefined;
    return frame;
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 256 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
