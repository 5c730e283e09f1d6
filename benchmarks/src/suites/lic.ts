import { chmodSync, copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { NodeSamples } from '@joule/lic-pilot';
import {
  type Build,
  buildBundle,
  bundlePath,
  describeLaunch,
  unitNodeLaunch,
  unitRetainBlocks,
} from '@joule/lic-pilot';
import { type LicLoadOptions, type LicLoadRun, maxRealSeconds, runLicLoad } from '../lic/load.js';
import type { AnonymousHolders } from '../lic/memory.js';
import { meanOf, type NodeFigures, nodeFigures, warmupShare } from '../lic/stats.js';
import { boardTargets } from '../lic/targets.js';
import {
  figure,
  type Row,
  type Series,
  type SuiteOptions,
  type SuiteResult,
  targets,
  UsageError,
} from '../report.js';

export const licUsage =
  '[--days 3] [--compress 300 | --duration 24h] [--nodes 8] [--validators 4] [--seed 1] [--dist] [--own-binary]';

/**
 * A copy of the Node binary for node `index` alone (`--own-binary`), made once in the system's
 * temporary directory. A page's referenced flag is shared by every process mapping that page, so
 * with one binary for all nodes a node's working set also counts pages its neighbours touch; on a
 * board no other process maps the node's binary.
 */
function ownBinary(index: number): string {
  const dir = join(tmpdir(), 'joule-lic-binaries');
  const file = join(dir, `node-${index}`);
  if (!existsSync(file) || statSync(file).size !== statSync(process.execPath).size) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(process.execPath, file);
    chmodSync(file, 0o755);
  }
  return file;
}
/** Points per node kept in a plot series. */
const maxSeriesPoints = 600;

