import { type AddressInfo, createServer, type Server } from 'node:net';
import {
  blockId,
  type DriverOptions,
  defaultConsensusParams,
  type Genesis,
  generateKeyPair,
  type MempoolOptions,
  sha256,
  type Timeouts,
  toHex,
} from '@joule/consensus';
import type { BlockSyncOptions } from '../blocksync/block-sync.js';
import type { ConsensusGossipOptions } from '../consensus/consensus-gossip.js';
import type { P2pHostOptions } from '../host/host.js';
import { TestNode } from './test-node.js';

/** Timeouts that make heights take tens of milliseconds on loopback. */
export const fastTimeouts: Timeouts = {
  proposeMs: 400,
  proposeDeltaMs: 200,
  prevoteMs: 200,
  prevoteDeltaMs: 100,
  precommitMs: 200,
  precommitDeltaMs: 100,
  commitMs: 10,
};

/**
 * The LIC grid: nodes in `rows` × `cols`, each linked to its neighbours,
 * so corner nodes have 2 peers and the others 3 (for 2 rows). Returns undirected edges.
 */
export function gridEdges(rows: number, cols: number): [number, number][] {
  const edges: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (c + 1 < cols) edges.push([i, i + 1]);
      if (r + 1 < rows) edges.push([i, i + cols]);
    }
  }
  return edges;
}

/** A server listening on 127.0.0.1:`port` (0: a port the OS picks), or `null` when the port is taken. */
function listenOn(port: number): Promise<Server | null> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const closeAll = (servers: readonly Server[]) =>
  Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));

/**
 * The first of `count` consecutive TCP ports on 127.0.0.1 that are all free, from `from` on in steps
 * of `count` (each port bound, then released): for a testnet whose nodes take fixed, consecutive
 * ports, so that a range another process holds (a benchmark's nodes, another run) is skipped rather
 * than failing the test on EADDRINUSE or reaching another chain's nodes.
 */
export async function freePortRange(count: number, from: number, below = 65_000): Promise<number> {
  for (let start = from; start + count <= below; start += count) {
    const servers: Server[] = [];
    for (let port = start; port < start + count; port++) {
      const server = await listenOn(port);
      if (server === null) break;
      servers.push(server);
    }
    await closeAll(servers);
    if (servers.length === count) return start;
  }
  throw new Error(`no ${count} consecutive free ports on 127.0.0.1 from ${from} below ${below}`);
}

/** `count` distinct free TCP ports on 127.0.0.1 (asked of the OS, held until all are known, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = await listenOn(0);
      if (server === null) throw new Error('the OS gave no free port on 127.0.0.1');
      servers.push(server);
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await closeAll(servers);
  }
}

export interface TestNetOptions {
  /** Node count; the nodes listed in `validators` vote. */
  readonly nodes: number;
  /** Indexes of the validators (equal power). */
  readonly validators: readonly number[];
  /** Undirected links; each becomes a persistent peer on both ends. */
  readonly edges: readonly (readonly [number, number])[];
  readonly driver?: Partial<DriverOptions>;
  readonly host?: Partial<P2pHostOptions>;
  readonly blockSync?: BlockSyncOptions;
  /** The consensus gossip's options of every node (default: the gossip's). */
  readonly consensus?: ConsensusGossipOptions;
  /** Seed of the node keys. */
  readonly seed?: number;
  /** Mempool bounds per node index (default: the mempool's). */
  readonly mempools?: Readonly<Record<number, MempoolOptions>>;
}

/** Several `TestNode`s on 127.0.0.1 with one genesis, linked as `edges` says. */
export class TestNet {
  readonly nodes: readonly TestNode[];
  readonly genesis: Genesis;

  constructor(nodes: readonly TestNode[], genesis: Genesis) {
    this.nodes = nodes;
    this.genesis = genesis;
  }

  static async create(options: TestNetOptions): Promise<TestNet> {
    const seed = options.seed ?? 1;
    const keys = Array.from({ length: options.nodes }, (_, i) =>
      generateKeyPair(sha256(new TextEncoder().encode(`joule-p2p-test/${seed}/${i}`))),
    );
    const genesis: Genesis = {
      chainId: 'joule-p2p-test',
      genesisTime: Date.now() - 1_000,
      initialHeight: 1,
      validators: options.validators.map((i) => ({
        pubKey: (keys[i] as (typeof keys)[number]).publicKey,
        power: 10n,
      })),
      consensusParams: defaultConsensusParams,
      appState: new Uint8Array(0),
    };
    const ports = await freePorts(options.nodes);
    const driver: Partial<DriverOptions> = { timeouts: fastTimeouts, rebroadcastMs: 300, ...options.driver };
    const bare = await Promise.all(
      keys.map((key, i) =>
        TestNode.create({
          name: `n${i}`,
          key,
          validator: options.validators.includes(i),
          genesis,
          port: ports[i] as number,
        }),
      ),
    );
    const nodes = bare.map((node, i) => {
      const peers = options.edges
        .filter(([a, b]) => a === i || b === i)
        .map(([a, b]) => (bare[a === i ? b : a] as TestNode).address());
      return new TestNode(
        {
          ...node.options,
          persistentPeers: peers,
          driver,
          ...(options.host ? { host: options.host } : {}),
          ...(options.blockSync ? { blockSync: options.blockSync } : {}),
          ...(options.consensus ? { consensus: options.consensus } : {}),
          ...(options.mempools?.[i] ? { mempool: options.mempools[i] } : {}),
        },
        node.peerId,
      );
    });
    return new TestNet(nodes, genesis);
  }

  async start(indexes?: readonly number[]): Promise<void> {
    await Promise.all((indexes ?? this.nodes.map((_, i) => i)).map((i) => this.node(i).start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }

  node(i: number): TestNode {
    const node = this.nodes[i];
    if (node === undefined) throw new RangeError(`no node ${i}`);
    return node;
  }

  /** Waits until every listed node (default: the running ones) has committed `height`. */
  async waitForHeight(height: number, timeoutMs: number, indexes?: readonly number[]): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const which = indexes ?? this.nodes.map((_, i) => i).filter((i) => this.node(i).running);
    while (Date.now() < deadline) {
      if (which.every((i) => this.node(i).height() >= height)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    const heights = which.map((i) => `${this.node(i).name}=${this.node(i).height()}`).join(' ');
    throw new Error(`height ${height} not reached within ${timeoutMs} ms: ${heights}`);
  }

  /** Problems found comparing the nodes' blocks and app hashes at every height they share. */
  async disagreements(indexes?: readonly number[]): Promise<string[]> {
    const which = (indexes ?? this.nodes.map((_, i) => i)).map((i) => this.node(i));
    const problems: string[] = [];
    const top = Math.min(...which.map((n) => n.height()));
    for (let h = 1; h <= top; h++) {
      const blocks = new Set<string>();
      const apps = new Set<string>();
      for (const node of which) {
        const block = await node.store.loadBlock(h);
        if (block !== null) blocks.add(toHex(blockId(block).hash));
        const app = node.appHashes.get(h);
        if (app !== undefined) apps.add(app);
      }
      if (blocks.size > 1) problems.push(`height ${h}: ${blocks.size} different blocks`);
      if (apps.size > 1) problems.push(`height ${h}: ${apps.size} different app hashes`);
    }
    return problems;
  }
}
