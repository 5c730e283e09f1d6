import { readFile, writeFile } from 'node:fs/promises';
import type { LocalNode } from '@joule/lic-pilot';

/** Seconds between two readings of a process's working set (the window its pages are counted in). */
export const workingSetWindowSeconds = 60;
/** Samples kept per node and series (a week of the 60 s windows; anonymous memory is thinned). */
const maxSamples = 10_080;

/** One reading: seconds since the sampler started, bytes. */
export type MemoryPoint = readonly [t: number, bytes: number];

/** Who holds a node's anonymous memory, bytes, read from its /metrics at the end of a window. */
export interface AnonymousHolders {
  readonly t: number;
  readonly anonymous: number;
  /** V8's heap, committed (every space). */
  readonly v8Committed: number;
  /** V8's young generation (new space and its large objects), committed. */
  readonly v8Young: number;
  /** V8's code space, in use. */
  readonly v8Code: number;
  /** V8's other spaces (old, maps, large objects…), in use. */
  readonly v8Used: number;
  /** V8's external memory: ArrayBuffers and external strings (sources kept outside its heap). */
  readonly external: number;
  /** ArrayBuffers and Buffers outside the V8 heap (part of `external`; NaN from a node without the metric). */
  readonly arrayBuffers: number;
  /**
   * The node's memory budget by component, bytes: `joule_memory_used_bytes` and
   * `joule_memory_budget_bytes` by their `component` label, whichever components the node reports
   * (absent from a node without the metrics, and from runs saved before they were read).
   */
  readonly components?: Readonly<Record<string, ComponentMemory>>;
}

/** One budgeted component: its use where the node measures it, and its cap (either may be absent). */
export interface ComponentMemory {
  readonly used?: number;
  readonly budget?: number;
}

export interface NodeMemory {
  readonly name: string;
  /** Read once a window. */
  readonly holders: AnonymousHolders[];
  /** Anonymous resident memory (`Anonymous` of /proc/PID/smaps_rollup), once per tick. */
  readonly anonymous: MemoryPoint[];
  /** Anonymous memory + file pages referenced in the last window, once per window. */
  readonly workingSet: MemoryPoint[];
}

/**
 * Reads what the resource sampler does not: each node's anonymous memory once a second, and its
 * working set once a window — every anonymous page plus the file-backed pages (the Node binary,
 * shared libraries, the addon) the process touched since the window began. The window starts by
 * writing 1 to /proc/PID/clear_refs (which clears the pages' referenced bits) and ends by summing,
 * per mapping, `Referenced` less `Anonymous` from /proc/PID/smaps: an anonymous page of a file
 * mapping (a relocated or written page) is counted once, with the anonymous memory. Linux only.
 */
export class MemorySampler {
  readonly #nodes: readonly LocalNode[];
  readonly #series: NodeMemory[];
  readonly #windowStart = new Map<number, { pid: number; t: number }>();
  #timer: NodeJS.Timeout | undefined;
  #t0 = 0;
  #busy = false;

  constructor(nodes: readonly LocalNode[]) {
    this.#nodes = nodes;
    this.#series = nodes.map((n) => ({ name: n.name, anonymous: [], workingSet: [], holders: [] }));
  }

  get series(): readonly NodeMemory[] {
    return this.#series;
  }

