import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockId, toHex } from '@joule/consensus';
import { SeededRng } from '@joule/consensus/sim';
import {
  type Community,
  type CommunityData,
  generateCommunity,
  LocalNetwork,
  NodeStartError,
  setUpCommunity,
} from '@joule/lic-pilot';
import { homePaths, type TestnetNode } from '@joule/node';
import { JouleClient } from '@joule/node/client';
import { ClassicKvStore, LevelChainStore, txHash } from '@joule/state';
import type { Progress } from '../report.js';
import { type BlockView, type CommitView, Ledger } from './ledger.js';
import { type AckedTx, ChaosLoad } from './load.js';
import {
  lastLevelRecord,
  lastWalFrame,
  newestLevelLog,
  newestWalSegment,
  type Tear,
  tearFile,
  tearKinds,
} from './torn.js';

/** The fault classes this runner injects itself (the link faults plug in through `wire`). */
export const processFaults = ['power-loss', 'torn-write', 'pause'] as const;
export type FaultKind = (typeof processFaults)[number];

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
  /**
   * Puts something between the nodes before they start (a proxy per link, rewriting each home's
   * persistent peers); without it every node dials its peers directly.
   */
  readonly wire?: (testnet: readonly TestnetNode[]) => Promise<Wiring>;
  readonly progress: (label: string, total?: number) => Progress;
  /** A line per event (stderr). */
  readonly log: (line: string) => void;
  /** Keeps the homes and logs of the run in this directory (else a temporary one, removed). */
  readonly keepDir?: string;
}

/** What `wire` put between the nodes, stopped after them. */
export interface Wiring {
  stop(): Promise<void>;
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
  /** The network committed no block during the cycle. */
  stalled: boolean;
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

/** Time a node has, after its height advanced, before a power loss: up to about one block interval. */
const maxKillDelayMs = 2_000;
/** How long the harness waits for a node's height to advance before it kills it anyway, ms. */
const commitWaitMs = 5_000;
/** Per status request of the harness's observers: a paused node must not hold them, ms. */
const observeTimeoutMs = 3_000;
/** Blocks fetched from one node at once while scanning. */
const scanConcurrency = 4;

/** The network's chain id: one per run, so no two runs' homes mix. */
const chainId = 'lic-chaos-1';

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
  const t0 = performance.now();
  const now = () => (performance.now() - t0) / 1000;
  const expectedSeconds = o.cycles * 20 + 120;
  const days = Math.min(93, Math.ceil((expectedSeconds * o.compress) / 86_400) + 1);
  const tsStart = (Math.floor(Date.now() / 1000 / 86_400) - days - 1) * 86_400;
  const data: CommunityData = generateCommunity({ seed: o.seed, tsStart, days });
  const net = await LocalNetwork.create({
    dir,
    nodes: o.nodes,
    validators: o.validators,
    topology: 'lic',
    basePort: o.basePort,
    chainId,
    config: { log: { level: 'warn' } },
  });
  const wiring: Wiring = (await o.wire?.(net.testnet)) ?? { stop: async () => undefined };
  const observers = net.nodes.map((n) => new JouleClient({ url: n.api, timeoutMs: observeTimeoutMs }));
  const ledger = new Ledger();
  const down = new Set<number>();
  const latest = net.nodes.map(() => 0);
  const heights = net.nodes.map((n) => ({
    name: n.name,
    validator: n.validator,
    points: [] as [number, number][],
  }));
  const scanned = net.nodes.map(() => 0);
  const injections: Injection[] = [];
  let load: ChaosLoad | null = null;
  let ackChecked = 0;
  const lostAcks = new Set<string>();

