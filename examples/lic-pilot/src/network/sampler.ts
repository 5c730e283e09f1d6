import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalNode } from './local-network.js';

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ: 100 on x86-64 and arm64). */
const clockTicksPerSecond = 100;
/** Samples kept per node (a day at one a second); older ones are thinned by half when full. */
export const maxSamplesPerNode = 86_400;
/** The longest a scrape of /metrics may take before the sample goes without heap and bytes. */
const scrapeTimeoutMs = 2_000;

/** One reading of one node process. */
export interface ResourceSample {
  /** Seconds since the sampler started. */
  readonly t: number;
  readonly rssBytes: number;
  /** V8 heap in use (from the node's /metrics; NaN when the scrape failed). */
  readonly heapBytes: number;
  /** CPU seconds (user + system) since the process started. */
  readonly cpuSeconds: number;
  /** CPU % of one core since the previous sample. */
  readonly cpuPercent: number;
  /** Bytes of the node's home on disk (allocated blocks). */
  readonly diskBytes: number;
  /** Network payload bytes received and sent since the node started (from /metrics). */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface NodeSamples {
  readonly name: string;
  readonly validator: boolean;
  readonly samples: ResourceSample[];
}

/**
 * Samples every node process once per `intervalMs`, like the paper's monitoring: RSS and CPU from
 * /proc (Linux), heap and network bytes from the node's own /metrics, disk as the allocated size of
 * its home. A node that is down is skipped for that tick.
 */
export class ResourceSampler {
  readonly #nodes: readonly LocalNode[];
  readonly #intervalMs: number;
  readonly #series: NodeSamples[];
  readonly #last = new Map<number, { cpu: number; at: number }>();
  #timer: NodeJS.Timeout | undefined;
  #t0 = 0;
  #busy = false;

  constructor(options: { intervalMs?: number }, nodes: readonly LocalNode[]) {
    this.#nodes = nodes;
    this.#intervalMs = options.intervalMs ?? 1_000;
    this.#series = nodes.map((n) => ({ name: n.name, validator: n.validator, samples: [] }));
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#t0 = performance.now();
    this.#timer = setInterval(() => void this.sample(), this.#intervalMs);
    void this.sample();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get series(): readonly NodeSamples[] {
    return this.#series;
  }

  /** Takes one sample of every running node now (skipped if the previous one is still running). */
  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await Promise.all(this.#nodes.map((n, i) => this.#sampleNode(n, i)));
    } finally {
      this.#busy = false;
    }
  }

  async #sampleNode(node: LocalNode, i: number): Promise<void> {
    const pid = node.pid();
    if (pid === undefined) return;
    const proc = await readProc(pid).catch(() => null);
    if (proc === null) return;
    const at = performance.now();
    const [metrics, diskBytes] = await Promise.all([scrape(node.api), diskUsage(node.home)]);
    const last = this.#last.get(i);
    const cpuPercent =
      last === undefined ? 0 : (100 * (proc.cpuSeconds - last.cpu)) / ((at - last.at) / 1000);
    this.#last.set(i, { cpu: proc.cpuSeconds, at });
    const series = this.#series[i] as NodeSamples;
    if (series.samples.length >= maxSamplesPerNode) thin(series.samples);
    series.samples.push({
      t: (at - this.#t0) / 1000,
      rssBytes: proc.rssBytes,
      heapBytes: metrics.heap,
      cpuSeconds: proc.cpuSeconds,
      cpuPercent: Math.max(0, cpuPercent),
      diskBytes,
      bytesIn: metrics.in,
      bytesOut: metrics.out,
    });
  }
}

/** Keeps every other sample. */
function thin(samples: ResourceSample[]): void {
  let w = 0;
  for (let r = 0; r < samples.length; r += 2) samples[w++] = samples[r] as ResourceSample;
  samples.length = w;
}

/** RSS and CPU seconds of a process from /proc. */
export async function readProc(pid: number): Promise<{ rssBytes: number; cpuSeconds: number }> {
  const [status, statLine] = await Promise.all([
    readFile(`/proc/${pid}/status`, 'utf8'),
    readFile(`/proc/${pid}/stat`, 'utf8'),
  ]);
  const rss = /^VmRSS:\s+([0-9]+) kB$/m.exec(status);
  return { rssBytes: Number(rss?.[1] ?? 0) * 1024, cpuSeconds: parseProcStat(statLine).cpuSeconds };
}

/**
 * The command name and CPU seconds (user + system) of a `/proc/PID/stat` or
 * `/proc/PID/task/TID/stat` line.
 */
export function parseProcStat(statLine: string): { name: string; cpuSeconds: number } {
  // The name is in parentheses and may hold spaces; the fields after it start at state, field 3;
  // utime and stime are fields 14 and 15.
  const close = statLine.lastIndexOf(')');
  const fields = statLine.slice(close + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { name: statLine.slice(statLine.indexOf('(') + 1, close), cpuSeconds: ticks / clockTicksPerSecond };
}

/** Heap in use and network bytes from a node's Prometheus text. */
async function scrape(api: string): Promise<{ heap: number; in: number; out: number }> {
  try {
    const res = await fetch(`${api}/metrics`, { signal: AbortSignal.timeout(scrapeTimeoutMs) });
    const text = await res.text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
    return {
      heap: value(/^process_heap_used_bytes ([0-9.e+]+)$/m),
      in: value(/^joule_p2p_bytes\{direction="in"\} ([0-9.e+]+)$/m),
      out: value(/^joule_p2p_bytes\{direction="out"\} ([0-9.e+]+)$/m),
    };
  } catch {
    return { heap: Number.NaN, in: Number.NaN, out: Number.NaN };
  }
}

/** Allocated bytes of every file under `dir` (what `du` counts). */
export async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += await diskUsage(path);
    else
      total += await stat(path).then(
        (s) => s.blocks * 512,
        () => 0,
      );
  }
  return total;
}
