import { generateKeyPair } from '@joule/consensus';
import { afterEach, describe, expect, it } from 'vitest';
import { yamuxInitialStreamWindowBytes } from '../constants.js';
import { createP2pHost, type P2pHost } from './host.js';

const window = yamuxInitialStreamWindowBytes;
const hosts: P2pHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

async function host(seed: number, maxStreamWindowBytes: number | undefined): Promise<P2pHost> {
  const h = await createP2pHost(
    {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      inboundConnectionsPerSecond: 1_000,
      ...(maxStreamWindowBytes === undefined ? {} : { maxStreamWindowBytes }),
    },
    { nodeKey: generateKeyPair(new Uint8Array(32).fill(seed)) },
  );
  hosts.push(h);
  await h.start();
  return h;
}

type Raw = {
  send(data: Uint8Array): boolean;
  onDrain(): Promise<void>;
  pause(): void;
  resume(): void;
  addEventListener(t: string, f: (e: { data: { byteLength: number } }) => void): void;
  closeWrite?: () => Promise<void>;
  close(): Promise<void>;
};

for (const [name, maxWindow] of [
  ['fixed window', window],
  ['growing window', undefined],
] as const)
  describe(`yamux half-window updates (${name})`, () => {
    it('odd-sized writes, a paused reader resumed, and a message above half a window all arrive', async () => {
      const protocol = '/joule-test/window/1';
      const sizes = [
        1,
        window / 2 + 1,
        window - 12,
        3 * window + 7,
        5,
        window / 2 - 1,
        window / 2,
        2 * window,
      ];
      const total = sizes.reduce((a, b) => a + b, 0);
      const sender = await host(71, maxWindow);
      const receiver = await host(72, maxWindow);
      const got = new Promise<number>((resolve, reject) => {
        void receiver.libp2p.handle(protocol, async (stream) => {
          const s = stream as unknown as Raw;
          let n = 0;
          // Pause at once, resume later, pause again mid-way.
          s.pause();
          setTimeout(() => s.resume(), 200);
          s.addEventListener('message', (e) => {
            n += e.data.byteLength;
            if (n > total / 3 && n < total / 2) {
              s.pause();
              setTimeout(() => s.resume(), 100);
            }
            if (n === total) resolve(n);
          });
          setTimeout(() => reject(new Error(`stalled at ${n}/${total}`)), 15_000);
        });
      });
      await sender.dial(receiver.addresses()[0] ?? '');
      const stream = (await sender.libp2p.dialProtocol(receiver.libp2p.peerId, protocol)) as unknown as Raw;
      for (const size of sizes) {
        if (!stream.send(new Uint8Array(size).fill(size & 0xff))) await stream.onDrain();
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await got).toBe(total);
    }, 30_000);
  });
