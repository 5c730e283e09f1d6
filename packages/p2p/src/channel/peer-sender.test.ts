import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Stream } from '@libp2p/interface';
import { describe, expect, it } from 'vitest';
import { P2pCounters } from '../peers/metrics.js';
import { PeerSender } from './peer-sender.js';

/** The part of a libp2p stream that `lpStream` writes through: `send` records each write's bytes. */
class RecordingStream extends EventTarget {
  status = 'open';
  writeStatus = 'writable';
  readonly writes: Uint8Array[] = [];
  readonly log = Object.assign(() => {}, { error: () => {}, trace: () => {} });
  send(data: Uint8Array | { subarray(): Uint8Array }): boolean {
    this.writes.push(data instanceof Uint8Array ? data : data.subarray());
    return true;
  }
  push(): void {}
  abort(): void {
    this.status = 'aborted';
  }
  closeRead(): void {}
}

/** Splits varint-length-prefixed bytes back into frames. */
function frames(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    let length = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[i++] as number;
      length |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    out.push(bytes.subarray(i, i + length));
    i += length;
  }
  return out;
}

const frame = (n: number, size: number): Uint8Array => new Uint8Array(size).fill(n % 251);

/** A stream that keeps nothing it is given (so that only the sender could hold a frame). */
class DiscardingStream extends RecordingStream {
  override send(): boolean {
    return true;
  }
}

/** V8's full garbage collection, from a test (the flag lets a new context see `gc`). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
const settle = () => new Promise<void>((r) => setTimeout(r, 5));

describe('PeerSender', () => {
  it('writes the frames queued in one loop turn as one write, in order', async () => {
    const stream = new RecordingStream();
    const counters = new P2pCounters();
    const sender = new PeerSender(
      stream as unknown as Stream,
      'mempool',
      { maxFrames: 1_000, maxBytes: 1 << 20 },
      counters,
    );
    for (let n = 0; n < 100; n++) sender.enqueue(frame(n, 40 + n));
    await settle();
    expect(stream.writes.length, 'one write for 100 frames queued together').toBe(1);
    const got = frames(stream.writes[0] as Uint8Array);
    expect(got.length, 'every frame arrives').toBe(100);
    for (const [n, f] of got.entries()) expect(f, `frame ${n}`).toEqual(frame(n, 40 + n));
    expect(counters.framesOut.get('mempool')).toBe(100);
    expect(counters.writesOut.get('mempool')).toBe(1);
    sender.close();
  });

  it('bounds one write by maxWriteBytes, and sends a larger frame alone', async () => {
    const stream = new RecordingStream();
    const sender = new PeerSender(
      stream as unknown as Stream,
      'consensus',
      { maxFrames: 1_000, maxBytes: 1 << 20, maxWriteBytes: 1_000 },
      new P2pCounters(),
    );
    for (let n = 0; n < 10; n++) sender.enqueue(frame(n, 300));
    sender.enqueue(frame(10, 5_000));
    await settle();
    const perWrite = stream.writes.map((w) => frames(w).length);
    expect(perWrite, 'three 300-byte frames fit in 1 000 bytes; the 5 000-byte frame goes alone').toEqual([
      3, 3, 3, 1, 1,
    ]);
    expect(frames(stream.writes.at(-1) as Uint8Array)[0]?.length).toBe(5_000);
    sender.close();
  });

  it('drops what is queued when closed before its write', async () => {
    const stream = new RecordingStream();
    const sender = new PeerSender(
      stream as unknown as Stream,
      'mempool',
      { maxFrames: 10, maxBytes: 1 << 20 },
      new P2pCounters(),
    );
    sender.enqueue(frame(1, 10));
    sender.close();
    await settle();
    expect(stream.writes.length, 'nothing written after close').toBe(0);
    expect(sender.enqueue(frame(2, 10)), 'a closed sender refuses').toBe(false);
  });

  it('holds no frame once it is written or dropped', async () => {
    const sender = new PeerSender(
      new DiscardingStream() as unknown as Stream,
      'consensus',
      { maxFrames: 2, maxBytes: 1 << 20 },
      new P2pCounters(),
    );
    // Five frames: three dropped at once (two at most are queued), two written; none referenced here.
    const refs = ((): WeakRef<Uint8Array>[] =>
      Array.from({ length: 5 }, (_, n) => {
        const f = frame(n, 64 * 1024);
        sender.enqueue(f);
        return new WeakRef(f);
      }))();
    await settle();
    collectGarbage();
    expect(
      refs.map((r) => r.deref() === undefined),
      'every frame collected',
    ).toEqual([true, true, true, true, true]);
    sender.close();
  });
});
