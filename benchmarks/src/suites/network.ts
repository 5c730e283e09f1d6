import { spawn } from 'node:child_process';
import { generateKeyPair } from '@joule/consensus';
import { kvTx } from '@joule/consensus/sim';
import { createP2pHost, type P2pHost } from '@joule/p2p';
import { gridEdges, TestNet, type TestNode } from '@joule/p2p/testkit';
import type { Row, SuiteResult } from '../report.js';

/**
 * Network cost of a Joule node on the LIC grid (2 × 4 nodes, 4 validators, 2–3 peers each) over
 * real libp2p on 127.0.0.1, in compressed time (heights take tens of milliseconds instead of a
 * second), then scaled to an hour at one block per second (CometBFT's default commit timeout):
 *
 * - idle: empty blocks only; bytes per node per block and per hour;
 * - LIC load: 19 measure transactions (~180 bytes, one per house) every 15 minutes; the extra bytes
 *   of one such window are measured and added 4 times per hour to the idle figure;
 * - RSS of a process that runs one libp2p host (with the three gossip/sync protocols) and 3 peers.
 *
 * Bytes are gossip frame payloads counted by `P2pCounters` (consensus, mempool, block sync); the
 * wire adds about 30 bytes per frame (yamux header, Noise length and tag) plus TCP/IP headers and
 * libp2p's ping/identify, shown as an estimate.
 */
export async function network(options: { timeMs: number }): Promise<SuiteResult> {
  const rows: Row[] = [];
  const blocks = Math.max(20, Math.min(400, Math.round(options.timeMs / 10)));
  const net = await TestNet.create({ nodes: 8, validators: [0, 2, 5, 7], edges: gridEdges(2, 4), seed: 7 });
  try {
    await net.start();
    await net.waitForHeight(3, 30_000);
    // Idle.
    const idle = await measure(net, async () => {
      const from = top(net);
      await net.waitForHeight(from + blocks, 120_000);
    });
    const perBlock = idle.bytes / idle.blocks;
    const perFrame = idle.frames / idle.blocks;
    rows.push(row('idle', idle.blocks, perBlock, perFrame, perBlock * 3600, perFrame * 3600));
    // LIC load: windows of 19 measures, each measured until every node holds them all.
    const windows = 3;
    let extraBytes = 0;
    let extraFrames = 0;
    let loadBlocks = 0;
    for (let w = 0; w < windows; w++) {
      const load = await measure(net, async () => {
        const txs = Array.from({ length: 19 }, (_, i) =>
          kvTx(`house${String(i).padStart(2, '0')}/w${w}`, `kwh=${'1234567890'.repeat(15)}`),
        );
        await Promise.all(txs.map((tx, i) => gossipOf(net.node(i % 8)).submit(tx)));
        await waitForTxs(net, 19 * (w + 1));
        const from = top(net);
        await net.waitForHeight(from + 2, 30_000);
      });
      extraBytes += load.bytes - load.blocks * perBlock;
      extraFrames += load.frames - load.blocks * perFrame;
      loadBlocks += load.blocks;
    }
    const windowBytes = extraBytes / windows;
    const windowFrames = extraFrames / windows;
    rows.push(
      row(
        'LIC load (19 tx / 15 min)',
        loadBlocks,
        perBlock + (windowBytes * 4) / 3600,
        perFrame + (windowFrames * 4) / 3600,
        perBlock * 3600 + windowBytes * 4,
        perFrame * 3600 + windowFrames * 4,
      ),
    );
  } finally {
    await net.stop();
  }
  rows.push(await hostRss());
  return { suite: 'network', rows };
}

interface Measured {
  readonly blocks: number;
  /** Payload bytes sent plus received, per node (mean). */
  readonly bytes: number;
  /** Frames sent plus received, per node (mean). */
  readonly frames: number;
}

async function measure(net: TestNet, run: () => Promise<void>): Promise<Measured> {
  const before = net.nodes.map(traffic);
  const h0 = top(net);
  await run();
  const after = net.nodes.map(traffic);
  const n = net.nodes.length;
  let bytes = 0;
  let frames = 0;
  for (let i = 0; i < n; i++) {
    bytes += (after[i]?.bytes ?? 0) - (before[i]?.bytes ?? 0);
    frames += (after[i]?.frames ?? 0) - (before[i]?.frames ?? 0);
  }
  return { blocks: top(net) - h0, bytes: bytes / n, frames: frames / n };
}