  /** Starts sampling, on the same clock as a `ResourceSampler` started at the same moment. */
  start(intervalMs = 1_000): void {
    if (this.#timer !== undefined) return;
    this.#t0 = performance.now();
    this.#timer = setInterval(() => void this.sample(), intervalMs);
    void this.sample();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

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
    const t = (performance.now() - this.#t0) / 1000;
    const series = this.#series[i] as NodeMemory;
    const anonymous = await anonymousBytes(pid).catch(() => null);
    if (anonymous === null) return;
    push(series.anonymous, [t, anonymous]);
    const window = this.#windowStart.get(i);
    if (window !== undefined && window.pid === pid && t - window.t < workingSetWindowSeconds) return;
    if (window !== undefined && window.pid === pid) {
      const fileReferenced = await fileReferencedBytes(pid).catch(() => null);
      if (fileReferenced !== null) push(series.workingSet, [t, anonymous + fileReferenced]);
      const holders = await scrapeHolders(node.api);
      if (holders !== null && series.holders.length < maxSamples)
        series.holders.push({ t, anonymous, ...holders });
    }
    const cleared = await writeFile(`/proc/${pid}/clear_refs`, '1').then(
      () => true,
      () => false,
    );
    if (cleared) this.#windowStart.set(i, { pid, t });
  }
}

/**
 * The V8 heap by space, the external memory, the ArrayBuffers and the budgeted components, from a
 * node's /metrics; null if it fails.
 */
async function scrapeHolders(api: string): Promise<Omit<AnonymousHolders, 't' | 'anonymous'> | null> {
  try {
    const res = await fetch(`${api}/metrics`, { signal: AbortSignal.timeout(2_000) });
    return holdersOf(await res.text());
  } catch {
    return null;
  }
}

/** What `scrapeHolders` reads, from the Prometheus text of a node's /metrics. */
export function holdersOf(text: string): Omit<AnonymousHolders, 't' | 'anonymous'> {
  let v8Committed = 0;
  let v8Young = 0;
  let v8Code = 0;
  let v8Used = 0;
  for (const { labels, value } of samplesOf(text, 'nodejs_heap_space_bytes')) {
    const space = labels.space ?? '';
    if (labels.kind === 'committed') {
      v8Committed += value;
      if (space.startsWith('new_')) v8Young += value;
    } else if (labels.kind !== 'used') continue;
    else if (space === 'code_space') v8Code += value;
    else if (!space.startsWith('new_')) v8Used += value;
  }
  const one = (name: string) => samplesOf(text, name)[0]?.value ?? Number.NaN;
  const components: Record<string, { used?: number; budget?: number }> = {};
  for (const [metric, key] of [
    ['joule_memory_used_bytes', 'used'],
    ['joule_memory_budget_bytes', 'budget'],
  ] as const)
    for (const { labels, value } of samplesOf(text, metric)) {
      const component = labels.component;
      if (component === undefined) continue;
      components[component] = { ...components[component], [key]: value };
    }
  return {
    v8Committed,
    v8Young,
    v8Code,
    v8Used,
    external: one('process_external_memory_bytes'),
    arrayBuffers: one('process_array_buffers_bytes'),
    ...(Object.keys(components).length > 0 ? { components } : {}),
  };
}

/**
 * The samples of metric `name` in Prometheus text (exposition format 0.0.4): each one's labels, in
 * whatever order they come and with their escapes (`\\`, `\"`, `\n`) read, and its value (a float
 * as Go writes it: `1.2e+06`, `NaN`, `+Inf`). A line of another metric, or a comment, is not a sample.
 */
export function samplesOf(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    let i = 0;
    if (rest[0] === '{') {
      const pair = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;
      i = 1;
      for (;;) {
        pair.lastIndex = i;
        const m = pair.exec(rest);
        if (m === null) break;
        labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        i = pair.lastIndex;
      }
      while (rest[i] === ' ') i++;
      if (rest[i] !== '}') continue;
      i++;
    }
    // A space must follow the name or the labels: `name_total` is another metric.
    if (rest[i] !== ' ' && rest[i] !== '\t') continue;
    const word = rest.slice(i).trim().split(/\s+/)[0] ?? '';
    out.push({ labels, value: promValue(word) });
  }
  return out;
}

/** A Prometheus sample's value: a float, `NaN`, `+Inf` or `-Inf` (NaN for anything else, or nothing). */
function promValue(word: string): number {
  if (word === '+Inf' || word === 'Inf') return Number.POSITIVE_INFINITY;
  if (word === '-Inf') return Number.NEGATIVE_INFINITY;
  return /^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(word) ? Number(word) : Number.NaN;
}

function push(points: MemoryPoint[], point: MemoryPoint): void {
  if (points.length >= maxSamples) {
    let w = 0;
    for (let r = 0; r < points.length; r += 2) points[w++] = points[r] as MemoryPoint;
    points.length = w;
  }
  points.push(point);
}

/** `Anonymous` of /proc/PID/smaps_rollup, bytes. */
export async function anonymousBytes(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const m = /^Anonymous:\s+([0-9]+) kB$/m.exec(text);
  if (m === null) throw new Error(`no Anonymous line in /proc/${pid}/smaps_rollup`);
  return Number(m[1]) * 1024;
}

/** File-backed pages referenced since the last clear_refs, from /proc/PID/smaps, bytes. */
export async function fileReferencedBytes(pid: number): Promise<number> {
  return fileReferencedOf(await readFile(`/proc/${pid}/smaps`, 'utf8'));
}

/** Σ over mappings of max(0, Referenced − Anonymous), bytes, from the text of an smaps file. */
export function fileReferencedOf(smaps: string): number {
  let total = 0;
  let referenced = 0;
  let anonymous = 0;
  const flush = () => {
    total += Math.max(0, referenced - anonymous);
    referenced = 0;
    anonymous = 0;
  };
  for (const line of smaps.split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) flush();
    else if (line.startsWith('Referenced:')) referenced = kb(line);
    else if (line.startsWith('Anonymous:')) anonymous = kb(line);
  }
  flush();
  return total * 1024;
}

const kb = (line: string): number => Number(/([0-9]+) kB/.exec(line)?.[1] ?? 0);
