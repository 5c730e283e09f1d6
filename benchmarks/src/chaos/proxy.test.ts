import { once } from 'node:events';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { SeededRng } from '@joule/consensus/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { type LinkMode, LinkModeError, LinkProxy, throttleBurstBytes } from './proxy.js';

/** A target on 127.0.0.1:0 that echoes (or only counts) what it reads. */
async function target(
  kind: 'echo' | 'sink',
): Promise<{ server: Server; port: number; received: () => number }> {
  let received = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (kind === 'echo') s.write(chunk);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof server.close;
  return { server, port, received: () => received };
}

/** Resolves when `socket` closes, reset or not (`once` would reject on the ECONNRESET). */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

async function dial(port: number): Promise<Socket> {
  const socket = tcpConnect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/** Reads from `socket` until `n` bytes came; resolves with them (rejects if it closes first). */
function readBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (chunk: Buffer): void => {
      parts.push(chunk);
      got += chunk.length;
      if (got >= n) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(Buffer.concat(parts));
      }
    };
    const onClose = (): void => reject(new Error(`closed after ${got} of ${n} bytes`));
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

async function until(check: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function pattern(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  kind: 'echo' | 'sink',
  mode?: LinkMode,
): Promise<{ proxy: LinkProxy; received: () => number; targetPort: number }> {
  const t = await target(kind);
  cleanups.push(() => new Promise<void>((r) => t.server.close(() => r())));
  const proxy = new LinkProxy(
    { target: { host: '127.0.0.1', port: t.port }, ...(mode ? { mode } : {}) },
    { rng: new SeededRng(1) },
  );
  await proxy.start();
  cleanups.push(() => proxy.stop());
  return { proxy, received: t.received, targetPort: t.port };
}

describe('LinkProxy', () => {
  it('pass: forwards every byte both ways, in order', async () => {
    const { proxy } = await setup('echo');
    expect(proxy.port).toBeGreaterThan(0);
    const s = await dial(proxy.port);
    cleanups.push(() => void s.destroy());
    const data = pattern(512 * 1024);
    const reply = readBytes(s, data.length);
    s.write(data);
    expect((await reply).equals(data), 'the echo through the proxy equals what was sent').toBe(true);
    expect(proxy.stats().forwardedBytes).toBe(2 * data.length);
  });

  it('drop: resets open connections and refuses new ones; pass heals', async () => {
    const { proxy, received } = await setup('echo');
    const s = await dial(proxy.port);
    const wasClosed = closed(s);
    proxy.setMode({ kind: 'drop' });
    await wasClosed;
    expect(proxy.stats().open).toBe(0);
    const before = received();
    const t = tcpConnect({ host: '127.0.0.1', port: proxy.port });
    t.on('error', () => {});
    t.on('connect', () => t.write('lost'));
    await closed(t);
    expect(received(), 'nothing reached the target while dropped').toBe(before);
    proxy.setMode({ kind: 'pass' });
    const u = await dial(proxy.port);
    cleanups.push(() => void u.destroy());
    const reply = readBytes(u, 5);
    u.write('again');
    expect((await reply).toString()).toBe('again');
  });

  it('blackhole: reads and discards, forwards nothing, and the connection stays open', async () => {
    const { proxy, received } = await setup('sink', { kind: 'blackhole' });
    const s = await dial(proxy.port);
    cleanups.push(() => void s.destroy());
    let isClosed = false;
    s.on('close', () => {
      isClosed = true;
    });
    const data = pattern(64 * 1024);
    s.write(data);
    await until(() => proxy.stats().discardedBytes === data.length, 'the proxy to read every byte');
    expect(received(), 'the target got nothing').toBe(0);
    expect(isClosed, 'the black hole keeps the connection open').toBe(false);
    expect(proxy.stats().open).toBe(1);
    // Leaving the black hole resets the connection (it lost bytes); a new one passes.
    const reset = closed(s);
    proxy.setMode({ kind: 'pass' });
    await reset;
    const u = await dial(proxy.port);
    cleanups.push(() => void u.destroy());
    u.write(data);
    await until(() => received() === data.length, 'the target to get the bytes after the heal');
  });

  it('blackhole entered on an open connection: what was forwarded stays, what follows is lost', async () => {
    const { proxy, received } = await setup('sink');
    const s = await dial(proxy.port);
    cleanups.push(() => void s.destroy());
    s.write(pattern(1000));
    await until(() => received() === 1000, 'the first bytes to pass');
    proxy.setMode({ kind: 'blackhole' });
    s.write(pattern(2000));
    await until(() => proxy.stats().discardedBytes === 2000, 'the proxy to discard the rest');
    expect(received()).toBe(1000);
  });

  it('delay: every chunk arrives, in order, no sooner than the lower bound', async () => {
    const minMs = 150;
    const { proxy } = await setup('echo', { kind: 'delay', minMs, maxMs: 300 });
    const s = await dial(proxy.port);
    cleanups.push(() => void s.destroy());
    const chunks = Array.from({ length: 40 }, (_, i) => pattern(100 + i * 50, i));
    const all = Buffer.concat(chunks);
    const reply = readBytes(s, all.length);
    const start = performance.now();
    for (const c of chunks) s.write(c);
    const echoed = await reply;
    const elapsed = performance.now() - start;
    expect(echoed.equals(all), 'the delayed echo is the same bytes in the same order').toBe(true);
    // There and back, each way held at least minMs.
    expect(elapsed, 'round trip through a delayed link').toBeGreaterThanOrEqual(2 * minMs - 5);
  });

  it('throttle: the bytes all arrive, no faster than the rate allows after the burst', async () => {
    const bytesPerSecond = 100_000;
    const { proxy, received } = await setup('sink', { kind: 'throttle', bytesPerSecond });
    const s = await dial(proxy.port);
    cleanups.push(() => void s.destroy());
    const n = throttleBurstBytes + 100_000;
    const start = performance.now();
    s.write(pattern(n));
    await until(() => received() === n, 'every throttled byte to arrive');
    const elapsed = performance.now() - start;
    expect(elapsed, `${n} bytes at ${bytesPerSecond} B/s`).toBeGreaterThanOrEqual(
      ((n - throttleBurstBytes) / bytesPerSecond) * 1000 - 5,
    );
  });

  it('flap: connections are reset in the down phase and get through in the up phase', async () => {
    const { proxy } = await setup('echo', { kind: 'flap', upMs: 200, downMs: 200 });
    const s = await dial(proxy.port);
    await closed(s);
    // Sooner or later a connection lands in an up phase and echoes.
    await until(() => proxy.stats().accepted >= 1, 'a connection');
    let echoed = false;
    for (let attempt = 0; attempt < 200 && !echoed; attempt++) {
      const u = tcpConnect({ host: '127.0.0.1', port: proxy.port });
      u.on('error', () => {});
      try {
        await once(u, 'connect');
        const reply = readBytes(u, 4);
        u.write('ping');
        echoed = (await reply).toString() === 'ping';
      } catch {
        // reset by a down phase: try again a little later
        await new Promise((r) => setTimeout(r, 20));
      } finally {
        u.destroy();
      }
    }
    expect(echoed, 'an up phase let a connection through').toBe(true);
  });

  it('refuses a mode with numbers out of range', () => {
    const proxy = new LinkProxy({ target: { host: '127.0.0.1', port: 1 } }, { rng: new SeededRng(1) });
    expect(() => proxy.setMode({ kind: 'delay', minMs: 300, maxMs: 50 })).toThrow(LinkModeError);
    expect(() => proxy.setMode({ kind: 'throttle', bytesPerSecond: 0 })).toThrow(LinkModeError);
    expect(() => proxy.setMode({ kind: 'flap', upMs: Number.NaN, downMs: 10 })).toThrow(LinkModeError);
    expect(proxy.mode.kind, 'a refused mode leaves the old one').toBe('pass');
  });

  it('jitter is a function of the seed', () => {
    const draw = (seed: number): number[] => {
      const p = new LinkProxy({ target: { host: '127.0.0.1', port: 1 } }, { rng: new SeededRng(seed) });
      return Array.from({ length: 8 }, () => p.jitter(50, 300));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    for (const d of draw(42)) expect(d >= 50 && d <= 300, `${d} in [50, 300]`).toBe(true);
  });
});
