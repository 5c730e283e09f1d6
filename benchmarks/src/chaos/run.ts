import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRng } from '@joule/consensus/sim';
import {
  type Community,
  type CommunityData,
  generateCommunity,
  LocalNetwork,
  type NodeLaunch,
  setUpCommunity,
} from '@joule/lic-pilot';
import type { JouleClient } from '@joule/node/client';
import type { Progress } from '../report.js';
import { type SmallDisk, smallDisk } from './disk.js';
import { Harness, type Outcome, sleep } from './harness.js';
import { Ledger } from './ledger.js';
import { type LinkFault, linkFaults, linkRunners } from './link-faults.js';
import { proxyTestnet } from './links.js';
import { type AckedTx, ChaosLoad } from './load.js';
import { clockSkew, diskFull, smallDiskBytes } from './node-faults.js';
import { pause, powerLoss } from './process-faults.js';
import { blockView, commitView, readStore } from './store.js';

/** Faults on the node processes and their files. */
export const processFaults = ['power-loss', 'torn-write', 'pause'] as const;
/** Every fault class, in the order a run takes them. */
export const faultKinds = [...processFaults, ...linkFaults, 'clock-skew', 'disk-full'] as const;
export type FaultKind = (typeof faultKinds)[number];

export interface ChaosOptions {
  readonly faults: readonly FaultKind[];
  readonly cycles: number;
  readonly seed: number;
  /** How long a paused validator stays stopped, ms (drawn uniformly from the range). */
  readonly pauseMs: readonly [number, number];
  readonly nodes: number;
  readonly validators: number;
  readonly basePort: number;
  /** Simulated seconds per real second of the meters' load (one tick every 900 / compress s). */
  readonly compress: number;
  /** How long a node has to reach the network's height after a restart or a heal, ms. */
  readonly rejoinTimeoutMs: number;
  readonly progress: (label: string, total?: number) => Progress;
  /** A line per event (stderr). */
  readonly log: (line: string) => void;
  /** Keeps the homes and logs of the run in this directory (else a temporary one, removed). */
  readonly keepDir?: string;
  /**
   * The consensus WAL's segment size, bytes (default the profile's, 4 MiB): small segments make
   * rotations, and the deletion of old segments, happen under the faults every few blocks.
   */
  readonly walSegmentBytes?: number;
}

/** One fault injected and what followed. */
export interface Injection {
  readonly cycle: number;
  readonly kind: FaultKind;
  readonly node: string;
  readonly validator: boolean;
  /** Seconds since the run's start: when the fault began and when it was healed (restart, SIGCONT). */
  readonly t: number;
  readonly healT: number;
  /** Seconds from the heal until the node's height reached the network's (null: it did not, in time). */
  rejoinS: number | null;
  /** Blocks the node had reported before the fault and no longer had after it. */
  lostBlocks: number;
  /** The node refused to start and its data had to be moved away: its error's first line. */
  manualRepair: string | null;
  forks: number;
  doubleSigns: number;
  lostAcked: number;
  /** The network committed no block from before the fault until `stallTimeoutMs` after it. */
  stalled: boolean;
  /** What the fault broke that it must not have (a split that committed), or null. */
  readonly failure: string | null;
  readonly detail: string;
  survived: boolean;
}

export interface ChaosRun {
  readonly injections: readonly Injection[];
  /** Per node, [seconds since start, height], about once a second. */
  readonly heights: readonly { name: string; validator: boolean; points: [number, number][] }[];
  readonly acked: readonly AckedTx[];
  readonly txs: number;
  readonly refused: number;
  readonly probes: number;
  readonly seconds: number;
  readonly finalHeights: readonly number[];
  /** Invariants over the whole run, from every node's store after the network stopped. */
  readonly final: {
    readonly forks: number;
    readonly appHashMismatches: number;
    readonly doubleSigns: number;
    readonly evidenceBlocks: number;
    readonly lostAcked: number;
    readonly nonMonotonicTimes: number;
    readonly blocksChecked: number;
  };
}