  const heightOf = async (i: number): Promise<number> =>
    Number((await (observers[i] as JouleClient).status()).sync_info.latest_block_height);
  const sampleHeights = async () => {
    await Promise.all(
      net.nodes.map(async (n) => {
        if (down.has(n.index)) return;
        const h = await heightOf(n.index).catch(() => null);
        if (h === null || down.has(n.index)) return;
        latest[n.index] = h;
        heights[n.index]?.points.push([now(), h]);
      }),
    );
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sampleHeights();
      await sleep(1_000);
    }
  })();

  /** Reads every block a live node serves beyond what was read from it before into the ledger. */
  const scan = async () => {
    await Promise.all(
      net.nodes.map(async (n) => {
        if (down.has(n.index)) return;
        const client = observers[n.index] as JouleClient;
        const top = await heightOf(n.index).catch(() => null);
        if (top === null) return;
        for (let from = (scanned[n.index] as number) + 1; from <= top; from += scanConcurrency) {
          const hs = [];
          for (let h = from; h < from + scanConcurrency && h <= top; h++) hs.push(h);
          const blocks = await Promise.all(hs.map((h) => client.block(h).then(blockView, () => null)));
          for (const b of blocks) {
            if (b === null || down.has(n.index)) return;
            ledger.addBlock(n.name, b);
            scanned[n.index] = b.height;
          }
        }
        const commit = await client.commit(top).catch(() => null);
        if (commit !== null) ledger.addCommit(commitView(commit.signed_header.commit));
      }),
    );
  };

  /** Every acknowledged transaction since the last check, looked up on every live node that is past it. */
  const checkAcked = async (): Promise<number> => {
    const acked = load?.acked ?? [];
    const fresh = acked.slice(ackChecked);
    let lost = 0;
    const waiting: AckedTx[] = [];
    for (const ack of fresh) {
      let pending = false;
      for (const n of net.nodes) {
        if (down.has(n.index)) continue;
        if ((latest[n.index] as number) < ack.height) {
          pending = true;
          continue;
        }
        const found = await (observers[n.index] as JouleClient)
          .tx(ack.hash)
          .catch((e: unknown) => ((e as { code?: string }).code === 'TX_NOT_FOUND' ? null : undefined));
        if (found === null || (found !== undefined && Number(found.height) !== ack.height)) {
          const key = `${ack.hash}@${n.name}`;
          if (!lostAcks.has(key)) {
            lostAcks.add(key);
            lost++;
            o.log(`acknowledged tx ${ack.hash} (height ${ack.height}, by ${ack.node}) missing on ${n.name}`);
          }
        }
      }
      if (pending) waiting.push(ack);
    }
    // Checked on the nodes past it; the end's store check covers the others.
    ackChecked = acked.length;
    void waiting;
    return lost;
  };

  const networkHeight = (except: number) =>
    Math.max(0, ...latest.filter((_, i) => i !== except && !down.has(i)));

  /** Waits until node `i` is at the network's height of the moment it was healed. */
  const rejoin = async (i: number, healT: number): Promise<number | null> => {
    const target = networkHeight(i);
    const deadline = performance.now() + o.rejoinTimeoutMs;
    while (performance.now() < deadline) {
      const h = await heightOf(i).catch(() => -1);
      if (h >= target) return now() - healT;
      await sleep(200);
    }
    return null;
  };

  /** Waits for node `i`'s height to advance (a commit just happened), then a random part of a block interval. */
  const nearCommit = async (i: number): Promise<number> => {
    const h0 = await heightOf(i).catch(() => latest[i] as number);
    const deadline = performance.now() + commitWaitMs;
    let h = h0;
    while (h <= h0 && performance.now() < deadline) {
      await sleep(25);
      h = await heightOf(i).catch(() => h);
    }
    await sleep(rng.int(0, maxKillDelayMs));
    return h;
  };

  const restart = async (i: number, cycle: number): Promise<string | null> => {
    try {
      await net.startNode(i);
      return null;
    } catch (error) {
      if (!(error instanceof NodeStartError)) throw error;
      const reason = refusal(error.logTail);
      o.log(`${net.nodes[i]?.name} refused to start: ${reason}; moving its db and wal away`);
      const paths = homePaths((net.nodes[i] as { home: string }).home);
      await rename(paths.db, `${paths.db}.refused-${cycle}`).catch(() => undefined);
      await rename(paths.wal, `${paths.wal}.refused-${cycle}`).catch(() => undefined);
      await net.startNode(i);
      return reason;
    }
  };

  const kill = async (i: number, signal: NodeJS.Signals) => {
    const pid = net.nodes[i]?.pid();
    if (pid !== undefined) process.kill(pid, signal);
  };

  const powerLoss = async (cycle: number, torn: boolean): Promise<Injection> => {
    const node = rng.pick(net.nodes);
    const i = node.index;
    const seen = await nearCommit(i);
    const t = now();
    down.add(i);
    await kill(i, 'SIGKILL');
    while (net.running(i)) await sleep(20);
    const tears: Tear[] = [];
    if (torn) {
      const wal = await newestWalSegment(node.home);
      const level = await newestLevelLog(node.home);
      // Either log, or both: a power cut tears whatever was being written.
      const which = rng.int(0, 2);
      if (wal !== null && which !== 1) {
        const tear = await tearFile(wal, lastWalFrame, rng.pick(tearKinds), rng);
        if (tear !== null) tears.push(tear);
      }
      if (level !== null && which !== 0) {
        const tear = await tearFile(level, lastLevelRecord, rng.pick(tearKinds), rng);
        if (tear !== null) tears.push(tear);
      }
    }
    const healT = now();
    const manualRepair = await restart(i, cycle);
    const after = await heightOf(i).catch(() => seen);
    down.delete(i);
    const rejoinS = await rejoin(i, healT);
    const detail = [
      `height ${seen} → ${after} after restart`,
      ...tears.map((x) => `${x.kind} ${x.bytes} B of ${x.file.split('/').slice(-2).join('/')}`),
    ].join('; ');
    return {
      cycle,
      kind: torn ? 'torn-write' : 'power-loss',
      node: node.name,
      validator: node.validator,
      t,
      healT,
      rejoinS,
      lostBlocks: Math.max(0, seen - after),
      manualRepair,
      forks: 0,
      doubleSigns: 0,
      lostAcked: 0,
      stalled: false,
      detail,
      survived: true,
    };
  };

  const pause = async (cycle: number): Promise<Injection> => {
    const node = rng.pick(net.nodes.filter((n) => n.validator));
    const i = node.index;
    const ms = rng.int(o.pauseMs[0], o.pauseMs[1]);
    const t = now();
    down.add(i);
    await kill(i, 'SIGSTOP');
    await sleep(ms);
    await kill(i, 'SIGCONT');
    const healT = now();
    down.delete(i);
    const rejoinS = await rejoin(i, healT);
    return {
      cycle,
      kind: 'pause',
      node: node.name,
      validator: true,
      t,
      healT,
      rejoinS,
      lostBlocks: 0,
      manualRepair: null,
      forks: 0,
      doubleSigns: 0,
      lostAcked: 0,
      stalled: false,
      detail: `stopped ${(ms / 1000).toFixed(1)} s`,
      survived: true,
    };
  };

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
      up: (i) => !down.has(i) && net.running(i),
      now,
      rng: loadRng,
    });
    load.start();
    const bar = o.progress(`${o.cycles} fault cycles (${o.faults.join(', ')}), seed ${o.seed}`, o.cycles);
    for (let cycle = 0; cycle < o.cycles; cycle++) {
      const kind = o.faults[cycle % o.faults.length] as FaultKind;
      const before = { forks: ledger.forks.length, doubleSigns: ledger.doubleSigns.length };
      const topBefore = Math.max(...latest);
      const inj = kind === 'pause' ? await pause(cycle) : await powerLoss(cycle, kind === 'torn-write');
      await sampleHeights();
      await scan();
      inj.lostAcked = await checkAcked();
      inj.forks = ledger.forks.length - before.forks;
      inj.doubleSigns = ledger.doubleSigns.length - before.doubleSigns;
      inj.stalled = Math.max(...latest) <= topBefore;
      inj.survived =
        inj.rejoinS !== null &&
        inj.manualRepair === null &&
        // A torn write destroys the record being written, which may be the node's last block: it
        // must take it again from its peers (counted as lost), not diverge or need a hand.
        (inj.lostBlocks === 0 || inj.kind === 'torn-write') &&
        inj.forks === 0 &&
        inj.doubleSigns === 0 &&
        inj.lostAcked === 0 &&
        !inj.stalled;
      injections.push(inj);
      o.log(
        `cycle ${cycle} ${inj.kind} ${inj.node}${inj.validator ? ' (validator)' : ''}: ${inj.detail}; rejoin ${inj.rejoinS === null ? 'none' : `${inj.rejoinS.toFixed(1)} s`}${inj.survived ? '' : ' — NOT SURVIVED'}${inj.manualRepair === null ? '' : ` manual repair: ${inj.manualRepair}`}`,
      );
      bar.tick(cycle + 1, `height ${Math.max(...latest)}`);
    }
    bar.done();
    await load.stop();
    await sleep(3_000);
    await sampleHeights();
    await scan();
    await checkAcked();
  } finally {
    sampling = false;
    await sampler;
    if (load !== null) await load.stop();
    await net.stop();
    await wiring.stop();
  }
  const seconds = now();
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
  if (o.keepDir === undefined) await rm(dir, { recursive: true, force: true });
  return {
    injections,
    heights,
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
}

