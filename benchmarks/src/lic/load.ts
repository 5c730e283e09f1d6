import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type Community,
  generateCommunity,
  LocalNetwork,
  type LocalNetworkOptions,
  type NodeSamples,
  ResourceSampler,
  setUpCommunity,
  slotMeasures,
  submit,
} from '@joule/lic-pilot';
import type { ConfigOverrides } from '@joule/node';
import type { Progress } from '../report.js';
import { type HomeBytes, homeBytes } from './disk.js';
import { MemorySampler, type NodeMemory } from './memory.js';

/**
 * Seconds the network is left alone after the community's setup before the idle baseline begins:
 * the setup's blocks, the compilations and collections they start, end inside it (measured: the
 * validators' CPU in the 30 s right after setup 1.21 %, in the next 30 s 0.91 %, later 0.81 %).
 */
export const idleSettleSeconds = 30;
/** Seconds of idle network sampled before the load starts (the idle baseline), after the settling. */
export const idleSeconds = 60;
/** Longest real run the suite accepts (a week of soak). */
export const maxRealSeconds = 7 * 86_400;
const slotSeconds = 900;

export interface LicLoadOptions {
  readonly nodes: number;
  readonly validators: number;
  /** Simulated days of 15-minute traffic. */
  readonly days: number;
  /** Simulated seconds per real second (1: real time). */
  readonly compress: number;
  readonly basePort: number;
  readonly seed: number;
  readonly config?: ConfigOverrides;
  /** Per node: how its process runs (a heap limit, taskset, an arm64 Node under qemu). */
  readonly launch?: LocalNetworkOptions['launch'];
  readonly startTimeoutMs?: number;
  /** Node's flags for every node (those of `launch` win). */
  readonly nodeArgs?: readonly string[];
  /** Called after each tick's transactions (a soak's heap snapshot after warm-up). */
  /** `now` gives seconds on the samplers' clock (that of `LicLoadRun`'s times). */
  readonly afterTick?: (tick: number, net: LocalNetwork, now: () => number) => Promise<void>;
  /** Called after the last tick, before the nodes stop (a soak's last heap snapshot). */
  readonly afterLoad?: (net: LocalNetwork, now: () => number) => Promise<void>;
  /**
   * Ends the load early when it fires: the tick in progress sends its transactions, no other
   * starts (nor the idle baseline's rest), `afterLoad` runs, and the run returns as far as it got
   * (`ticks` counts the ticks done).
   */
  readonly signal?: AbortSignal;
  /** Each node in a process group of its own (see `LocalNetworkOptions.detached`). */
  readonly detached?: boolean;
  /** Called once the network exists, before it starts, with a view of the run while it goes. */
  readonly live?: (live: LicLoadLive) => void;
}

/** A run while it goes. */
export interface LicLoadLive {
  /**
   * The run so far, as `runLicLoad` would return it if the load ended now (no disk figures of
   * node0; its height is the last one probed). Its arrays are the samplers' own, not copies: read
   * or serialise them before the next await.
   */
  soFar(): LicLoadRun;
  /** Kills every node at once and removes their homes: for a process that must exit now. */
  killNow(): void;
}

export interface LicLoadRun {
  readonly samples: readonly NodeSamples[];
  /** Anonymous memory and working set per node, on the same clock as `samples`. */
  readonly memory: readonly NodeMemory[];
  /** [real seconds, height of the last node], one a second. */
  readonly heights: readonly (readonly [number, number])[];
  /** Real seconds (sampler clock) when the load started and ended. */
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly ticks: number;
  readonly txs: number;
  readonly refused: number;
  readonly compress: number;
  /** node0's home after the run (stopped): its LevelDB by table and its WAL; null if unreadable. */
  readonly node0Disk: HomeBytes | null;
  /** node0's height when it stopped. */
  readonly node0Height: number;
}

/**
 * The LIC load on real processes: a network in the LIC grid, the 19 meters registered, then every
 * quarter hour of simulated time each meter sends its slot's consumption and production (one
 * transaction) to its own node — one tick every `900 / compress` real seconds, `days × 96` ticks.
 * Every process is sampled once a second from before the load (an idle baseline) to its end.
 */