/** `24h`, `90m`, `30s` or plain seconds. */
export function parseDuration(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(s|m|h|d)?$/.exec(text);
  if (m === null) throw new UsageError(`--duration must look like 24h, 90m or 600s, not "${text}"`);
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

function number(value: string | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${flag} must be a number from ${min} to ${max}, not "${value}"`);
  return n;
}

/**
 * The lic suite's flags. Every node runs as packages/node/deploy/joule.service runs it (its
 * environment, Node flags and `start` arguments): the bundle, or with `--dist` the compiled packages.
 */
export function licOptions(
  args: readonly string[],
  basePort: number,
): LicLoadOptions & { readonly build: Build; readonly ownBinary: boolean } {
  const { values } = parseArgs({
    args: [...args],
    options: {
      days: { type: 'string' },
      compress: { type: 'string' },
      duration: { type: 'string' },
      nodes: { type: 'string' },
      validators: { type: 'string' },
      seed: { type: 'string' },
      dist: { type: 'boolean' },
      'own-binary': { type: 'boolean' },
    },
  });
  const build: Build = values.dist === true ? 'dist' : 'bundle';
  const unit = unitNodeLaunch(build);
  const own = values['own-binary'] === true;
  const launch = (index: number) => (own ? { ...unit, execPath: ownBinary(index) } : unit);
  const nodes = number(values.nodes, 'nodes', 2, 20, 8);
  const validators = number(values.validators, 'validators', 1, nodes, Math.min(4, nodes));
  if (values.duration !== undefined && (values.compress !== undefined || values.days !== undefined))
    throw new UsageError('--duration runs in real time: leave out --compress and --days');
  if (values.duration !== undefined) {
    const seconds = parseDuration(values.duration);
    if (seconds < 900 || seconds > maxRealSeconds)
      throw new UsageError(`--duration must be from 15m to ${maxRealSeconds / 86_400}d`);
    return {
      nodes,
      validators,
      days: seconds / 86_400,
      compress: 1,
      basePort,
      seed: number(values.seed, 'seed', 0, 2 ** 31, 1),
      launch,
      build,
      ownBinary: own,
    };
  }
  const compress = number(values.compress, 'compress', 1, 3600, 300);
  const days = number(values.days, 'days', 0.25, 90, 3);
  if ((days * 86_400) / compress > maxRealSeconds)
    throw new UsageError('that run would take more than a week: raise --compress');
  return {
    nodes,
    validators,
    days,
    compress,
    basePort,
    seed: number(values.seed, 'seed', 0, 2 ** 31, 1),
    launch,
    build,
    ownBinary: own,
  };
}

/** Per-node rows, group rows, the headline figures against the paper and the plots, from a run. */
export function licResult(
  suite: string,
  run: LicLoadRun,
  note: string,
  retainBlocks = 0,
  scriptSourceBytes = 0,
): SuiteResult {
  const nodes = run.samples.map((s) => nodeFigures(run, s, retainBlocks));
  const validators = nodes.filter((n) => n.validator);
  const others = nodes.filter((n) => !n.validator);
  const group = (name: string, g: readonly NodeFigures[]): Row => {
    const row: Row = { node: name, role: 'mean' };
    for (const key of Object.keys(g[0] ?? {}) as (keyof NodeFigures)[])
      if (key !== 'name' && key !== 'validator') row[key] = meanOf(g, key);
    return row;
  };
  const rows: Row[] = [
    ...nodes.map((n) => {
      const { name, validator, ...rest } = n;
      return { node: name, role: validator ? 'validator' : 'full node', ...rest };
    }),
    ...(validators.length > 0 ? [group('validators', validators)] : []),
    ...(others.length > 0 ? [group('non-validators', others)] : []),
  ];
  const simDays = ((run.loadEnd - run.loadStart) * run.compress) / 86_400;
  const max = (g: readonly NodeFigures[], key: keyof NodeFigures) =>
    Math.max(...g.map((n) => n[key] as number));
  const runNote = `${simDays.toFixed(2)} simulated days at ×${run.compress}, ${run.txs} txs (${run.refused} refused)${note === '' ? '' : `; ${note}`}`;
  const v = validators.length > 0 ? validators : nodes;
  const top = (g: readonly NodeFigures[], key: keyof NodeFigures): NodeFigures =>
    [...g].sort((a, b) => (b[key] as number) - (a[key] as number))[0] as NodeFigures;
  const mb = (x: number): number => Math.round(x * 10) / 10;
  return {
    suite,
    rows: [
      {
        ...Object.fromEntries(
          Object.entries({
            ticks: run.ticks,
            txs: run.txs,
            refused: run.refused,
            compress: run.compress,
            simDays: Math.round(simDays * 100) / 100,
          }),
        ),
      },
      ...rows,
      ...holderRows(run, validators.length > 0 ? validators : nodes, scriptSourceBytes),
      ...diskRows(run),
    ],
    figures: [
      figure(
        boardTargets.rss,
        max(v, 'meanRssMb'),
        `highest validator mean after warm-up = ${mb(top(v, 'meanRssMb').meanAnonMb)} MB anonymous + ${mb(top(v, 'meanRssMb').meanRssMb - top(v, 'meanRssMb').meanAnonMb)} MB file pages (the Node binary, shared libraries, the LevelDB addon); ${runNote}`,
      ),
      figure(
        boardTargets.anonymous,
        max(v, 'meanAnonMb'),
        `highest validator mean after warm-up; who holds it: the table "anonymous memory of ${top(v, 'meanAnonMb').name}"`,
      ),
      figure(
        boardTargets.workingSet,
        max(v, 'meanWorkingSetMb'),
        `highest validator mean of the 60 s windows after warm-up = ${mb(top(v, 'meanWorkingSetMb').meanAnonMb)} MB anonymous + ${mb(top(v, 'meanWorkingSetMb').meanWorkingSetMb - top(v, 'meanWorkingSetMb').meanAnonMb)} MB of file pages touched in 60 s${run.compress > 1 ? ` (at ×${run.compress} a window holds ${Math.round((60 * run.compress) / 3600)} simulated hours of load)` : ''}`,
      ),
      figure(targets.rssGrowth, max(v, 'rssSlopeMbPerDay'), 'steepest validator RSS slope per simulated day'),
      figure(
        targets.cpu,
        max(v, 'realTimeCpuPercent'),
        'idle CPU (60 s of a settled network, 30 s after setup; before 7 December the 30 s right after setup, not comparable) + the load’s CPU at 4 ticks an hour',
      ),
      figure(
        targets.disk10Days,
        Math.max(...nodes.map((n) => n.diskMbPer10SimDaysPruned)),
        `growth per 10 simulated days (${run.compress === 1 ? 'real time' : 'fewer empty blocks than real time'})${
          retainBlocks > 0
            ? `, keeping ${retainBlocks} heights ([state] retain_blocks of the profile): the growth per height measured × ${retainBlocks}; without pruning ${Math.max(...nodes.map((n) => n.diskMbPer10SimDays))} MB`
            : ''
        }`,
      ),
    ],
    series: [
      ...series(run, 'memory', 'MB', (s) => s.rssBytes / 2 ** 20),
      ...series(run, 'cpu', '%', (s) => s.cpuPercent, 10),
      ...trafficSeries(run),
    ],
    plots: {
      memory: { title: 'RSS per node over simulated time (cf. the paper’s fig. 7)' },
      cpu: { title: 'CPU per node, % of one core, 10-sample means (cf. fig. 7)' },
      network: { title: 'Network payload per node, bytes per real second (cf. fig. 8)' },
    },
  };
}

/**
 * Who holds the anonymous memory of the validator with the most, mean of its 60 s windows after
 * warm-up: V8's heap (young generation, code, other objects in use, committed but free),
 * ArrayBuffers outside it, the script's source when V8 keeps it outside its heap
 * (`scriptSourceBytes`: Node makes a source over ~1 MB an external string, a malloc'd copy of the
 * file), and the rest — native allocations (LevelDB's cache and memtables, OpenSSL, libuv, Node's
 * own), by difference. V8's external memory also counts Node's own module sources, which are pages
 * of its binary, not anonymous memory: only its ArrayBuffers are taken from it.
 */
function holderRows(run: LicLoadRun, group: readonly NodeFigures[], scriptSourceBytes: number): Row[] {
  const top = [...group].sort((a, b) => b.meanAnonMb - a.meanAnonMb)[0];
  const steadyFrom = run.loadStart + warmupShare * (run.loadEnd - run.loadStart);
  const windows = run.memory
    .find((m) => m.name === top?.name)
    ?.holders.filter((h) => h.t >= steadyFrom && Number.isFinite(h.arrayBuffers));
  if (top === undefined || windows === undefined || windows.length === 0) return [];
  const mean = (f: (h: AnonymousHolders) => number) => windows.reduce((a, h) => a + f(h), 0) / windows.length;
  const anon = mean((h) => h.anonymous);
  const young = mean((h) => h.v8Young);
  const code = mean((h) => h.v8Code);
  const used = mean((h) => h.v8Used);
  const committed = mean((h) => h.v8Committed);
  const arrayBuffers = mean((h) => h.arrayBuffers);
  const row = (holder: string, bytes: number): Row => ({
    [`anonymous memory of ${top.name}`]: holder,
    MB: Math.round((bytes / 2 ** 20) * 10) / 10,
    share: `${Math.round((100 * bytes) / anon)} %`,
  });
  return [
    row('V8 young generation (committed)', young),
    row('V8 code space (in use)', code),
    row('V8 old space, maps, large objects (in use)', used),
    row('V8 committed, not in use', committed - young - code - used),
    row('Buffers, ArrayBuffers', arrayBuffers),
    ...(scriptSourceBytes > 0
      ? [row('the bundle’s source (an external string, malloc’d)', scriptSourceBytes)]
      : []),
    row(
      'native: LevelDB, OpenSSL, libuv, Node (the rest)',
      anon - committed - arrayBuffers - scriptSourceBytes,
    ),
    row(`all (${windows.length} windows)`, anon),
  ];
}

/**
 * node0's bytes on disk after the run, by table of the key layout (key + value bytes of the live
 * entries, before LevelDB's compression), per height and per transaction of the run; then the
 * LevelDB files and the WAL as allocated on disk.
 */
function diskRows(run: LicLoadRun): Row[] {
  const d = run.node0Disk;
  if (d === null) return [];
  const heights = Math.max(1, run.node0Height);
  const txs = Math.max(1, run.txs);
  const row = (what: string, entries: number | null, bytes: number): Row => ({
    node0: what,
    entries: entries ?? '—',
    bytes,
    bytesPerHeight: Math.round(bytes / heights),
    bytesPerTx: Math.round(bytes / txs),
  });
  return [
    ...d.tables.map((t) => row(`table ${t.table}`, t.entries, t.bytes)),
    row(
      'all tables (uncompressed)',
      null,
      d.tables.reduce((a, t) => a + t.bytes, 0),
    ),
    row(`LevelDB files (${heights} heights)`, null, d.dbFileBytes),
    row('consensus WAL files', null, d.walFileBytes),
  ];
}

function series(
  run: LicLoadRun,
  plot: string,
  unit: string,
  value: (s: NodeSamples['samples'][number]) => number,
  window = 1,
): Series[] {
  return run.samples.map((node) => {
    const s = node.samples.filter((x) => x.t >= run.loadStart);
    const points: [number, number][] = [];
    const step = Math.max(window, Math.ceil(s.length / maxSeriesPoints));
    for (let i = 0; i + step <= s.length; i += step) {
      const chunk = s.slice(i, i + step);
      const mean = chunk.reduce((a, x) => a + value(x), 0) / chunk.length;
      points.push([
        Math.round(((chunk[0] as (typeof s)[number]).t - run.loadStart) * run.compress),
        Math.round(mean * 10) / 10,
      ]);
    }
    return { name: node.name, plot, unit, points, group: node.validator ? 'validator' : 'non-validator' };
  });
}

function trafficSeries(run: LicLoadRun): Series[] {
  return run.samples.map((node) => {
    const s = node.samples.filter(
      (x) => x.t >= run.loadStart && Number.isFinite(x.bytesIn) && Number.isFinite(x.bytesOut),
    );
    const step = Math.max(5, Math.ceil(s.length / maxSeriesPoints));
    const points: [number, number][] = [];
    for (let i = step; i < s.length; i += step) {
      const a = s[i - step] as (typeof s)[number];
      const b = s[i] as (typeof s)[number];
      const rate = (b.bytesIn + b.bytesOut - a.bytesIn - a.bytesOut) / Math.max(1e-3, b.t - a.t);
      points.push([Math.round((a.t - run.loadStart) * run.compress), Math.round(rate)]);
    }
    return {
      name: node.name,
      plot: 'network',
      unit: 'B/s',
      points,
      group: node.validator ? 'validator' : 'non-validator',
    };
  });
}

/**
 * `lic`: the LIC load on real processes — 4 validators + 4 full nodes in the LIC grid, 19 meters
 * posting every 15 minutes in compressed time (or real time with --duration), every process sampled
 * once a second like the paper.
 */
export async function lic(options: SuiteOptions): Promise<SuiteResult> {
  const load = licOptions(options.args, 27_700);
  if (load.build === 'bundle') buildBundle();
  const run = await runLicLoad(load, options.progress);
  const note = `${describeLaunch(load.build)}${load.ownBinary ? '; each node on its own copy of the Node binary' : ''}`;
  return licResult('lic', run, note, unitRetainBlocks(), scriptSourceBytesOf(load.build));
}

/**
 * The bytes of the script's source that V8 keeps outside its heap: Node makes a source of more than
 * ~1 MB (its `EXTERN_APEX`, 0xFBEE9 bytes) an external string, a malloc'd copy of the file — the
 * bundle (1.2 MB) is one. The compiled packages' files are each far smaller and live on V8's heap.
 */
export function scriptSourceBytesOf(build: Build): number {
  if (build !== 'bundle') return 0;
  const size = statSync(bundlePath).size;
  return size > externalSourceMinBytes ? size : 0;
}

/** Node's `EXTERN_APEX`: a string of more bytes is made external rather than copied onto V8's heap. */
const externalSourceMinBytes = 0xfbee9;
