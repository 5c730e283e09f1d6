import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRng } from '@joule/consensus/sim';
import { createTestnet, homePaths, parseConfig } from '@joule/node';
import { afterEach, describe, expect, it } from 'vitest';
import { type ProxiedTestnet, proxyTestnet, tcpPortOf } from './links.js';

let dir = '';
let net: ProxiedTestnet | null = null;
afterEach(async () => {
  await net?.stop();
  net = null;
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('proxyTestnet', () => {
  it('puts a proxy on every directed link and points each persistent peer at its proxy', async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-links-'));
    const nodes = await createTestnet({
      validators: 4,
      nodes: 6,
      out: dir,
      topology: 'lic',
      basePort: 27_000,
      chainId: 'links-test',
      addressPrefix: 'lic',
      denom: 'ulic',
    });
    net = await proxyTestnet(nodes, { rng: new SeededRng(3) });
    const directed = nodes.reduce((n, node) => n + node.peers.length, 0);
    expect(net.links.length).toBe(directed);
    for (const [i, node] of nodes.entries()) {
      const path = homePaths(node.home).config;
      const peers = parseConfig(await readFile(path, 'utf8'), path).p2p.persistent_peers;
      expect(peers.length, `${node.name}'s peers`).toBe(node.peers.length);
      for (const [k, j] of node.peers.entries()) {
        const link = net.links.find((l) => l.from === i && l.to === j);
        const peer = nodes[j];
        expect(link && peer, `link ${i}→${j}`).toBeTruthy();
        if (!link || !peer) continue;
        expect(peers[k]).toBe(`/ip4/127.0.0.1/tcp/${link.proxy.port}/p2p/${peer.peerId}`);
        expect(link.proxy.port).not.toBe(tcpPortOf(peer.p2p));
      }
    }
    // A pair of neighbours has both directions; a split sets exactly the links across it.
    expect(net.pair(0, 1).length).toBe(2);
    expect(net.pair(0, 5).length).toBe(0);
    net.setSplitMode([0, 2, 4], [1, 3, 5], { kind: 'drop' });
    for (const l of net.links)
      expect(l.proxy.mode.kind, `${l.from}→${l.to}`).toBe((l.from + l.to) % 2 === 1 ? 'drop' : 'pass');
  });
});
