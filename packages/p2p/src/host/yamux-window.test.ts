import { StreamState } from '@chainsafe/libp2p-yamux/stream';
import { generateKeyPair } from '@joule/consensus';
import { lpStream } from '@libp2p/utils';
import { afterEach, describe, expect, it } from 'vitest';
import { yamuxInitialStreamWindowBytes } from '../constants.js';
import { createP2pHost, type P2pHost } from './host.js';
import { type StreamWindow, windowUpdateDue } from './yamux-window.js';

const window = yamuxInitialStreamWindowBytes;

describe('windowUpdateDue', () => {
  it('waits until half the receive window is consumed on an established stream', () => {
    const established = (capacity: number) =>
      windowUpdateDue({ state: StreamState.Established, recvWindow: window, recvWindowCapacity: capacity });
    expect(established(window - 100), 'one small frame read').toBe(false);
    expect(established(window / 2 + 1), 'just under half consumed').toBe(false);
    expect(established(window / 2), 'half consumed').toBe(true);
    expect(established(0), 'the whole window consumed').toBe(true);
  });

  it("falls back to yamux's own rule when a stream lacks the window fields (another yamux)", () => {
    const odd = { state: StreamState.Established } as unknown as StreamWindow;
    expect(windowUpdateDue(odd)).toBe(true);
  });

  it("leaves the stream's opening answer and a paused stream to yamux", () => {
    for (const state of [StreamState.Init, StreamState.SYNReceived, StreamState.Paused])
      expect(windowUpdateDue({ state, recvWindow: window, recvWindowCapacity: window })).toBe(true);
  });
});

const hosts: P2pHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

async function boardHost(seed: number): Promise<P2pHost> {
  const h = await createP2pHost(
    {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      inboundConnectionsPerSecond: 1_000,
      // A window that cannot grow: the sender must wait for every update it needs.
      maxStreamWindowBytes: window,
    },
    { nodeKey: generateKeyPair(new Uint8Array(32).fill(seed)) },
  );
  hosts.push(h);
  await h.start();
  return h;
}

describe('yamux window updates over loopback TCP', () => {
  it('a stream carries four windows of frames with an update per half window, not per frame', async () => {
    const protocol = '/joule-test/window/1';
    const frameBytes = 8 * 1024;
    const frames = (4 * window) / frameBytes;
    const sender = await boardHost(91);
    const receiver = await boardHost(92);
    let updates = 0;
    let dataReads = 0;
    let received = 0;
    const done = new Promise<void>((resolve, reject) => {
      void receiver.libp2p.handle(protocol, async (stream) => {
        // Count the frames the receiving stream sends back (window updates are type 1).
        const s = stream as unknown as {
          sendFrame: (header: { type: number }, body?: unknown) => boolean;
          onData: (data: unknown) => void;
        };
        const sendFrame = s.sendFrame;
        s.sendFrame = (header, body) => {
          if (header.type === 1) updates++;
          return sendFrame(header, body);
        };
        const onData = s.onData.bind(stream);
        s.onData = (data) => {
          dataReads++;
          onData(data);
        };
        try {
          const lp = lpStream(stream, { maxDataLength: frameBytes });
          while (received < frames) {
            await lp.read({ signal: AbortSignal.timeout(10_000) });
            received++;
          }
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    await sender.dial(receiver.addresses()[0] ?? '');
    const stream = await sender.libp2p.dialProtocol(receiver.libp2p.peerId, protocol);
    const lp = lpStream(stream);
    for (let i = 0; i < frames; i++) await lp.write(new Uint8Array(frameBytes).fill(i));
    await done;
    expect(received, 'every frame arrived through a window a quarter of their size').toBe(frames);
    expect(dataReads, 'the data came in many yamux frames').toBeGreaterThan(16);
    // 1 MiB through a 256 KiB window: one update per 128 KiB consumed, 8, and at most one more
    // for the stream's opening; per frame would be one for each of the data frames.
    expect(updates).toBeGreaterThanOrEqual(6);
    expect(updates).toBeLessThanOrEqual(9);
  });
});
