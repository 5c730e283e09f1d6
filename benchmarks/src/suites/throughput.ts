import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  addressOf,
  encode,
  fromHex,
  generateKeyPair,
  type KeyPair,
  sha256,
  sign,
  toHex,
  txHash,
} from '@joule/consensus';
import { LocalNetwork, type LocalNode, parseProcStat, readProc } from '@joule/lic-pilot';
import { maxPeriodDays, type Signal, signals } from '@joule/market';
import { type ConfigOverrides, loadKey, marketModules, maxTxsPerSubmit, profiles } from '@joule/node';
import { ClientError, JouleClient } from '@joule/node/client';
import { type TxMessage, txCodec, txMessage, txSignBytes } from '@joule/state';
import { percentile } from '../lic/stats.js';
import { type Row, type SuiteOptions, type SuiteResult, UsageError } from '../report.js';
import { componentRows, monotonicUs, type StepWindow } from './throughput-profile.js';
import { type TracedTx, traceRows } from './throughput-trace.js';

/** Node i listens for peers on 42 600 + 2i and serves its API on 42 601 + 2i (the e2e tests use 40 000–41 207, the pilot 46 600). */
const basePort = 28_600;
const validators = 4;
/**
 * Accounts under load, spread over the 4 APIs (sender s → node s mod 4, lane ⌊s/4⌋ mod
 * `lanesPerNode`).
 */
const senders = 64;
/**
 * Submission lanes per node. A lane posts the transactions that fell due since its last request
 * in one `/broadcast_txs_sync` (as a concentrator posts its meters' measures), one request at a
 * time, so a sender's nonces reach the node in order; lanes post in parallel.
 */
const lanesPerNode = 2;
/**
 * The open-loop series, tx/s: light load first (the latency floor), then steps of ×1.5 and ×4/3
 * up to 3 200; the suite stops rising at the first saturated step.
 */
const offeredRates = [25, 50, 100, 150, 200, 300, 400, 600, 800, 1_200, 1_600, 2_400, 3_200] as const;
/** Most transactions one step signs and sends. */
const maxStepTxs = 50_000;
/**
 * The unmeasured warm-up before the first measured step, as load generators do (tm-load-test,
 * CometBFT's e2e runner): the first rate for at most this long (and at most half a step), its
 * results discarded, so that the first measured step does not run on cold nodes (code not yet
 * compiled by V8's optimising tiers, caches empty, LevelDB's first compactions). One warm-up only.
 */
const maxWarmUpMs = 5_000;
/** Share of a step before its committed rate, block interval and txs per block are counted. */
const warmUpShare = 0.2;
/** A sender this far behind its schedule gives up the rest of the step (counted as dropped). */
const maxLagMs = 2_000;
/** After the last send of a step, how long its admitted transactions have to commit before they count as lost. */
const drainTimeoutMs = 15_000;
/** A submission not answered within this is refused as `UNREACHABLE`. */
const requestTimeoutMs = 5_000;
/**
 * Block polling of node0 while transactions are pending, and while idle, ms (the latency's
 * resolution: a block is seen on average half a period plus a request after it is stored). Not
 * shorter: each poll is a request node0 answers on the cores the validators share. An idle
 * watcher looks every `blockPollMs` whether a transaction fell due, and polls at once if one did
 * (see `pollNow`).
 */
const blockPollMs = 10;
const idlePollMs = 50;
/** Saturation: committed below this share of the offered rate, or a median latency above `saturationP50Ms`. */
const saturationShare = 0.8;
const saturationP50Ms = 2_000;
/** The whole suite, setup included, stays under this; a step that would pass it is not started. */
const suiteBudgetMs = 300_000;
/** Linux's USER_HZ, the unit of /proc/stat (100 on x86-64 and arm64). */
const clockTicksPerSecond = 100;
const denom = 'ujoule';
const slotSeconds = 900;
const secondsPerDay = 86_400;
/** Each sender's funding; every bank send moves 1 ujoule to the next sender. */
const fundingUjoule = 1_000_000_000n;
const prices = {
  pBuyBAU: 21_000_000n,
  pSellBAU: 6_000_000n,
  pBuyLEM: 16_000_000n,
  pSellLEM: 9_000_000n,
  beta: 2_000n,
};

/**
 * config.toml of every node: the `fast` profile (the server's budget with the short consensus
 * timeouts of a LAN, as CometBFT's test configs; see `profiles.fast` in @joule/node), no empty
 * blocks, warnings only in the logs. The mempool keeps the profile's defaults (2 000 txs, 4 MiB per node).
 */
export const throughputConfig: ConfigOverrides = {
  node: { profile: 'fast' },
  consensus: { create_empty_blocks: false },
  log: { level: 'warn' },
};

