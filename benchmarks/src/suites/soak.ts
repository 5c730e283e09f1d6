import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBundle, describeLaunch, unitRetainBlocks } from '@joule/lic-pilot';
import { type LicLoadRun, runLicLoad } from '../lic/load.js';
import { warmupShare } from '../lic/stats.js';
import type { SuiteOptions, SuiteResult } from '../report.js';
import { UsageError } from '../report.js';
import { licOptions } from './lic.js';
import { soakResult } from './soak-report.js';

export const soakUsage =
  '[--compress 60 --days 1.7 | --duration 6h] [--snapshot-node 0] [--snapshots DIR] [--warm-up 0.1] [--base-port 29300] [--from DIR] [--dist]';

/** The first port of the soak's nodes when `--base-port` is not given (each node takes a few above it). */
export const defaultSoakBasePort = 29_300;

/** Where the heap snapshots and the raw run go by default (git-ignored: a snapshot is tens of MB). */
const defaultSnapshotsDir = fileURLToPath(new URL('../../../bench-out/soak/', import.meta.url));
/** The raw run, written before it is analysed, so that `--from` can analyse it again. */
export const runFile = 'soak-run.json';
/** The longest a node may take to write a heap snapshot. */
const snapshotTimeoutMs = 180_000;

/** When the heap snapshots of the soak were taken: seconds on the run's sampler clock, and file. */
export interface SnapshotTimes {
  readonly node: string;
  readonly start: Snapshot | null;
  readonly end: Snapshot | null;
}

/** A heap snapshot: when it was asked for and written (seconds on the samplers' clock), its file. */
export interface Snapshot {
  readonly t: number;
  readonly done: number;
  readonly file: string;
}

export interface SoakRun {
  readonly run: LicLoadRun;
  readonly snapshots: SnapshotTimes;
  readonly launch: string;
  readonly retainBlocks: number;
}

/**
 * Sends SIGUSR2 to a node started with `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=DIR` and
 * waits until the snapshot file it writes stops growing; renames it to `name`. V8 collects garbage
 * before it takes the snapshot, so the snapshot holds the live objects only.
 */
export async function takeHeapSnapshot(pid: number, dir: string, name: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + snapshotTimeoutMs;
  let last = -1;
  let still = 0;
  while (Date.now() < deadline) {
    await sleep(500);
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (file === undefined) continue;
    const size = statSync(join(dir, file)).size;
    still = size > 0 && size === last ? still + 1 : 0;
    last = size;
    if (still >= 4) {
      const to = join(dir, name);
      renameSync(join(dir, file), to);
      return to;
    }
  }
  throw new Error(`node ${pid} wrote no heap snapshot in ${snapshotTimeoutMs / 1000} s`);
}

/**
 * `soak`: the lic load (every node as the systemd unit runs it) for a long run, at the pilot's real
 * rate or a moderate compression, with two heap snapshots of one validator — after the warm-up and
 * at the end — compared by constructor, and each validator's RSS and anonymous-memory slope per
 * real day with its 95 % confidence interval.
 */
export async function soak(options: SuiteOptions): Promise<SuiteResult> {
  const { values, tokens } = parseArgs({
    args: [...options.args],
    strict: false,
    tokens: true,
    options: {
      'snapshot-node': { type: 'string' },
      snapshots: { type: 'string' },
      from: { type: 'string' },
      'warm-up': { type: 'string' },
      'base-port': { type: 'string' },
    },
  });
  const own = new Set(['snapshot-node', 'snapshots', 'from', 'warm-up', 'base-port']);
  const rest: string[] = [];
  for (const t of tokens ?? []) {
    if (t.kind === 'option' && own.has(t.name)) continue;
    if (t.kind === 'option')
      rest.push(t.rawName, ...(t.value !== undefined && !t.inlineValue ? [t.value] : []));
    else if (t.kind === 'positional') rest.push(t.value);
  }
  if (typeof values.from === 'string') {
    const dir = resolve(values.from);
    const saved = JSON.parse(readFileSync(join(dir, runFile), 'utf8'), (key, value) =>
      value === null && key !== 'node0Disk' && key !== 'start' && key !== 'end' ? Number.NaN : value,
    ) as SoakRun;
    return soakResult(saved, dir);
  }
  const dir = resolve(typeof values.snapshots === 'string' ? values.snapshots : defaultSnapshotsDir);
  mkdirSync(dir, { recursive: true });
  const hasRate = rest.some((a) => /^--(compress|days|duration)/.test(a));
  const basePort = Number(values['base-port'] ?? defaultSoakBasePort);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65_000)
    throw new UsageError(`--base-port must be a whole number from 1024 to 65000, not ${values['base-port']}`);
  const warmup = Number(values['warm-up'] ?? warmupShare);
  if (!(Number.isFinite(warmup) && warmup >= warmupShare && warmup < 1))
    throw new UsageError(
      `--warm-up must be a share of the ticks from ${warmupShare} to below 1, not ${values['warm-up']}`,
    );
  const load = licOptions(hasRate ? rest : ['--compress', '60', '--days', '1.7', ...rest], basePort);
  const node = Number(values['snapshot-node'] ?? '0');
  if (!Number.isInteger(node) || node < 0 || node >= load.validators)
    throw new UsageError(`--snapshot-node must be a validator, from 0 to ${load.validators - 1}`);
  if (load.build === 'bundle') buildBundle();
  const ticks = Math.round(load.days * 96);
  const warmupTick = Math.max(0, Math.ceil(warmup * ticks) - 1);
  const base = load.launch?.(node);
  let start: SnapshotTimes['start'] = null;
  let end: SnapshotTimes['end'] = null;
  const snapshot = async (
    net: Parameters<NonNullable<typeof load.afterLoad>>[0],
    now: () => number,
    name: string,
  ) => {
    const pid = net.nodes[node]?.pid();
    if (pid === undefined) return null;
    const t = now();
    // A snapshot that fails leaves its row out of the report; it does not end the run.
    const file = await takeHeapSnapshot(pid, dir, name).catch((error: unknown) => {
      console.error(`heap snapshot ${name}: ${String(error)}`);
      return null;
    });
    return file === null ? null : { t, done: now(), file };
  };
  const run = await runLicLoad(
    {
      ...load,
      launch: (i) =>
        i === node && base !== undefined
          ? {
              ...base,
              nodeArgs: [
                ...(base.nodeArgs ?? []),
                '--heapsnapshot-signal=SIGUSR2',
                `--diagnostic-dir=${dir}`,
              ],
            }
          : load.launch?.(i),
      afterTick: async (k, net, now) => {
        if (k === warmupTick) start = await snapshot(net, now, 'soak-start.heapsnapshot');
      },
      afterLoad: async (net, now) => {
        end = await snapshot(net, now, 'soak-end.heapsnapshot');
      },
    },
    options.progress,
  );
  const saved: SoakRun = {
    run,
    snapshots: { node: `node${node}`, start, end },
    launch: describeLaunch(load.build),
    retainBlocks: unitRetainBlocks(),
  };
  writeFileSync(join(dir, runFile), JSON.stringify(saved));
  return soakResult(saved, dir);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
