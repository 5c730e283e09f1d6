/**
 * The Prometheus text exposition format (version 0.0.4) for the node's few metrics: gauges,
 * counters and histograms with labels, on a registry of their own. It replaces prom-client, which
 * cost a board ~2 MB of heap for features the node does not use (default metrics, summaries,
 * aggregation across workers). Label sets are bounded by the callers (see `maxPeerMetricLabels`).
 */

type Labels = Readonly<Record<string, string>>;

interface MetricOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  readonly registers?: readonly Registry[];
}

interface Metric {
  render(): string;
}

/** A set of metrics rendered together. */
export class Registry {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  readonly #metrics: Metric[] = [];

  register(metric: Metric): void {
    this.#metrics.push(metric);
  }

  /** Every metric in the text format (the gauges' `collect` runs first). */
  async metrics(): Promise<string> {
    return this.#metrics.map((m) => m.render()).join('');
  }
}

const escapeLabel = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function labelText(labels: Labels, extra?: readonly [string, string]): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra !== undefined) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function number(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Values by label set, keyed by the rendered labels (insertion order kept). */
abstract class Labelled<L extends string> implements Metric {
  protected readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    protected readonly options: MetricOptions<L>,
    private readonly type: string,
  ) {
    for (const r of options.registers ?? []) r.register(this);
  }

  protected entry(labels: Partial<Record<L, string>> = {}): { labels: Labels; value: number } {
    const l = labels as Labels;
    const key = labelText(l);
    let e = this.values.get(key);
    if (e === undefined) {
      e = { labels: { ...l }, value: 0 };
      this.values.set(key, e);
    }
    return e;
  }

  protected header(): string {
    const { name, help } = this.options;
    return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${this.type}\n`;
  }

  render(): string {
    let out = this.header();
    const unlabelled = (this.options.labelNames ?? []).length === 0;
    if (unlabelled && this.values.size === 0) out += `${this.options.name} 0\n`;
    for (const { labels, value } of this.values.values())
      out += `${this.options.name}${labelText(labels)} ${number(value)}\n`;
    return out;
  }
}

/** A value that goes up and down; `collect` (if given) sets it before each rendering. */
export class Gauge<L extends string = string> extends Labelled<L> {
  readonly #collect: ((this: Gauge<L>) => void) | undefined;

  constructor(options: MetricOptions<L> & { collect?: (this: Gauge<L>) => void }) {
    super(options, 'gauge');
    this.#collect = options.collect;
  }

  set(labelsOrValue: Partial<Record<L, string>> | number, value?: number): void {
    if (typeof labelsOrValue === 'number') this.entry().value = labelsOrValue;
    else this.entry(labelsOrValue).value = value ?? 0;
  }

  override render(): string {
    this.#collect?.call(this);
    return super.render();
  }
}

/** A value that only goes up. */
export class Counter<L extends string = string> extends Labelled<L> {
  constructor(options: MetricOptions<L>) {
    super(options, 'counter');
  }

  inc(labelsOrAmount?: Partial<Record<L, string>> | number, amount?: number): void {
    if (typeof labelsOrAmount === 'number' || labelsOrAmount === undefined)
      this.entry().value += labelsOrAmount ?? 1;
    else this.entry(labelsOrAmount).value += amount ?? 1;
  }
}

/** Observations counted in cumulative buckets, with their sum and count (no labels). */
export class Histogram implements Metric {
  readonly #options: MetricOptions<never> & { readonly buckets: readonly number[] };
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(options: MetricOptions<never> & { readonly buckets: readonly number[] }) {
    this.#options = { ...options, buckets: [...options.buckets].sort((a, b) => a - b) };
    this.#counts = this.#options.buckets.map(() => 0);
    for (const r of options.registers ?? []) r.register(this);
  }

  observe(value: number): void {
    const buckets = this.#options.buckets;
    for (let i = 0; i < buckets.length; i++)
      if (value <= (buckets[i] as number)) this.#counts[i] = (this.#counts[i] as number) + 1;
    this.#sum += value;
    this.#count++;
  }

  render(): string {
    const { name, help, buckets } = this.#options;
    let out = `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} histogram\n`;
    buckets.forEach((b, i) => {
      out += `${name}_bucket{le="${number(b)}"} ${this.#counts[i]}\n`;
    });
    out += `${name}_bucket{le="+Inf"} ${this.#count}\n${name}_sum ${number(this.#sum)}\n${name}_count ${this.#count}\n`;
    return out;
  }
}
