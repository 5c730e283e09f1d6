import { readFile, writeFile } from 'node:fs/promises';
import type { Rng } from '@joule/consensus/internal';
import { applyOverrides, homePaths, parseConfig, renderConfig, type TestnetNode } from '@joule/node';
import { type LinkMode, LinkProxy } from './proxy.js';

/**
 * Puts a `LinkProxy` on every link of a testnet made by `createTestnet` (`joule testnet`).
 *
 * One proxy per *directed* link: node `i`'s persistent peer `j` becomes
 * `/ip4/127.0.0.1/tcp/<port of proxy i→j>/p2p/<id of j>`, and that proxy forwards to `j`'s real
 * listen port. libp2p dials both ways (each side redials its persistent peers), and a pair keeps
 * whichever connection was made first, so a fault must be put on both proxies of a pair to cut it:
 * `setPairMode(a, b, mode)` does that. The real listen ports stay open on 127.0.0.1, so a dial that
 * does not come from the persistent-peer list (none does in Joule: there is no peer discovery) would
 * bypass the proxies.
 */

export interface ProxiedLink {
  /** Index of the dialling node. */
  readonly from: number;
  /** Index of the node dialled. */
  readonly to: number;
  readonly proxy: LinkProxy;
}

export interface ProxiedTestnet {
  readonly links: readonly ProxiedLink[];
  /** The proxies of the pair {a, b} (both directions; empty when they are not peers). */
  pair(a: number, b: number): LinkProxy[];
  /** Sets both directions of the pair {a, b}. */
  setPairMode(a: number, b: number, mode: LinkMode): void;
  /** Cuts (or heals, with `pass`) every link between the two groups, both directions. */
  setSplitMode(left: readonly number[], right: readonly number[], mode: LinkMode): void;
  /** Sets every link. */
  setAllModes(mode: LinkMode): void;
  /** Stops every proxy (resets their connections). */
  stop(): Promise<void>;
}

/** The TCP port of a `/ip4/…/tcp/PORT/…` multiaddr. */
export function tcpPortOf(multiaddr: string): number {
  const match = /\/tcp\/(\d+)/.exec(multiaddr);
  if (match === null) throw new Error(`no /tcp/ port in ${multiaddr}`);
  return Number(match[1]);
}

/**
 * Starts a proxy per directed link of `nodes` (their `peers`) and rewrites each home's
 * config.toml `[p2p] persistent_peers` to dial its peers through them. Call before the nodes start.
 * The proxies draw their jitter from `rng` in link order, so a seed replays the same delays.
 */
export async function proxyTestnet(
  nodes: readonly TestnetNode[],
  deps: { rng: Rng },
): Promise<ProxiedTestnet> {
  const links: ProxiedLink[] = [];
  try {
    for (const [from, node] of nodes.entries()) {
      const peers: string[] = [];
      for (const to of node.peers) {
        const target = nodes[to];
        if (target === undefined)
          throw new Error(`${node.name} lists peer ${to}, which is not in the testnet`);
        const proxy = new LinkProxy({ target: { host: '127.0.0.1', port: tcpPortOf(target.p2p) } }, deps);
        await proxy.start();
        links.push({ from, to, proxy });
        peers.push(`/ip4/127.0.0.1/tcp/${proxy.port}/p2p/${target.peerId}`);
      }
      await setPersistentPeers(node.home, peers);
    }
  } catch (error) {
    await Promise.all(links.map((l) => l.proxy.stop()));
    throw error;
  }
  const pair = (a: number, b: number): LinkProxy[] =>
    links.filter((l) => (l.from === a && l.to === b) || (l.from === b && l.to === a)).map((l) => l.proxy);
  return {
    links,
    pair,
    setPairMode(a, b, mode) {
      for (const proxy of pair(a, b)) proxy.setMode(mode);
    },
    setSplitMode(left, right, mode) {
      for (const l of links) {
        const across =
          (left.includes(l.from) && right.includes(l.to)) || (right.includes(l.from) && left.includes(l.to));
        if (across) l.proxy.setMode(mode);
      }
    },
    setAllModes(mode) {
      for (const l of links) l.proxy.setMode(mode);
    },
    async stop() {
      await Promise.all(links.map((l) => l.proxy.stop()));
    },
  };
}

async function setPersistentPeers(home: string, peers: readonly string[]): Promise<void> {
  const path = homePaths(home).config;
  const config = parseConfig(await readFile(path, 'utf8'), path);
  await writeFile(
    path,
    renderConfig(applyOverrides(config, { p2p: { persistent_peers: [...peers] } }, path)),
    {
      mode: 0o600,
    },
  );
}
