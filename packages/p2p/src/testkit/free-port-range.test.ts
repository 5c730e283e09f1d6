import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePortRange, freePorts } from './test-net.js';

const held: Server[] = [];
const hold = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      held.push(server);
      resolve();
    });
  });
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('freePortRange', () => {
  it('skips a range of which another process holds one port', async () => {
    const [port = 0] = await freePorts(1);
    // A range of four whose third port is taken: the next range of four is the answer.
    const from = port - 2;
    await hold(port);
    const start = await freePortRange(4, from);
    expect(start).toBeGreaterThanOrEqual(from + 4);
    expect((start - from) % 4).toBe(0);
    expect(port < start || port >= start + 4).toBe(true);
    // Every port of the answer can be bound, and it was released.
    for (let p = start; p < start + 4; p++) await hold(p);
  });

  it('fails with a clear error when no range is free below the bound', async () => {
    const [port = 0] = await freePorts(1);
    await hold(port);
    await expect(freePortRange(1, port, port + 1)).rejects.toThrow(/no 1 consecutive free ports/);
  });
});
