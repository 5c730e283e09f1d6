import { readFileSync } from 'node:fs';
import { type ELDHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { CommittedEvent } from '@joule/consensus';
import { type MemoryBudget, maxPeerMetricLabels, type NodeProfile } from '../constants.js';
import { Counter, Gauge, Histogram, Registry } from './prometheus.js';

/** What the metrics read on each scrape (nothing is polled between scrapes). */
export interface MetricsSources {
  /**
   * The profile: its memory budget is reported (as the node's settings enforce it, `budgetOf`), its
   * event-loop sampling period used.
   */
  readonly profile: NodeProfile;
  mempool(): { txs: number; bytes: number };
  peers(): number;
  /** Payload bytes received and sent over the network since start. */
  networkBytes(): { in: number; out: number };
  /**
   * Bytes held by the budgeted caches, as each counts them against its budget (components it
   * cannot measure are absent): reported as `joule_memory_used_bytes{component}`.
   */
  caches?(): Partial<Record<keyof MemoryBudget, number>>;
}

/**
 * The node's Prometheus metrics on a registry of its own (several nodes can share a process, as in
 * tests). Gauges that mirror state are computed on scrape; nothing here sets a timer. The
 * event-loop monitor (`perf_hooks`) runs only between `start()` and `stop()`.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly #height: Gauge;
  readonly #rounds: Histogram;
  readonly #interval: Histogram;
  readonly #txs: Counter;
  readonly #invalid: Counter<'peer'>;
  readonly #idleCollections: Counter;
  readonly #peerLabels = new Set<string>();
  #loop: ELDHistogram | null = null;
  readonly #loopSampleMs: number;
  #lastBlockTime: number | null = null;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.#height = new Gauge({ name: 'joule_height', help: 'Height of the last committed block', registers });
    this.#rounds = new Histogram({
      name: 'joule_rounds_per_height',
      help: 'Rounds a height took to commit (1 = decided in round 0)',
      buckets: [1, 2, 3, 5, 10],
      registers,
    });
    this.#interval = new Histogram({
      name: 'joule_block_interval_seconds',
      help: 'Time between consecutive block times',
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 900],
      registers,
    });
    this.#txs = new Counter({ name: 'joule_txs_total', help: 'Transactions committed', registers });
    this.#idleCollections = new Counter({
      name: 'joule_idle_collections_total',
      help: "Memory-reducing full collections run while the node idled after a commit (the profile's idle collection)",
      registers,
    });
    this.#invalid = new Counter({
      name: 'joule_invalid_messages_total',
      help: `Messages from a peer that consensus rejected as no honest node sends them (first ${maxPeerMetricLabels} peers by id, the rest as "other")`,
      labelNames: ['peer'],
      registers,
    });
    new Gauge({
      name: 'joule_mempool_txs',
      help: 'Transactions in the mempool',
      registers,
      collect() {
        this.set(sources.mempool().txs);
      },
    });
    new Gauge({
      name: 'joule_mempool_bytes',
      help: 'Transaction bytes in the mempool',
      registers,
      collect() {
        this.set(sources.mempool().bytes);
      },
    });
    new Gauge({
      name: 'joule_peers',
      help: 'Connected peers',
      registers,
      collect() {
        this.set(sources.peers());
      },
    });
    new Gauge({
      name: 'joule_p2p_bytes',
      help: 'Payload bytes over the network since start',
      labelNames: ['direction'],
      registers,
      collect() {
        const b = sources.networkBytes();
        this.set({ direction: 'in' }, b.in);
        this.set({ direction: 'out' }, b.out);
      },
    });
    new Gauge({
      name: 'process_resident_memory_bytes',
      help: 'Resident set size of the node process',
      registers,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Gauge({
      name: 'process_heap_used_bytes',
      help: 'V8 heap in use',
      registers,
      collect() {
        this.set(process.memoryUsage().heapUsed);
      },
    });
    new Gauge({
      name: 'process_anonymous_memory_bytes',
      help: 'Anonymous resident memory of the node process (heap, native allocations; Linux only)',
      registers,
      collect() {
        const bytes = anonymousBytes();
        if (bytes !== null) this.set(bytes);
      },
    });
    new Gauge({
      name: 'nodejs_heap_space_bytes',
      help: 'V8 heap per space: bytes in use and committed',
      labelNames: ['space', 'kind'],
      registers,
      collect() {
        for (const space of v8.getHeapSpaceStatistics()) {
          this.set({ space: space.space_name, kind: 'used' }, space.space_used_size);
          this.set({ space: space.space_name, kind: 'committed' }, space.physical_space_size);
        }
      },
    });
    new Gauge({
      name: 'process_external_memory_bytes',
      help: "Memory outside the V8 heap that V8 accounts for: ArrayBuffers and external strings (large script sources, Node's own)",
      registers,
      collect() {
        this.set(process.memoryUsage().external);
      },
    });
    new Gauge({
      name: 'process_array_buffers_bytes',
      help: 'Memory of ArrayBuffers and Buffers outside the V8 heap (part of process_external_memory_bytes)',
      registers,
      collect() {
        this.set(process.memoryUsage().arrayBuffers);
      },
    });
    const budget = sources.profile.memory;
    new Gauge({
      name: 'joule_memory_budget_bytes',
      help: `Memory budget per component: the "${sources.profile.name}" profile's, with the bounds config.toml sets`,
      labelNames: ['component'],
      registers,
      collect() {
        for (const key of Object.keys(budget) as (keyof MemoryBudget)[])
          this.set({ component: componentName(key) }, budget[key]);
      },
    });
    new Gauge({
      name: 'joule_memory_used_bytes',
      help: 'Memory in use per budgeted component, where the process can measure it',
      labelNames: ['component'],
      registers,
      collect() {
        const heap = heapUse();
        this.set({ component: componentName('v8OldSpaceBytes') }, heap.old);
        this.set({ component: componentName('v8YoungGenerationBytes') }, heap.young);
        this.set({ component: componentName('mempoolBytes') }, sources.mempool().bytes);
        const caches = sources.caches?.() ?? {};
        for (const key of Object.keys(caches) as (keyof MemoryBudget)[]) {
          const used = caches[key];
          if (used !== undefined) this.set({ component: componentName(key) }, used);
        }
      },
    });
    this.#loopSampleMs = sources.profile.timers.eventLoopSampleMs;
    const loop = () => this.#loop;
    new Gauge({
      name: 'nodejs_eventloop_lag_seconds',
      help: 'Event-loop delay since the last scrape (mean, p99, max)',
      labelNames: ['stat'],
      registers,
      collect() {
        const h = loop();
        if (h === null || h.count === 0) return;
        this.set({ stat: 'mean' }, h.mean / 1e9);
        this.set({ stat: 'p99' }, h.percentile(99) / 1e9);
        this.set({ stat: 'max' }, h.max / 1e9);
        h.reset();
      },
    });
  }

  start(): void {
    if (this.#loop !== null) return;
    this.#loop = monitorEventLoopDelay({ resolution: this.#loopSampleMs });
    this.#loop.enable();
  }

  stop(): void {
    this.#loop?.disable();
    this.#loop = null;
  }

  /** Records a committed block. */
  committed(event: CommittedEvent): void {
    const { header } = event.block;
    this.#height.set(header.height);
    this.#rounds.observe(event.commit.round + 1);
    this.#txs.inc(event.block.txs.length);
    if (this.#lastBlockTime !== null)
      this.#interval.observe(Math.max(0, header.time - this.#lastBlockTime) / 1000);
    this.#lastBlockTime = header.time;
  }

  /** Sets the height at start (before any new commit). */
  setHeight(height: number): void {
    this.#height.set(height);
  }

  /** A memory-reducing collection ran after a commit. */
  idleCollected(): void {
    this.#idleCollections.inc();
  }

  /** Consensus refused a message from `peer`. */
  invalidMessage(peer: string): void {
    let label = peer;
    if (!this.#peerLabels.has(peer)) {
      if (this.#peerLabels.size < maxPeerMetricLabels) this.#peerLabels.add(peer);
      else label = 'other';
    }
    this.#invalid.inc({ peer: label });
  }

  /** The text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** `v8OldSpaceBytes` → `v8_old_space`: the label of a budget's component. */
export function componentName(key: keyof MemoryBudget): string {
  return key
    .replace(/Bytes$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** V8's young generation (new space and its large objects) and everything else, committed bytes. */
function heapUse(): { old: number; young: number } {
  let old = 0;
  let young = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name.startsWith('new_')) young += space.physical_space_size;
    else old += space.space_used_size;
  }
  return { old, young };
}

/** RssAnon of /proc/self/status, bytes; null where there is no /proc. */
function anonymousBytes(): number | null {
  try {
    const m = /^RssAnon:\s+([0-9]+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m === null ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}