/** `throughputConfig` with the consensus steps logged, for `--trace` (a few lines per height and node). */
const tracedConfig: ConfigOverrides = {
  ...throughputConfig,
  log: { level: 'warn', modules: { consensus: 'debug' } },
};

/** The consensus timeouts the nodes run with: the `fast` profile's, for the report. */
export function throughputTimeouts(): string {
  const c = profiles.fast.consensus;
  if (c === undefined) return 'the server defaults';
  const proof = c.proofBlockDelayMs > 0 ? `, a proof block waits ${c.proofBlockDelayMs} ms for a tx` : '';
  return `propose ${c.proposeMs} / prevote ${c.prevoteMs} / precommit ${c.precommitMs} / commit ${c.commitMs} ms${c.skipTimeoutCommit ? ' (skipped once all precommits are in)' : ''}${proof}`;
}

interface Sender {
  readonly key: KeyPair;
  readonly address: Uint8Array;
  readonly meterId: string;
  readonly client: JouleClient;
  /** Next nonce: read from the chain before each step, advanced as the step's transactions are signed. */
  nonce: number;
  /** Measures signed so far (see `measureSlot`); never reused, even when a measure was not sent. */
  measures: number;
  /** Transactions signed so far: even ones post a measure, odd ones a bank send. */
  signed: number;
}

interface Planned {
  readonly tx: Uint8Array;
  readonly hash: string;
  /** When it is due, ms after the step's start. */
  readonly atMs: number;
}

interface SeenBlock {
  readonly height: number;
  /** When node0 answered with it (performance.now()). */
  readonly seenAt: number;
  /** Its header time, Unix ms. */
  readonly timeMs: number;
  readonly hashes: readonly string[];
}

/** One step's bookkeeping: transactions due but not yet seen in a block, and what was seen. */
class StepLog {
  readonly due = new Map<string, number>();
  readonly latencies: number[] = [];
  readonly commitTimes: number[] = [];
  readonly blocks: SeenBlock[] = [];
  /** When the API answered for each transaction (performance.now()). */
  readonly acked = new Map<string, number>();
  /** Each committed transaction's path, Unix ms (for `--trace`). */
  readonly traced: TracedTx[] = [];
  /** Unix ms at performance.now() = 0. */
  readonly #unixOffset = Date.now() - performance.now();

  observe(block: SeenBlock): void {
    this.blocks.push(block);
    for (const hash of block.hashes) {
      const due = this.due.get(hash);
      if (due === undefined) continue;
      this.due.delete(hash);
      this.latencies.push(block.seenAt - due);
      this.commitTimes.push(block.seenAt);
      const acked = this.acked.get(hash);
      if (acked !== undefined)
        this.traced.push({
          sentMs: due + this.#unixOffset,
          ackedMs: acked + this.#unixOffset,
          height: block.height,
          seenMs: block.seenAt + this.#unixOffset,
        });
    }
  }
}

/**
 * `throughput`: 4 validators as separate `joule start` processes on loopback (full mesh), under an
 * open-loop load of single-message transactions, half `setEnergyMeasure` and half bank sends, at
 * rising rates until saturation. Transactions are signed before their step; a step lasts
 * 20 × `timeMs` (10 s by default). Per step: committed tx/s (after the step's first fifth, which
 * fills the pipeline); the latency from a transaction's scheduled send to the moment node0 serves
 * its block (p50/p99, so queueing in the load generator counts); the block interval and size;
 * refusals; the node processes still running and the fewest peers one keeps (3 in a healthy
 * mesh); and the CPU of the nodes, of this process and of the machine's other processes — the
 * nodes, the load generator and its HTTP client share this machine's cores.
 */