export async function runLicLoad(
  options: LicLoadOptions,
  progress: (label: string, total?: number) => Progress,
): Promise<LicLoadRun> {
  const dir = await mkdtemp(join(tmpdir(), 'joule-bench-lic-'));
  const ticks = Math.round(options.days * 96);
  const tickMs = (slotSeconds / options.compress) * 1000;
  // A past period, so that every slot has ended by block time whatever the compression.
  const tsStart = (Math.floor(Date.now() / 1000 / 86_400) - Math.ceil(options.days) - 1) * 86_400;
  const data = generateCommunity({ seed: options.seed, tsStart, days: Math.ceil(options.days) });
  const net = await LocalNetwork.create({
    dir,
    nodes: options.nodes,
    validators: options.validators,
    topology: 'lic',
    basePort: options.basePort,
    chainId: 'lic-bench-1',
    nodeArgs: options.nodeArgs ?? [],
    config: { log: { level: 'warn' }, ...options.config },
    ...(options.launch === undefined ? {} : { launch: options.launch }),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
    ...(options.detached === true ? { detached: true } : {}),
  });
  const sampler = new ResourceSampler({}, net.nodes);
  const memory = new MemorySampler(net.nodes);
  const heights: [number, number][] = [];
  let t0 = performance.now();
  const now = () => (performance.now() - t0) / 1000;
  let txs = 0;
  let refused = 0;
  let done = 0;
  let loadStart: number | undefined;
  let loadEnd: number | undefined;
  const stopped = () => options.signal?.aborted === true;
  // An aborted wait ends early; it is not an error.
  const pause = (ms: number) =>
    delay(ms, undefined, options.signal === undefined ? {} : { signal: options.signal }).catch(
      () => undefined,
    );
  options.live?.({
    soFar: () => {
      const t = now();
      return {
        node0Disk: null,
        node0Height: heights.at(-1)?.[1] ?? 0,
        samples: sampler.series,
        memory: memory.series,
        heights,
        loadStart: loadStart ?? t,
        loadEnd: loadEnd ?? t,
        ticks: done,
        txs,
        refused,
        compress: options.compress,
      };
    },
    killNow: () => {
      sampler.stop();
      memory.stop();
      net.killNow();
      rmSync(dir, { recursive: true, force: true });
    },
  });
  try {
    await net.start();
    sampler.start();
    memory.start();
    // The samplers' clock: their t and the load's times are seconds since the same moment.
    t0 = performance.now();
    // The chain's height once a second, asked of the last node (a full node in the lic grid), so
    // that no validator's CPU carries the benchmark's own polling.
    // (In a network of validators only, the probe falls on a validator.)
    const probe = net.nodes[net.nodes.length - 1] as (typeof net.nodes)[number];
    const heightTimer = setInterval(() => {
      void probe.client.status().then(
        (s) => heights.push([now(), Number(s.sync_info.latest_block_height)]),
        () => undefined,
      );
    }, 1_000);
    try {
      const community: Community = await setUpCommunity(net, data);
      const idle = progress('settling, then the idle baseline', idleSettleSeconds + idleSeconds);
      for (let s = 0; s < idleSettleSeconds + idleSeconds && !stopped(); s++) {
        await pause(1_000);
        idle.tick(s + 1);
      }
      idle.done(stopped() ? 'stopped' : undefined);
      const load = progress(`LIC load, ${options.days} simulated days at ×${options.compress}`, ticks);
      const start = now();
      loadStart = start;
      for (let k = 0; k < ticks && !stopped(); k++) {
        const due = t0 + (start + (k + 1) * (tickMs / 1000)) * 1000;
        await Promise.all(
          community.meters.map(async (signer, i) => {
            try {
              await submit(signer, slotMeasures(data, i, signer.meterId, k), `${signer.meterId} slot ${k}`);
              txs++;
            } catch {
              refused++;
            }
          }),
        );
        done = k + 1;
        load.tick(k + 1, `height ${heights.at(-1)?.[1] ?? '?'}`);
        await options.afterTick?.(k, net, now);
        const wait = due - performance.now();
        if (wait > 0 && !stopped()) await pause(wait);
      }
      const end = now();
      loadEnd = end;
      load.done(done < ticks ? `stopped after ${done} of ${ticks} ticks` : undefined);
      await options.afterLoad?.(net, now);
      await sampler.sample();
      const node0 = net.nodes[0] as (typeof net.nodes)[number];
      const node0Height = await node0.client.status().then(
        (st) => Number(st.sync_info.latest_block_height),
        () => heights.at(-1)?.[1] ?? 0,
      );
      sampler.stop();
      memory.stop();
      await net.stop();
      const node0Disk = await homeBytes(node0.home).catch(() => null);
      return {
        node0Disk,
        node0Height,
        samples: sampler.series,
        memory: memory.series,
        heights,
        loadStart: start,
        loadEnd: end,
        ticks: done,
        txs,
        refused,
        compress: options.compress,
      };
    } finally {
      clearInterval(heightTimer);
    }
  } finally {
    sampler.stop();
    memory.stop();
    await net.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