/** A cycle is a stall when the network commits nothing from before its fault until this long after it, ms. */
const stallTimeoutMs = 30_000;
/** Blocks fetched from one node at once while scanning. */
const scanConcurrency = 4;

/** The network's chain id. */
const chainId = 'lic-chaos-1';

/** Injects one fault of a class and heals it. */
type FaultRunner = (h: Harness, cycle: number) => Promise<Outcome>;

/**
 * The fault-injection run: the LIC network (8 node processes, 4 validators, the LIC grid, homes
 * written by the CLI's testnet code), the meters' load, then `cycles` faults one after another —
 * each injected, healed, waited out until the node has rejoined, and followed by a check of the
 * invariants over what every node serves. At the end the network stops and every node's store is
 * read again from disk for the same invariants over the whole run.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosRun> {
  const rng = new SeededRng(o.seed);
  // The load's choices come from their own stream, so the faults do not depend on its timing.
  const loadRng = rng.fork();
  const dir = o.keepDir ?? (await mkdtemp(join(tmpdir(), 'joule-chaos-')));
  const expectedSeconds = o.cycles * 30 + 300;
  const days = Math.min(93, Math.ceil((expectedSeconds * o.compress) / 86_400) + 1);
  const tsStart = (Math.floor(Date.now() / 1000 / 86_400) - days - 1) * 86_400;
  const data: CommunityData = generateCommunity({ seed: o.seed, tsStart, days });
  /** How each node's process runs (the full-disk stand-in's preload), once known. */
  const launches: (NodeLaunch | undefined)[] = [];
  const net = await LocalNetwork.create({
    dir,
    nodes: o.nodes,
    validators: o.validators,
    topology: 'lic',
    basePort: o.basePort,
    chainId,
    config: {
      log: { level: 'warn' },
      ...(o.walSegmentBytes === undefined
        ? {}
        : { wal: { max_segment_bytes: o.walSegmentBytes, max_segments: 2 } }),
    },
    launch: (i) => launches[i],
  });
  // A proxy on every link when a link fault is asked for (their jitter from a stream of its own);
  // else every node dials its peers directly.
  const proxyRng = rng.fork();
  const proxied = o.faults.some((f) => (linkFaults as readonly string[]).includes(f))
    ? await proxyTestnet(net.testnet, { rng: proxyRng })
    : null;
  // A full-disk fault needs every node's data directory on a small file system of its own from
  // the first start (a tmpfs, or the stand-in where mounting is refused).
  const disks: SmallDisk[] = [];
  if (o.faults.includes('disk-full'))
    for (const n of net.nodes)
      disks.push(await smallDisk(join(n.home, 'data'), { sizeBytes: smallDiskBytes }));
  launches.push(...disks.map(launchOf));
  const h = new Harness({ net, rng, log: o.log, rejoinTimeoutMs: o.rejoinTimeoutMs });
  const links = proxied === null ? null : linkRunners(proxied);
  const needsLinks = (kind: LinkFault): FaultRunner => {
    const fault = links?.[kind];
    if (fault === undefined) throw new Error(`${kind} needs the link proxies`);
    return (hh) => fault(hh);
  };
  const runners: Record<FaultKind, FaultRunner> = {
    'power-loss': (hh, cycle) => powerLoss(hh, cycle, false),
    'torn-write': (hh, cycle) => powerLoss(hh, cycle, true),
    pause: (hh) => pause(hh, o.pauseMs),
    partition: (hh, cycle) => needsLinks('partition')(hh, cycle),
    delay: (hh, cycle) => needsLinks('delay')(hh, cycle),
    throttle: (hh, cycle) => needsLinks('throttle')(hh, cycle),
    flap: (hh, cycle) => needsLinks('flap')(hh, cycle),
    'clock-skew': (hh) => clockSkew(hh),
    'disk-full': (hh, cycle) => diskFull(hh, cycle, disks),
  };
  const ledger = new Ledger();
  const scanned = net.nodes.map(() => 0);
  const injections: Injection[] = [];
  let load: ChaosLoad | null = null;
  /** Per acknowledged transaction (by index), the nodes it was found on. */
  const ackSeen: Set<number>[] = [];
  const lostAcks = new Set<string>();

  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await h.sampleHeights();
      await sleep(1_000);
    }
  })();

  /** Reads every block a live node serves beyond what was read from it before into the ledger. */
  const scan = async () => {
    await Promise.all(
      net.nodes.map(async (n) => {
        if (h.down.has(n.index)) return;
        const client = h.observers[n.index] as JouleClient;
        const top = await h.heightOf(n.index).catch(() => null);
        if (top === null) return;
        for (let from = (scanned[n.index] as number) + 1; from <= top; from += scanConcurrency) {
          const hs = [];
          for (let k = from; k < from + scanConcurrency && k <= top; k++) hs.push(k);
          const blocks = await Promise.all(hs.map((k) => client.block(k).then(blockView, () => null)));
          for (const b of blocks) {
            if (b === null || h.down.has(n.index)) return;
            ledger.addBlock(n.name, b);
            scanned[n.index] = b.height;
          }
        }
        const commit = await client.commit(top).catch(() => null);
        if (commit !== null) ledger.addCommit(commitView(commit.signed_header.commit));
      }),
    );
  };

  /** Every acknowledged transaction not yet found on a live node that is past its height, looked up there. */
  const checkAcked = async (): Promise<number> => {
    const acked = load?.acked ?? [];
    let lost = 0;
    for (const [k, ack] of acked.entries()) {
      const seen = ackSeen[k] ?? new Set<number>();
      ackSeen[k] = seen;
      for (const n of net.nodes) {
        if (seen.has(n.index) || h.down.has(n.index) || (h.latest[n.index] as number) < ack.height) continue;
        const found = await (h.observers[n.index] as JouleClient)
          .tx(ack.hash)
          .catch((e: unknown) => ((e as { code?: string }).code === 'TX_NOT_FOUND' ? null : undefined));
        if (found === undefined) continue;
        seen.add(n.index);
        if (found === null || Number(found.height) !== ack.height) {
          const key = `${ack.hash}@${n.name}`;
          if (!lostAcks.has(key)) {
            lostAcks.add(key);
            lost++;
            o.log(`acknowledged tx ${ack.hash} (height ${ack.height}, by ${ack.node}) missing on ${n.name}`);
          }
        }
      }
    }
    return lost;
  };

  try {
    try {
      await net.start();
      const setup = o.progress('setting up the community (19 meters)');
      const community: Community = await setUpCommunity(net, data);
      setup.done();
      load = new ChaosLoad({
        net,
        community,
        data,
        tickMs: (data.slotSeconds / o.compress) * 1000,
        up: (i) => !h.down.has(i) && net.running(i),
        now: () => h.now(),
        rng: loadRng,
      });
      load.start();
      const bar = o.progress(`${o.cycles} fault cycles (${o.faults.join(', ')}), seed ${o.seed}`, o.cycles);
      for (let cycle = 0; cycle < o.cycles; cycle++) {
        const kind = o.faults[cycle % o.faults.length] as FaultKind;
        const before = { forks: ledger.forks.length, doubleSigns: ledger.doubleSigns.length };
        await h.sampleHeights();
        const topBefore = h.networkHeight();
        const outcome = await runners[kind](h, cycle);
        // A node that exited by itself (none should) is named and started again.
        const exited = net.nodes.filter((n) => !h.down.has(n.index) && !net.running(n.index));
        for (const n of exited) {
          o.log(`${n.name} exited by itself during cycle ${cycle}; its log is ${n.log}`);
          await h.restart(n.index, cycle);
        }
        await h.sampleHeights();
        await scan();
        const inj: Injection = {
          cycle,
          kind,
          ...outcome,
          failure:
            exited.length === 0
              ? outcome.failure
              : [outcome.failure, `${exited.map((n) => n.name).join(', ')} exited by itself`]
                  .filter((f) => f !== null)
                  .join('; '),
          lostAcked: await checkAcked(),
          forks: ledger.forks.length - before.forks,
          doubleSigns: ledger.doubleSigns.length - before.doubleSigns,
          // A short cycle may end before the next block (a proposer down costs a round): a
          // stall is no block from before the fault until `stallTimeoutMs` after its end.
          stalled: !(await h.commitsPast(topBefore, stallTimeoutMs)),
          survived: false,
        };
        inj.survived =
          inj.rejoinS !== null &&
          inj.manualRepair === null &&
          inj.failure === null &&
          // A torn write destroys the record being written, which may be the node's last block: it
          // must take it again from its peers (counted as lost), not diverge or need a hand.
          (inj.lostBlocks === 0 || inj.kind === 'torn-write') &&
          inj.forks === 0 &&
          inj.doubleSigns === 0 &&
          inj.lostAcked === 0 &&
          !inj.stalled;
        injections.push(inj);
        o.log(
          `cycle ${cycle} ${inj.kind} ${inj.node}${inj.validator ? ' (validator)' : ''}: ${inj.detail}; rejoin ${inj.rejoinS === null ? 'none' : `${inj.rejoinS.toFixed(1)} s`}${inj.survived ? '' : ' — NOT SURVIVED'}${inj.failure === null ? '' : ` (${inj.failure})`}${inj.manualRepair === null ? '' : ` manual repair: ${inj.manualRepair}`}`,
        );
        bar.tick(cycle + 1, `height ${h.networkHeight()}`);
      }
      bar.done();
      await load.stop();
      await sleep(3_000);
      await h.sampleHeights();
      await scan();
      await checkAcked();
    } finally {
      sampling = false;
      await sampler;
      if (load !== null) await load.stop();
      await net.stop();
      await proxied?.stop();
    }
    const seconds = h.now();
    const finalHeights: number[] = [];
    const storeLedger = new Ledger();
    let blocksChecked = 0;
    let lostAcked = 0;
    for (const n of net.nodes) {
      const stored = await readStore(n.home);
      finalHeights.push(stored.height);
      for (const b of stored.blocks) {
        storeLedger.addBlock(n.name, b);
        ledger.addBlock(n.name, b);
        blocksChecked++;
      }
      for (const c of stored.commits) {
        storeLedger.addCommit(c);
        ledger.addCommit(c);
      }
      const byHeight = new Map(stored.blocks.map((b) => [b.height, new Set(b.txs)]));
      for (const ack of load?.acked ?? []) {
        if (ack.height > stored.height) continue;
        if (!(byHeight.get(ack.height)?.has(ack.hash) ?? false)) {
          lostAcked++;
          o.log(`acknowledged tx ${ack.hash} (height ${ack.height}) missing from ${n.name}'s store`);
        }
      }
    }
    return {
      injections,
      heights: h.heights,
      acked: load?.acked ?? [],
      txs: load?.txs ?? 0,
      refused: load?.refused ?? 0,
      probes: load?.probes ?? 0,
      seconds,
      finalHeights,
      final: {
        forks: ledger.forks.length,
        appHashMismatches: ledger.appHashMismatches.length,
        doubleSigns: ledger.doubleSigns.length,
        evidenceBlocks: ledger.evidence.size,
        lostAcked,
        nonMonotonicTimes: ledger.nonMonotonicTimes.length,
        blocksChecked,
      },
    };
  } finally {
    // The small disks go (their data with them) once the stores were read, or the run failed.
    for (const disk of disks) await disk.release();
    if (o.keepDir === undefined) await rm(dir, { recursive: true, force: true });
  }
}

/** A node on the stand-in disk runs with its preload and its marker in the environment. */
function launchOf(disk: SmallDisk): NodeLaunch | undefined {
  if (disk.kind === 'tmpfs') return undefined;
  return {
    wrap: ['env', ...Object.entries(disk.env).map(([k, v]) => `${k}=${v}`)],
    nodeArgs: [...disk.nodeArgs],
  };
}