function traffic(node: TestNode): { bytes: number; frames: number } {
  const c = node.parts?.host.counters;
  if (c === undefined) return { bytes: 0, frames: 0 };
  const t = c.totalBytes();
  let frames = 0;
  for (const v of c.framesIn.values()) frames += v;
  for (const v of c.framesOut.values()) frames += v;
  return { bytes: t.in + t.out, frames };
}

function top(net: TestNet): number {
  return Math.min(...net.nodes.map((n) => n.height()));
}

function gossipOf(node: TestNode) {
  const g = node.parts?.mempoolGossip;
  if (g === undefined) throw new Error(`${node.name} is not running`);
  return g;
}

/** Waits until every node's application has applied `count` measure transactions in all. */
async function waitForTxs(net: TestNet, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (net.nodes.every((n) => n.kv.entries.size >= count)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the ${count} measures did not reach every node`);
}

const wireOverheadPerFrameBytes = 30;

function row(
  scenario: string,
  blocks: number,
  bytesPerBlock: number,
  framesPerBlock: number,
  bytesPerHour: number,
  framesPerHour: number,
): Row {
  return {
    scenario,
    'blocks measured': blocks,
    'payload B/node/block (in+out)': Math.round(bytesPerBlock),
    'frames/node/block': Math.round(framesPerBlock * 10) / 10,
    'payload MiB/node/hour @1 block/s': Math.round((bytesPerHour / 2 ** 20) * 100) / 100,
    'est. wire MiB/node/hour':
      Math.round(((bytesPerHour + framesPerHour * wireOverheadPerFrameBytes) / 2 ** 20) * 100) / 100,
  };
}

/**
 * RSS of a child process running one host with the consensus, mempool and block-sync protocols,
 * connected to 3 peers (run in this process), next to the RSS of a bare Node process.
 */
async function hostRss(): Promise<Row> {
  const peers: P2pHost[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const host = await createP2pHost(
        { listen: ['/ip4/127.0.0.1/tcp/0'], inboundConnectionsPerSecond: 100 },
        { nodeKey: generateKeyPair(new Uint8Array(32).fill(90 + i)) },
      );
      await host.start();
      peers.push(host);
    }
    const addresses = peers.map((p) => p.addresses()[0] ?? '');
    const bare = await child(
      'setTimeout(() => { global.gc?.(); console.log(process.memoryUsage().rss) }, 500)',
      [],
    );
    const withHost = await child(childHostScript, addresses);
    return {
      scenario: 'RSS of a libp2p host with 3 peers',
      'host process RSS MiB': Math.round((withHost / 2 ** 20) * 10) / 10,
      'bare node RSS MiB': Math.round((bare / 2 ** 20) * 10) / 10,
      'host cost MiB': Math.round(((withHost - bare) / 2 ** 20) * 10) / 10,
    };
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
  }
}

const childHostScript = `
import { createP2pHost, ConsensusGossip, MempoolGossip, BlockSyncServer } from '@joule/p2p';
const peers = JSON.parse(process.env.JOULE_PEERS);
const host = await createP2pHost({ listen: ['/ip4/127.0.0.1/tcp/0'], persistentPeers: peers }, { nodeKey: { secretKey: new Uint8Array(32).fill(77) } });
const consensus = new ConsensusGossip({}, { host });
const mempool = new MempoolGossip({}, { host, mempool: { add: async () => new Uint8Array(32) } });
const server = new BlockSyncServer({ host, store: { height: () => 0, base: () => 0, loadBlock: async () => null, loadCommit: async () => null } });
await host.start();
await Promise.all([consensus.start(), mempool.start(), server.start()]);
const deadline = Date.now() + 10000;
while (host.connectedPeers().length < peers.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
await new Promise((r) => setTimeout(r, 2000));
global.gc?.();
console.log(process.memoryUsage().rss);
await Promise.all([consensus.stop(), mempool.stop(), server.stop()]);
await host.stop();
`;

function child(script: string, peers: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, JOULE_PEERS: JSON.stringify(peers) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += String(d);
    });
    const timer = setTimeout(() => proc.kill(), 30_000);
    proc.on('close', () => {
      clearTimeout(timer);
      const rss = Number(out.trim().split('\n')[0]);
      if (Number.isFinite(rss) && rss > 0) resolve(rss);
      else reject(new Error(`child printed ${JSON.stringify(out)}`));
    });
  });
}
