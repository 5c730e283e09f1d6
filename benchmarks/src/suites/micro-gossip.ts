import { decodeTxBatch, encodeTxBatch, P2pCounters, PeerSender } from '@joule/p2p';
import { Bench } from 'tinybench';
import type { Row } from '../report.js';

type Stream = ConstructorParameters<typeof PeerSender>[0];

/** The part of a libp2p stream `PeerSender` writes through, counting writes (no Noise, yamux or socket). */
class CountingStream extends EventTarget {
  status = 'open';
  writeStatus = 'writable';
  writes = 0;
  readonly log = Object.assign(() => {}, { error: () => {}, trace: () => {} });
  send(): boolean {
    this.writes++;
    return true;
  }
  push(): void {}
  abort(): void {
    this.status = 'aborted';
  }
  closeRead(): void {}
}

const frames = 1_000;
const frameBytes = 200;

/**
 * The gossip path's own costs: 1 000 frames of 200 bytes queued in one turn to one peer, written
 * one per write (`maxWriteBytes` 1: as before batching) and batched (the default); and a 200-tx
 * mempool batch encoded and decoded. Each write of the real stack adds a yamux frame, a Noise seal
 * and a socket write (see the throughput suite's components), so `writes` is the figure that counts.
 */
export async function gossipPrimitives(timeMs: number): Promise<Row[]> {
  const payload = Array.from({ length: frames }, (_, i) => new Uint8Array(frameBytes).fill(i & 0xff));
  const writes = new Map<string, number>();
  const sendAll = async (name: string, maxWriteBytes?: number) => {
    const stream = new CountingStream();
    const sender = new PeerSender(
      stream as unknown as Stream,
      'bench',
      {
        maxFrames: frames,
        maxBytes: frames * frameBytes,
        ...(maxWriteBytes === undefined ? {} : { maxWriteBytes }),
      },
      new P2pCounters(),
    );
    for (const f of payload) sender.enqueue(f);
    while (sender.queued > 0 || stream.writes === 0) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    writes.set(name, stream.writes);
    sender.close();
  };
  const txs = Array.from({ length: 200 }, (_, i) => new Uint8Array(180).fill(i & 0xff));
  const batch = encodeTxBatch(txs);
  const perFrame = `peer sender: ${frames} frames of ${frameBytes} B, one write each`;
  const batched = `peer sender: ${frames} frames of ${frameBytes} B, batched writes`;
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs) });
  bench
    .add(perFrame, () => sendAll(perFrame, 1))
    .add(batched, () => sendAll(batched))
    .add(`encode tx batch (200 txs, ${batch.length} B)`, () => void encodeTxBatch(txs))
    .add('decode tx batch (200 txs)', () => void decodeTxBatch(batch));
  await bench.run();
  return bench.tasks.map((task): Row => {
    const result = task.result;
    if (result.state !== 'completed') return { name: task.name, error: result.state };
    const w = writes.get(task.name);
    return {
      name: task.name,
      opsPerSec: Math.round(result.throughput.mean),
      meanUs: Number((result.latency.mean * 1000).toFixed(2)),
      p99Us: Number(((result.latency.p99 ?? result.latency.max) * 1000).toFixed(2)),
      rmePct: Number(result.throughput.rme.toFixed(1)),
      samples: result.latency.samplesCount,
      ...(w === undefined ? {} : { writes: w }),
    };
  });
}