/** The first line of the log tail that names an error code (`WAL_CORRUPT`, `STORE_CORRUPT` …). */
export function refusal(logTail: string): string {
  const lines = logTail.split('\n').filter((l) => l.trim() !== '');
  const coded = lines.find((l) => /\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b/.test(l));
  return (coded ?? lines.at(-1) ?? 'no log').slice(0, 300);
}

function blockView(r: Awaited<ReturnType<JouleClient['block']>>): BlockView {
  const b = r.block as unknown as {
    header: { height: string; app_hash: string; time: string };
    data: { txs: string[] };
    evidence?: { evidence?: unknown[] };
    last_commit: Record<string, unknown> | null;
  };
  return {
    height: Number(b.header.height),
    hash: r.block_id.hash.toLowerCase(),
    appHash: b.header.app_hash.toLowerCase(),
    time: Date.parse(b.header.time),
    txs: b.data.txs.map((tx) => toHex(txHash(hexBytes(tx)))),
    evidence: b.evidence?.evidence?.length ?? 0,
    lastCommit: b.last_commit === null ? null : commitView(b.last_commit),
  };
}

function commitView(c: Record<string, unknown>): CommitView {
  const sigs = c.signatures as { block_id_flag: number; validator_address: string }[];
  return {
    height: Number(c.height),
    round: Number(c.round),
    blockHash: String((c.block_id as { hash: string }).hash).toLowerCase(),
    signatures: sigs.map((s) => ({ flag: s.block_id_flag, validator: s.validator_address.toLowerCase() })),
  };
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Every block and commit of a stopped node's store, read from disk. */
async function readStore(
  home: string,
): Promise<{ height: number; blocks: BlockView[]; commits: CommitView[] }> {
  const kv = new ClassicKvStore({ location: homePaths(home).db });
  await kv.start();
  const store = new LevelChainStore({}, { kv });
  try {
    await store.start();
    const height = store.height();
    const blocks: BlockView[] = [];
    const commits: CommitView[] = [];
    for (let h = 1; h <= height; h++) {
      const block = await store.loadBlock(h);
      if (block === null) continue;
      blocks.push({
        height: h,
        hash: toHex(blockId(block).hash),
        appHash: toHex(block.header.appHash),
        time: block.header.time,
        txs: block.txs.map((tx) => toHex(txHash(tx))),
        evidence: block.evidence.length,
        lastCommit: block.lastCommit === null ? null : commitOf(block.lastCommit),
      });
      const commit = await store.loadCommit(h);
      if (commit !== null) commits.push(commitOf(commit));
    }
    return { height, blocks, commits };
  } finally {
    await store.stop();
    await kv.stop();
  }
}

function commitOf(c: {
  height: number;
  round: number;
  blockId: { hash: Uint8Array };
  signatures: readonly { flag: number; validatorAddress: Uint8Array }[];
}): CommitView {
  return {
    height: c.height,
    round: c.round,
    blockHash: toHex(c.blockId.hash),
    signatures: c.signatures.map((s) => ({ flag: s.flag, validator: toHex(s.validatorAddress) })),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
