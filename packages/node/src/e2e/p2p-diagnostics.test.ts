import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@joule/consensus';
import { freePorts } from '@joule/p2p/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { JouleClient } from '../client/index.js';
import { parseConfig, renderConfig } from '../home/config.js';
import { peerIdOf } from '../home/key-files.js';
import { type SpawnedTestnet, spawnTestnet } from '../testkit/testnet.js';

/**
 * What an operator reads when peers are misconfigured: a 4-node testnet whose node0 has one
 * persistent peer with a wrong node id (node3's address, another id) and one that nothing listens
 * on. node0's JSON log names both (address, expected id, reason) and /net_info shows the remote
 * address of every connected peer. Real processes, LevelDB and libp2p over loopback.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LogLine {
  level: string;
  time: string;
  msg: string;
  module?: string;
  peer?: string;
  address?: string;
  reason?: string;
}

describe('p2p diagnostics of a misconfigured testnet', () => {
  let net: SpawnedTestnet | undefined;
  afterAll(async () => {
    await net?.stop();
  });

  it('logs a wrong peer id and an unreachable peer with their addresses; /net_info has remote addresses', {
    timeout: 240_000,
  }, async () => {
    const [deadPort = 1] = await freePorts(1);
    // The homes first, started once node0's peers are edited.
    const testnet = await spawnTestnet({
      validators: 4,
      nodes: 4,
      // Below the ephemeral range (32768+), so that no outgoing connection holds a port of the testnet.
      basePort: 21_000 + (process.pid % 400) * 8,
      dirPrefix: 'joule-p2p-diag-',
      start: false,
    });
    net = testnet;
    const { dir, nodes } = testnet;
    const [n0, n1, n2, n3] = nodes as [
      (typeof nodes)[0],
      (typeof nodes)[0],
      (typeof nodes)[0],
      (typeof nodes)[0],
    ];
    const wrongId = peerIdOf(generateKeyPair().publicKey);
    const dead = `/ip4/127.0.0.1/tcp/${deadPort}/p2p/${peerIdOf(generateKeyPair().publicKey)}`;
    const configPath = join(dir, 'node0', 'config/config.toml');
    const config = parseConfig(await readFile(configPath, 'utf8'), configPath);
    const wrong = config.p2p.persistent_peers
      .find((a) => a.endsWith(n3.node_id))
      ?.replace(n3.node_id, wrongId);
    expect(wrong, 'node0 peers with node3').toBeDefined();
    const peers = [
      ...config.p2p.persistent_peers.filter((a) => !a.endsWith(n3.node_id)),
      wrong as string,
      dead,
    ];
    await writeFile(configPath, renderConfig({ ...config, p2p: { ...config.p2p, persistent_peers: peers } }));

    const lines: LogLine[][] = nodes.map(() => []);
    const spawnedAt = Date.now();
    nodes.forEach((_, i) => {
      const p = testnet.start(i, { stdio: ['ignore', 'pipe', 'inherit'] });
      let buffer = '';
      p.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        for (const part of parts) if (part.startsWith('{')) lines[i]?.push(JSON.parse(part) as LogLine);
      });
    });
    const waitFor = async (what: string, boundMs: number, found: () => boolean): Promise<number> => {
      const t0 = Date.now();
      while (!found()) {
        if (Date.now() - t0 > boundMs) {
          const tails = lines.map(
            (l, i) =>
              `node${i}: ${l
                .slice(-3)
                .map((x) => x.msg)
                .join(' | ')}`,
          );
          throw new Error(`${what}: not within ${boundMs / 1000} s (${tails.join('; ')})`);
        }
        await sleep(100);
      }
      return Date.now() - t0;
    };
    // Four processes on a shared machine: the starts themselves get a generous bound.
    await waitFor('every node started', 120_000, () =>
      lines.every((l) => l.some((x) => x.msg === 'node started')),
    );
    const log0 = lines[0] as LogLine[];
    const started = log0.find((x) => x.msg === 'node started') as LogLine & { p2p?: string[] };
    const portOf = (n: { p2p: string }) => n.p2p.split('/')[4];
    expect(started.p2p?.[0], 'the start line names the listen address').toContain(`/tcp/${portOf(n0)}/`);
    expect(started.level, 'level names, not numbers').toBe('info');
    expect(started.time, 'ISO times').toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const failure = (address: string, reason: string) => (x: LogLine) =>
      x.module === 'p2p' && x.level === 'warn' && x.address === address && x.reason === reason;
    // Bounded waits, after all four started; the times are logged, not asserted.
    await waitFor('the wrong peer id logged', 10_000, () =>
      log0.some(failure(wrong as string, 'wrong peer id')),
    );
    await waitFor('the unreachable peer logged', 10_000, () => log0.some(failure(dead, 'refused')));
    const line = log0.find(failure(wrong as string, 'wrong peer id')) as LogLine;
    const refused = log0.find(failure(dead, 'refused')) as LogLine;
    const after = (x: LogLine) => `${((Date.parse(x.time) - spawnedAt) / 1000).toFixed(1)} s`;
    console.log(
      `node0 logged the refused peer ${after(refused)} and the wrong peer id ${after(line)} after the processes were spawned (node0 started ${after(started)})`,
    );
    expect(line.peer, 'the line names the id it expected').toBe(wrongId);
    expect(line.msg).toContain('wrong peer id');

    // node1 and node2 connect outbound; node3 dials node0 itself (its own peers list is right).
    const client = new JouleClient({ url: n0.api });
    type NetInfo = { peers: { node_id: string; remote_addr: string | null; is_outbound?: boolean }[] };
    let info: NetInfo = { peers: [] };
    await waitFor('node0 connected to node1, node2 and node3', 30_000, () => {
      void client
        .get<NetInfo>('/net_info')
        .then((i) => {
          info = i;
        })
        .catch(() => {});
      return [n1, n2, n3].every((n) => info.peers.some((p) => p.node_id === n.node_id));
    });
    for (const n of [n1, n2, n3]) {
      const peer = info.peers.find((p) => p.node_id === n.node_id);
      expect(peer?.remote_addr, n.name).toMatch(
        new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/[0-9]+(/p2p/${n.node_id})?$`),
      );
      expect(typeof peer?.is_outbound, `${n.name}: the direction`).toBe('boolean');
      // A connection node0 dialled is to the peer's listen port; one it accepted, from any port.
      if (peer?.is_outbound === true) expect(peer.remote_addr, n.name).toContain(`/tcp/${portOf(n)}`);
    }
    expect(info.peers.some((p) => p.node_id === wrongId)).toBe(false);

    expect(await testnet.terminate()).toEqual([0, 0, 0, 0]);
  });
});