export async function throughput(options: Pick<SuiteOptions, 'timeMs' | 'args'>): Promise<SuiteResult> {
  const flags = throughputFlags(options.args);
  const started = performance.now();
  const stepMs = Math.min(15_000, Math.max(2_000, 20 * options.timeMs));
  const dir = await mkdtemp(join(tmpdir(), 'joule-throughput-'));
  const rows: Row[] = [];
  const windows: StepWindow[] = [];
  const traced: { label: string; txs: readonly TracedTx[] }[] = [];
  // A fresh directory per run, so that only this run's profiles are read back.
  const profDir =
    flags.cpuProfDir === undefined ? undefined : join(flags.cpuProfDir, `throughput-${Date.now()}`);
  if (profDir !== undefined) await mkdir(profDir, { recursive: true });
  let warmUp: WarmUp | null = null;
  let net: LocalNetwork | undefined;
  try {
    net = await LocalNetwork.create({
      dir,
      nodes: validators,
      validators,
      topology: 'mesh',
      basePort,
      chainId: 'joule-throughput',
      config: flags.trace ? tracedConfig : throughputConfig,
      nodeArgs: [
        ...flags.nodeArgs,
        ...(profDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`]),
      ],
    });
    await net.start();
    const warm = flags.warmUp ? warmUpStep(flags.rates, stepMs) : null;
    const chain = await setUp(net, measuresNeeded(stepMs, warm === null ? 0 : stepSize(warm.rate, warm.ms)));
    const watch = watchBlocks(net.nodes[0] as LocalNode);
    try {
      // Its row is discarded: only the measured steps below are reported.
      if (warm !== null) {
        await runStep(warm.rate, warm.ms, chain, net.nodes, watch);
        warmUp = warm;
      }
      for (const rate of flags.rates) {
        if (performance.now() - started + stepMs + drainTimeoutMs > suiteBudgetMs) break;
        const { row, saturated, window, txs } = await runStep(rate, stepMs, chain, net.nodes, watch);
        rows.push(row);
        windows.push(window);
        traced.push({ label: window.label, txs });
        // The default series stops at its first saturated step; rates asked for are all run.
        if (saturated && !flags.explicitRates) break;
      }
    } finally {
      await watch.stop();
    }
    rows.push(summary(rows, stepMs, warmUp, flags.nodeArgs));
    if (flags.trace)
      rows.push(
        ...(await traceRows(
          net.nodes.map((n) => n.log),
          traced,
        )),
      );
  } finally {
    await net?.stop();
    if (flags.logsDir !== undefined && net !== undefined) await keepLogs(net.nodes, flags.logsDir);
    await rm(dir, { recursive: true, force: true });
  }
  // The nodes write their profiles as they exit: split each step's CPU per transaction by component.
  if (profDir !== undefined) {
    const split = await componentRows(profDir, windows);
    rows.push(...split);
    const last = split.at(-1);
    if (last !== undefined) rows.push(bound(last));
  }
  return { suite: 'throughput', rows };
}

/**
 * `--rates 25,300`: offered rates in place of `offeredRates`, each run even past saturation;
 * `--cpu-prof DIR`: each node writes a V8 CPU profile under DIR when it stops, and the result gains a table of each step's node CPU per
 * transaction by component (see `throughput-profile.ts`); `--trace`: the nodes log their consensus
 * steps (debug), and the result gains a table of where each step's latency goes, stage by stage
 * (see `throughput-trace.ts`). For experiments, `--node-args="FLAGS"` starts every node with those
 * Node flags (not in the usage line; the result's note names them), and `--logs DIR` keeps each
 * node's log (its stdout and stderr: what `--node-args="--trace-opt --trace-deopt"` prints, say) as
 * DIR/node0.log … once the nodes have stopped.
 */
export const throughputUsage = '[--rates 25,300,…] [--cpu-prof DIR] [--trace] [--no-warm-up]';

/** The unmeasured step run before the measured ones. */
export interface WarmUp {
  readonly rate: number;
  readonly ms: number;
}

/**
 * The warm-up before the measured steps: the first rate, for half a step but at most
 * `maxWarmUpMs` (and at least a second).
 */
export function warmUpStep(rates: readonly number[], stepMs: number): WarmUp | null {
  const rate = rates[0];
  if (rate === undefined) return null;
  return { rate, ms: Math.max(1_000, Math.min(maxWarmUpMs, Math.round(stepMs / 2))) };
}

export function throughputFlags(args: readonly string[]): {
  rates: readonly number[];
  /** Whether `--rates` named the rates (every one is run, saturated or not). */
  explicitRates: boolean;
  cpuProfDir?: string;
  trace: boolean;
  /** Whether an unmeasured warm-up runs first (`warmUpStep`); `--no-warm-up` leaves it out. */
  warmUp: boolean;
  /** Node's flags for every node process (`--node-args="--max-semi-space-size=64 …"`). */
  nodeArgs: readonly string[];
  /** Where the nodes' logs are copied when they have stopped (`--logs DIR`); else they go with the run's directory. */
  logsDir?: string;
} {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rates: { type: 'string' },
      'cpu-prof': { type: 'string' },
      trace: { type: 'boolean' },
      'no-warm-up': { type: 'boolean' },
      'node-args': { type: 'string' },
      logs: { type: 'string' },
    },
    strict: true,
  });
  const rates = values.rates === undefined ? [...offeredRates] : values.rates.split(',').map(Number);
  if (rates.length === 0 || rates.some((r) => !Number.isInteger(r) || r < 1 || r > 100_000))
    throw new UsageError('--rates takes a comma-separated list of whole tx/s between 1 and 100000');
  const dir = values['cpu-prof'];
  const trace = values.trace === true;
  const explicitRates = values.rates !== undefined;
  const warmUp = values['no-warm-up'] !== true;
  const nodeArgs = (values['node-args'] ?? '').split(/\s+/).filter((a) => a !== '');
  if (nodeArgs.some((a) => !a.startsWith('-')))
    throw new UsageError('--node-args takes Node flags only (--node-args="--max-semi-space-size=64 …")');
  if (values.logs === '') throw new UsageError('--logs takes a directory');
  return {
    rates,
    explicitRates,
    ...(dir === undefined ? {} : { cpuProfDir: dir }),
    trace,
    warmUp,
    nodeArgs,
    ...(values.logs === undefined ? {} : { logsDir: values.logs }),
  };
}

/** Copies each node's log to `logsDir` under its file name (`node0.log` …); a node that never wrote one has none. */
async function keepLogs(nodes: readonly LocalNode[], logsDir: string): Promise<void> {
  await mkdir(logsDir, { recursive: true });
  for (const node of nodes)
    await copyFile(node.log, join(logsDir, basename(node.log))).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
}

interface Chain {
  readonly chainId: string;
  readonly periodStart: number;
  readonly modules: ReturnType<typeof marketModules>;
  readonly senders: readonly Sender[];
}

/** Funds the senders from node0, registers a meter for each and opens a past period long enough for every measure. */
async function setUp(net: LocalNetwork, measuresPerSender: number): Promise<Chain> {
  const node0 = net.nodes[0] as LocalNode;
  const modules = marketModules('joule');
  const { core, market } = modules;
  const days = Math.ceil(measuresPerSender / ((secondsPerDay / slotSeconds) * signals.length));
  if (days > maxPeriodDays)
    throw new RangeError(
      `the series needs ${days} days of measures per sender; a period holds ${maxPeriodDays}`,
    );
  const periodEnd = Math.floor(Date.now() / 1000 / secondsPerDay) * secondsPerDay;
  const periodStart = periodEnd - days * secondsPerDay;
  const list = Array.from({ length: senders }, (_, i): Sender => {
    const key = generateKeyPair(sha256(new TextEncoder().encode(`joule throughput sender ${i}`)));
    const node = net.nodes[i % validators] as LocalNode;
    return {
      key,
      address: addressOf(key.publicKey),
      meterId: `tp-${i}`,
      client: new JouleClient({ url: node.api, timeoutMs: requestTimeoutMs }),
      nonce: 0,
      measures: 0,
      signed: 0,
    };
  });
  const admin = await loadKey(node0.home, 'node0');
  let nonce = (await node0.client.account(addressOf(admin.key.publicKey)))?.nonce ?? 0;
  const commit = async (messages: TxMessage[], what: string): Promise<void> => {
    const sent = await node0.client.signAndSend(admin.key.secretKey, messages, {
      commit: true,
      nonce: nonce++,
    });
    const code = sent.committed?.tx_result?.code;
    if (code !== 0)
      throw new Error(`throughput setup: ${what} failed (code ${code}): ${sent.committed?.tx_result?.log}`);
  };
  await commit(
    [
      txMessage(core.bank.msg.multiSend, {
        outputs: list.map((s) => ({ to: s.address, denom, amount: fundingUjoule })),
      }),
    ],
    'funding the senders',
  );
  for (let i = 0; i < list.length; i += 32)
    await commit(
      list
        .slice(i, i + 32)
        .map((s) => txMessage(market.msg.addMeterFromList, { meterId: s.meterId, account: s.address })),
      'adding the meters',
    );
  await commit(
    [
      txMessage(market.msg.setMarketParameters, {
        tsStart: periodStart,
        tsEnd: periodEnd,
        slotSeconds,
        ...prices,
      }),
    ],
    'setting the period',
  );
  return { chainId: await node0.client.chainId(), periodStart, modules, senders: list };
}

/** Measures one sender may need over the whole series (every step at its full size) and a warm-up of `warmUpTxs`. */
export function measuresNeeded(stepMs: number, warmUpTxs = 0): number {
  const total = offeredRates.reduce((sum, r) => sum + stepSize(r, stepMs), 0) + warmUpTxs;
  return Math.ceil(total / senders / 2) + 1;
}

export function stepSize(rate: number, stepMs: number): number {
  return Math.min(maxStepTxs, Math.round((rate * stepMs) / 1000));
}

/** A sender's m-th measure: slot ⌊m/2⌋ of the period, consumption then production, so none repeats. */
export function measureSlot(m: number): { slot: number; signal: Signal } {
  return { slot: Math.floor(m / signals.length), signal: signals[m % signals.length] as Signal };
}

function nextTx(s: Sender, to: Sender, chain: Chain): Uint8Array {
  let message: TxMessage;
  if (s.signed++ % 2 === 0) {
    const m = s.measures++;
    const { slot, signal } = measureSlot(m);
    const tsStart = chain.periodStart + slot * slotSeconds;
    message = txMessage(chain.modules.market.msg.setEnergyMeasure, {
      meterId: s.meterId,
      tsStart,
      tsEnd: tsStart + slotSeconds,
      signal,
      value: 100 + ((m * 7_919) % 2_000),
    });
  } else message = txMessage(chain.modules.core.bank.msg.send, { to: to.address, denom, amount: 1n });
  return signWithKey(s.key, { chainId: chain.chainId, nonce: s.nonce++, messages: [message] });
}

/**
 * `signTx`'s bytes from a key pair, without its per-call public-key derivation (noble's, most of
 * `signTx`'s cost), so that signing a step ahead of time takes seconds, not half a minute.
 */
export function signWithKey(
  key: KeyPair,
  fields: { chainId: string; nonce: number; messages: readonly TxMessage[] },
): Uint8Array {
  const body = { ...fields, signer: key.publicKey, memo: '' };
  return encode(txCodec, { body, signature: sign(key.secretKey, txSignBytes(body)) });
}

/**
 * Whether the block watcher asks node0 again, `sinceMs` after its last request found no block:
 * every `blockPollMs` while a transaction is due, else every `idlePollMs` — but at once when a
 * transaction falls due while it idles, so that a transaction sent into an idle chain is timed
 * to the same resolution as one sent into a busy one (an idle wait used to run its whole
 * `idlePollMs` first).
 */
export function pollNow(pending: boolean, sinceMs: number): boolean {
  return pending || sinceMs >= idlePollMs;
}

interface Watch {
  log: StepLog | null;
  stop(): Promise<void>;
}

/** Polls node0 for each next block; hands it to the current step's log. */
function watchBlocks(node: LocalNode): Watch {
  const client = new JouleClient({ url: node.api, timeoutMs: requestTimeoutMs });
  const abort = new AbortController();
  const watch: Watch = { log: null, stop: async () => {} };
  const loop = (async () => {
    let height = Number((await client.status()).sync_info.latest_block_height) + 1;
    while (!abort.signal.aborted) {
      const block = await client.block(height).catch(() => null);
      if (block === null) {
        const asked = performance.now();
        do await sleep(blockPollMs);
        while (!abort.signal.aborted && !pollNow((watch.log?.due.size ?? 0) > 0, performance.now() - asked));
        continue;
      }
      const seenAt = performance.now();
      watch.log?.observe({
        height,
        seenAt,
        timeMs: Date.parse(String(block.block.header.time)),
        hashes: block.block.data.txs.map((t) => toHex(txHash(fromHex(t)))),
      });
      height++;
    }
  })();
  watch.stop = async () => {
    abort.abort();
    await loop;
  };
  return watch;
}

async function runStep(
  rate: number,
  stepMs: number,
  chain: Chain,
  nodes: readonly LocalNode[],
  watch: Watch,
): Promise<{ row: Row; saturated: boolean; window: StepWindow; txs: readonly TracedTx[] }> {
  for (const s of chain.senders) s.nonce = (await s.client.account(s.address))?.nonce ?? 0;
  const signStart = performance.now();
  const plans = signStep(rate, stepMs, chain);
  const signUs = ((performance.now() - signStart) * 1000) / stepSize(rate, stepMs);

  const log = new StepLog();
  watch.log = log;
  const cpu = await cpuWindow(nodes);
  const stepCpu0 = await nodeCpuSeconds(nodes);
  const v8Cpu0 = await v8WorkerCpuSeconds(nodes);
  const fromUs = monotonicUs();
  const t0 = performance.now() + 20;
  const sends = await sendStep(chain.senders, plans, t0, log);
  const usage = await cpu.end();
  const deadline = performance.now() + drainTimeoutMs;
  while (log.due.size > 0 && performance.now() < deadline) await sleep(50);
  watch.log = null;
  // The nodes' CPU from the first send until the last admitted transaction committed, per
  // committed transaction and node: the cost of a transaction, whatever the machine's speed.
  const stepCpu1 = await nodeCpuSeconds(nodes);
  const v8Cpu1 = await v8WorkerCpuSeconds(nodes);
  const toUs = monotonicUs();
  let stepCpuSeconds = 0;
  for (const [pid, cpuSeconds] of stepCpu1) stepCpuSeconds += cpuSeconds - (stepCpu0.get(pid) ?? cpuSeconds);
  let v8CpuSeconds = 0;
  for (const [pid, cpuSeconds] of v8Cpu1) v8CpuSeconds += cpuSeconds - (v8Cpu0.get(pid) ?? cpuSeconds);
  const perTxNode = (seconds: number) =>
    log.latencies.length === 0 ? Number.NaN : (seconds * 1e6) / log.latencies.length / stepCpu1.size;
  const cpuUsPerTx = perTxNode(stepCpuSeconds);
  const peers = await Promise.all(
    nodes.map((n) =>
      n.client.netInfo().then(
        (i) => Number(i.n_peers),
        () => 0,
      ),
    ),
  );

  // Rates over the steady part of the step: its first `warmUpShare` fills the pipeline.
  const from = t0 + warmUpShare * stepMs;
  const to = t0 + stepMs;
  const steady = (t: number) => t >= from && t <= to;
  const committedPerS = (log.commitTimes.filter(steady).length * 1000) / (to - from);
  const blocks = log.blocks.filter((b) => steady(b.seenAt));
  const sorted = [...log.latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 0.5);
  const row: Row = {
    'offered tx/s': rate,
    ...sends,
    committed: log.latencies.length,
    lost: log.due.size,
    'committed tx/s': Math.round(committedPerS),
    'p50 ms': Math.round(p50),
    'p99 ms': Math.round(percentile(sorted, 0.99)),
    blocks: blocks.length,
    'block interval ms': Math.round(meanInterval(blocks)),
    'txs/block':
      blocks.length === 0 ? 0 : Math.round(blocks.reduce((n, b) => n + b.hashes.length, 0) / blocks.length),
    'nodes up': nodes.filter((n) => n.pid() !== undefined).length,
    'min peers': Math.min(...peers),
    ...usage,
    'node CPU µs/tx': Math.round(cpuUsPerTx),
    'V8 threads µs/tx': Math.round(perTxNode(v8CpuSeconds)),
    'sign µs/tx': Math.round(signUs),
  };
  return {
    row,
    saturated: committedPerS < saturationShare * rate || !(p50 <= saturationP50Ms),
    window: { label: `${rate} tx/s`, fromUs, toUs, cpuUsPerTx },
    txs: log.traced,
  };
}

/** Signs a step ahead of time: transaction i is due at i / rate, from sender i mod `senders`. */
function signStep(rate: number, stepMs: number, chain: Chain): Planned[][] {
  const plans: Planned[][] = chain.senders.map(() => []);
  for (let i = 0; i < stepSize(rate, stepMs); i++) {
    const from = chain.senders[i % senders] as Sender;
    const tx = nextTx(from, chain.senders[(i + 1) % senders] as Sender, chain);
    plans[i % senders]?.push({ tx, hash: toHex(txHash(tx)), atMs: (i * 1000) / rate });
  }
  return plans;
}

/**
 * Sends each sender's plan at its scheduled times through its lane (see `lanesPerNode`). A
 * refusal other than back-pressure (see `SubmitLane`) ends the sender's step (its later nonces
 * would only fail on the gap), and so does falling `maxLagMs` behind; what it did not send counts
 * as dropped.
 */
async function sendStep(
  list: readonly Sender[],
  plans: readonly (readonly Planned[])[],
  t0: number,
  log: StepLog,
): Promise<Row> {
  const refusals = new Map<string, number>();
  const refuse = (code: string) => refusals.set(code, (refusals.get(code) ?? 0) + 1);
  let sent = 0;
  let dropped = 0;
  /** Senders refused in this step, by index: their later transactions are not sent. */
  const stopped = new Set<number>();
  const lanes = new Map<string, SubmitLane>();
  const laneOf = (k: number): SubmitLane => {
    const key = `${k % validators}/${Math.floor(k / validators) % lanesPerNode}`;
    let lane = lanes.get(key);
    if (lane === undefined) {
      lane = new SubmitLane(
        (list[k] as Sender).client,
        (sender, hash, code) => {
          log.due.delete(hash);
          refuse(code);
          stopped.add(sender);
        },
        (hash) => log.acked.set(hash, performance.now()),
      );
      lanes.set(key, lane);
    }
    return lane;
  };
  await Promise.all(
    list.map(async (_s, k) => {
      const plan = plans[k] ?? [];
      const lane = laneOf(k);
      for (const [j, p] of plan.entries()) {
        const wait = t0 + p.atMs - performance.now();
        if (wait > 0) await sleep(wait);
        else if (-wait > maxLagMs) {
          dropped += plan.length - j;
          return;
        }
        if (stopped.has(k)) {
          dropped += plan.length - j;
          return;
        }
        log.due.set(p.hash, t0 + p.atMs);
        sent++;
        lane.submit(k, p);
      }
    }),
  );
  await Promise.all([...lanes.values()].map((l) => l.drained()));
  return {
    sent,
    refused: [...refusals.values()].reduce((a, b) => a + b, 0),
    'refused by': [...refusals].map(([code, n]) => `${code} ${n}`).join(', '),
    'sent again': [...lanes.values()].reduce(
      (n, lane) => n + [...lane.retried.values()].reduce((a, b) => a + b, 0),
      0,
    ),
    dropped,
  };
}

/** Refusals that clear by themselves: a client waits the node's hint and sends the transaction again. */
const busyCodes: ReadonlySet<string> = new Set(['MEMPOOL_FULL', 'MEMPOOL_SENDER_FULL', 'API_BUSY']);
/** The longest wait honoured from one retry hint, ms (the node's `MEMPOOL_FULL` hint is 1 s). */
const maxRetryHintMs = 1_000;
/** The shortest wait before sending again, ms (a hint of 0 does not make the lane spin). */
const minRetryMs = 50;
/** Times one transaction is sent again; then its refusal counts as any other and ends its sender's step. */
const maxRetriesPerTx = 10;

/**
 * One submission lane to one node: what falls due while a request is out leaves together in the
 * next `/broadcast_txs_sync`, in order; one request at a time. A busy refusal (`busyCodes`) is
 * back-pressure, not a failure: as a concentrator does, the lane waits the node's retry hint and
 * sends the refused transaction again, ahead of what fell due since, together with the same
 * sender's later transactions of that request (refused behind it on their nonce), at most
 * `maxRetriesPerTx` times each. Any other refusal ends its sender's step.
 */
class SubmitLane {
  readonly #client: JouleClient;
  readonly #onRefused: (sender: number, hash: string, code: string) => void;
  readonly #onAccepted: (hash: string) => void;
  #queue: { sender: number; plan: Planned }[] = [];
  #posting: Promise<void> | null = null;
  /** Busy refusals sent again, by code. */
  readonly retried = new Map<string, number>();
  /** Times each transaction was sent again (at most `maxRetriesPerTx`). */
  readonly #tries = new Map<string, number>();

  constructor(
    client: JouleClient,
    onRefused: (sender: number, hash: string, code: string) => void,
    onAccepted: (hash: string) => void,
  ) {
    this.#client = client;
    this.#onRefused = onRefused;
    this.#onAccepted = onAccepted;
  }

  submit(sender: number, plan: Planned): void {
    this.#queue.push({ sender, plan });
    this.#posting ??= this.#post();
  }

  async drained(): Promise<void> {
    while (this.#posting !== null) await this.#posting;
  }

  async #post(): Promise<void> {
    // Let the senders due in this turn join the first request.
    await new Promise((r) => setImmediate(r));
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, maxTxsPerSubmit);
      const again: typeof batch = [];
      let waitMs = 0;
      try {
        const { results } = await this.#client.broadcastTxsSync(batch.map((b) => b.plan.tx));
        /** Senders with a busy refusal in this request: their later transactions go again too. */
        const held = new Set<number>();
        for (const [i, r] of results.entries()) {
          const b = batch[i] as (typeof batch)[number];
          if (r.code === 0) this.#onAccepted(b.plan.hash);
          else if (
            (busyCodes.has(r.code) || held.has(b.sender)) &&
            (this.#tries.get(b.plan.hash) ?? 0) < maxRetriesPerTx
          ) {
            held.add(b.sender);
            this.#tries.set(b.plan.hash, (this.#tries.get(b.plan.hash) ?? 0) + 1);
            again.push(b);
            this.retried.set(r.code, (this.retried.get(r.code) ?? 0) + 1);
            if (busyCodes.has(r.code)) waitMs = Math.max(waitMs, r.retry_after_ms ?? maxRetryHintMs);
          } else this.#onRefused(b.sender, b.plan.hash, r.code);
        }
      } catch (error) {
        const code = error instanceof ClientError ? error.code : 'ERROR';
        for (const b of batch) this.#onRefused(b.sender, b.plan.hash, code);
      }
      if (again.length === 0) continue;
      this.#queue.unshift(...again);
      await sleep(Math.max(minRetryMs, Math.min(waitMs, maxRetryHintMs)));
    }
    this.#posting = null;
  }
}

/**
 * What the highest step's CPU per transaction allows on this machine's cores (the nodes alone, no
 * load generator), what 2 000 tx/s would need, and the largest components of the gap.
 */
function bound(split: Row): Row {
  const cores = availableParallelism();
  const perTx = Number(split['node CPU µs/tx']);
  const needUs = Math.floor((cores * 1e6) / (validators * 2_000));
  const parts = Object.entries(split)
    .filter(([k, v]) => k !== 'step' && k !== 'node CPU µs/tx' && typeof v === 'number')
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .slice(0, 5)
    .map(([k, v]) => `${k} ${v}`);
  return {
    'at step': String(split.step),
    'node CPU µs/tx': perTx,
    'CPU-bound tx/s': Math.round((cores * 1e6) / (validators * perTx)),
    'µs/tx/node for 2 000 tx/s': needUs,
    'largest components, µs/tx/node': parts.join('; '),
  };
}

/** The highest committed rate of an unsaturated step, and the settings it was measured with. */
function summary(
  rows: readonly Row[],
  stepMs: number,
  warmUp: WarmUp | null,
  nodeArgs: readonly string[],
): Row {
  const ok = rows.filter(
    (r) =>
      Number(r['committed tx/s']) >= saturationShare * Number(r['offered tx/s']) &&
      Number(r['p50 ms']) <= saturationP50Ms,
  );
  return {
    'offered tx/s': 'max sustained',
    'committed tx/s': Math.max(0, ...ok.map((r) => Number(r['committed tx/s']))),
    note: `${validators} validators (mesh), ${senders} senders posting in batches over ${validators * lanesPerNode} lanes, ${stepMs / 1000} s steps${warmUp === null ? ', no warm-up' : ` after an unmeasured ${warmUp.ms / 1000} s warm-up at ${warmUp.rate} tx/s`}; fast profile, timeouts ${throughputTimeouts()}; mempool defaults; nodes and load share ${availableParallelism()} cores${nodeArgs.length === 0 ? '' : `; nodes started with ${nodeArgs.join(' ')}`}`,
  };
}

function meanInterval(blocks: readonly SeenBlock[]): number {
  if (blocks.length < 2) return Number.NaN;
  return ((blocks.at(-1) as SeenBlock).timeMs - (blocks[0] as SeenBlock).timeMs) / (blocks.length - 1);
}

/**
 * CPU of the node processes, of this process and of every other process of the machine, in % of
 * one core, from now until `end()`.
 */
async function cpuWindow(nodes: readonly LocalNode[]): Promise<{ end(): Promise<Row> }> {
  const at = performance.now();
  const nodes0 = await nodeCpuSeconds(nodes);
  const machine0 = await machineBusySeconds();
  const own0 = process.cpuUsage();
  return {
    async end() {
      const seconds = (performance.now() - at) / 1000;
      const nodes1 = await nodeCpuSeconds(nodes);
      let node = 0;
      for (const [pid, cpu] of nodes1) node += cpu - (nodes0.get(pid) ?? cpu);
      const machine = (await machineBusySeconds()) - machine0;
      const own = process.cpuUsage(own0);
      const bench = (own.user + own.system) / 1e6;
      const percent = (cpu: number) => Math.round((100 * cpu) / seconds);
      return {
        'nodes CPU %': percent(node),
        'bench CPU %': percent(bench),
        'other CPU %': percent(machine - node - bench),
      };
    },
  };
}

/** CPU seconds used so far by each running node process, by pid. */
async function nodeCpuSeconds(nodes: readonly LocalNode[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const n of nodes) {
    const pid = n.pid();
    const proc = pid === undefined ? null : await readProc(pid).catch(() => null);
    if (pid !== undefined && proc !== null) out.set(pid, proc.cpuSeconds);
  }
  return out;
}

/**
 * CPU seconds used so far by V8's worker threads of each running node process, by pid (Linux's
 * `/proc/PID/task`; an empty map elsewhere): the collector's background and parallel tasks and the
 * optimising compilers' concurrent jobs, which run beside the main thread. Their share of `node
 * CPU µs/tx` is what Node's flags for those threads (`--single-threaded-gc`, `--v8-pool-size`)
 * could move or save.
 */
async function v8WorkerCpuSeconds(nodes: readonly LocalNode[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const n of nodes) {
    const pid = n.pid();
    if (pid === undefined) continue;
    const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    let seconds = 0;
    for (const tid of tasks) {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
      if (stat === '') continue;
      const { name, cpuSeconds } = parseProcStat(stat);
      if (/V8/.test(name)) seconds += cpuSeconds;
    }
    if (tasks.length > 0) out.set(pid, seconds);
  }
  return out;
}

/** CPU seconds every process of this machine has used since boot (the `cpu` line of /proc/stat; NaN elsewhere). */
async function machineBusySeconds(): Promise<number> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => '');
  const fields = /^cpu\s+(.*)$/m.exec(stat)?.[1]?.split(/\s+/).map(Number);
  if (fields === undefined) return Number.NaN;
  // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    clockTicksPerSecond
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
