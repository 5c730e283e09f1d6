import { generateKeyPair } from '@joule/consensus';
import { afterEach, describe, expect, it } from 'vitest';
import { createP2pHost, type P2pHost, type P2pHostOptions } from './host.js';

const hosts: P2pHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

let seed = 60;
async function host(options: Partial<P2pHostOptions> = {}): Promise<P2pHost> {
  const h = await createP2pHost(
    { listen: ['/ip4/127.0.0.1/tcp/0'], inboundConnectionsPerSecond: 1_000, ...options },
    { nodeKey: generateKeyPair(new Uint8Array(32).fill(seed++)) },
  );
  hosts.push(h);
  await h.start();
  return h;
}

async function dials(from: P2pHost, to: P2pHost): Promise<boolean> {
  try {
    await from.dial(to.addresses()[0] ?? '');
    return from.connectedPeers().includes(to.peerId);
  } catch {
    return false;
  }
}

async function until(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 40 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  return check();
}

describe('connection gating over loopback TCP', () => {
  it('with an allow-list, refuses every other peer id, inbound and outbound', async () => {
    const friend = await host();
    const stranger = await host();
    const guarded = await host({ allowList: [friend.peerId] });
    expect(await dials(friend, guarded), 'an allowed peer connects').toBe(true);
    await dials(stranger, guarded);
    expect(await until(() => !guarded.connectedPeers().includes(stranger.peerId))).toBe(true);
    expect(guarded.connectedPeers(), 'the guarded host keeps only its friend').toEqual([friend.peerId]);
    expect(await dials(guarded, stranger), 'nor does it dial a stranger').toBe(false);
  });

  it('refuses an allow-list entry that is not a peer id with a RangeError', async () => {
    await expect(host({ allowList: ['not-a-peer-id'] })).rejects.toThrow(RangeError);
  });

  it('caps the open connections from one IP address', async () => {
    const target = await host({ maxConnectionsPerIp: 2, exemptLoopback: false });
    const peers = await Promise.all([1, 2, 3, 4].map(() => host()));
    for (const p of peers) await dials(p, target);
    expect(await until(() => target.connectedPeers().length <= 2)).toBe(true);
    expect(target.connectedPeers().length, 'two from 127.0.0.1, no more').toBe(2);
    const open = await host({ maxConnectionsPerIp: 2 });
    const reached = [];
    for (const p of peers) reached.push(await dials(p, open));
    expect(reached, 'loopback is exempt by default').toEqual([true, true, true, true]);
    expect(await until(() => open.connectedPeers().length === 4)).toBe(true);
  });
});
