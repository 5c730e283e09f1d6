import { afterEach, describe, expect, it } from 'vitest';
import { TestNet } from '../testkit/test-net.js';

let net: TestNet | null = null;
afterEach(async () => {
  await net?.stop();
  net = null;
});

/** Handles that would keep the process alive or leak: sockets, servers, and timers. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (/TCP|Pipe|Timeout|Immediate|FSReq/.test(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe('lifecycle', () => {
  it('start/stop of connected nodes leaves no open socket, server or timer', async () => {
    const before = handles();
    net = await TestNet.create({
      nodes: 3,
      validators: [0, 1, 2],
      edges: [
        [0, 1],
        [1, 2],
      ],
    });
    await net.start();
    await net.waitForHeight(3, 20_000);
    // Idempotent, and restartable.
    await net.node(2).stop();
    await net.node(2).stop();
    await net.node(2).start();
    await net.node(2).start();
    await net.waitForHeight(net.node(0).height() + 2, 20_000);
    await net.stop();
    net = null;
    // Some handles close a tick after `stop()` resolves (a socket's last FIN); wait briefly.
    const leaks = () => Object.entries(handles()).filter(([kind, n]) => n > (before[kind] ?? 0));
    for (let i = 0; i < 40 && leaks().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(leaks(), `before ${JSON.stringify(before)}`).toEqual([]);
  });
});
