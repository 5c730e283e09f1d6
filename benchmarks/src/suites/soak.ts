import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBundle, describeLaunch, type LocalNetwork, unitRetainBlocks } from '@joule/lic-pilot';
import { type LicLoadLive, type LicLoadRun, runLicLoad } from '../lic/load.js';
import { warmupShare } from '../lic/stats.js';
import type { SuiteOptions, SuiteResult } from '../report.js';
import { UsageError } from '../report.js';
import { licOptions } from './lic.js';
import { soakResult } from './soak-report.js';
import {
  checkpointReason,
  readRunFile,
  removeTemporaries,
  runFile,
  type Snapshot,
  type SoakRun,
  writeRunFile,
} from './soak-run.js';
import { immediateExitCode, onStopSignals, type StopSignal } from './soak-stop.js';

export type { Snapshot, SnapshotTimes, SoakPartial, SoakRun } from './soak-run.js';
export { runFile };

export const soakUsage =
  '[--compress 60 --days 1.7 | --duration 6h] [--snapshot-node 0] [--snapshots DIR] [--warm-up 0.1] [--base-port 29300] [--from DIR] [--dist]';

/** The first port of the soak's nodes when `--base-port` is not given (each node takes a few above it). */
export const defaultSoakBasePort = 29_300;

/** Where the heap snapshots and the raw run go by default (git-ignored: a snapshot is tens of MB). */
const defaultSnapshotsDir = fileURLToPath(new URL('../../../bench-out/soak/', import.meta.url));
/** The longest a node may take to write a heap snapshot. */
const snapshotTimeoutMs = 180_000;
/**
 * Real time between two checkpoints of the raw run while the load runs (and a checkpoint after each
 * heap snapshot): a run cut short without a word (SIGKILL, a power cut) loses at most this much.
 * Each serialises the samples so far: at the samplers' caps (a day of 1 s samples of 8 nodes) 150 MB
 * of JSON, written in 1.0–2.5 s of the benchmark's own process (its samplers skip those seconds).
 */
export const checkpointIntervalMs = 10 * 60_000;
/**
 * Real time between two heap snapshots of the snapshot node after the one of the warm-up, each
 * written over the one before as `latestSnapshotFile`: a run killed before its end snapshot still
 * has two to compare. A run shorter than this takes none.
 */
export const latestSnapshotIntervalMs = 60 * 60_000;
/** The latest of the snapshots taken at `latestSnapshotIntervalMs`. */
export const latestSnapshotFile = 'soak-latest.heapsnapshot';

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
 *
 * A run cut short keeps what it measured: the raw run is written as a checkpoint while the load
 * runs, the snapshot node takes a heap snapshot every `latestSnapshotIntervalMs` besides the two,
 * and SIGINT, SIGTERM or SIGHUP stops the load, takes the end snapshot, writes the run as partial and
 * reports it (exit code 0); a second signal during that writes what there is and exits at once
 * (`immediateExitCode`).
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
    return soakResult(readRunFile(dir), dir);
  }
  const dir = resolve(typeof values.snapshots === 'string' ? values.snapshots : defaultSnapshotsDir);
  mkdirSync(dir, { recursive: true });
  removeTemporaries(join(dir, runFile));
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
  const snapshots: { start: Snapshot | null; end: Snapshot | null; latest: Snapshot | null } = {
    start: null,
    end: null,
    latest: null,
  };
  const saved = (run: LicLoadRun, reason?: string): SoakRun => ({
    run,
    snapshots: { node: `node${node}`, ...snapshots },
    launch: describeLaunch(load.build),
    retainBlocks: unitRetainBlocks(),
    ...(reason === undefined
      ? {}
      : {
          partial: { ticksDone: run.ticks, ticksPlanned: ticks, writtenAt: new Date().toISOString(), reason },
        }),
  });
  const snapshot = async (net: LocalNetwork, now: () => number, name: string) => {
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

  // The raw run so far: as the network is made, then every `checkpointIntervalMs` and after each
  // heap snapshot, until the end.
  let live: LicLoadLive | undefined;
  let checkpointTimer: NodeJS.Timeout | undefined;
  let checkpoints = true;
  const checkpoint = () => {
    clearTimeout(checkpointTimer);
    if (!checkpoints || live === undefined) return;
    try {
      writeRunFile(dir, saved(live.soFar(), checkpointReason));
    } catch (error) {
      console.error(`checkpoint of ${runFile}: ${String(error)}`);
    }
    checkpointTimer = setTimeout(checkpoint, checkpointIntervalMs);
  };
  // The snapshots at `latestSnapshotIntervalMs`, one at a time, from the warm-up's to the end's.
  let latestTimer: NodeJS.Timeout | undefined;
  let latestTaking: Promise<void> | undefined;
  const takeLatest = (net: LocalNetwork, now: () => number) => {
    if (latestTaking !== undefined) return;
    latestTaking = snapshot(net, now, latestSnapshotFile).then((s) => {
      if (s !== null) snapshots.latest = s;
      latestTaking = undefined;
      checkpoint();
    });
  };
  let warmedUp = false;

  // A stop signal ends the load; another one, during the stop, ends the process.
  const stop = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const unlisten = onStopSignals({
    stop: (signal) => {
      stoppedBy = signal;
      // A hung-up terminal fails every write to it: what is written to files must still be.
      if (signal === 'SIGHUP') for (const out of [process.stdout, process.stderr]) out.on('error', () => {});
      console.error(
        `\n${signal}: stopping the load; then the end heap snapshot (after the warm-up's), ${runFile} and the report (another signal exits at once)`,
      );
      stop.abort();
    },
    now: (signal, first) => {
      checkpoints = false;
      clearTimeout(checkpointTimer);
      if (live !== undefined) {
        try {
          writeRunFile(dir, saved(live.soFar(), `${first}, then ${signal} during the stop`));
        } catch (error) {
          console.error(`${runFile}: ${String(error)}`);
        }
        live.killNow();
      }
      console.error(`${signal}: exiting at once; ${join(dir, runFile)} holds the run as far as it got`);
      process.exit(immediateExitCode(signal));
    },
  });
  let run: LicLoadRun;
  try {
    run = await runLicLoad(
      {
        ...load,
        detached: true,
        signal: stop.signal,
        live: (l) => {
          live = l;
          // At once, so that no earlier run's file in the directory passes for this one's.
          checkpoint();
        },
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
          if (k !== warmupTick) return;
          warmedUp = true;
          snapshots.start = await snapshot(net, now, 'soak-start.heapsnapshot');
          checkpoint();
          if (snapshots.start !== null)
            latestTimer = setInterval(() => takeLatest(net, now), latestSnapshotIntervalMs);
        },
        afterLoad: async (net, now) => {
          clearInterval(latestTimer);
          await latestTaking;
          // A run stopped before its warm-up's snapshot has nothing to compare an end one with.
          if (warmedUp) snapshots.end = await snapshot(net, now, 'soak-end.heapsnapshot');
        },
      },
      options.progress,
    );
  } catch (error) {
    // A run that fails hours in keeps what it measured, with the reason.
    checkpoints = false;
    if (live !== undefined)
      try {
        writeRunFile(dir, saved(live.soFar(), `failed: ${String(error)}`));
      } catch (writeError) {
        console.error(`${runFile}: ${String(writeError)}`);
      }
    unlisten();
    throw error;
  } finally {
    checkpoints = false;
    clearTimeout(checkpointTimer);
    clearInterval(latestTimer);
  }
  const final = saved(run, run.ticks < ticks ? (stoppedBy ?? 'stopped') : undefined);
  try {
    writeRunFile(dir, final);
  } finally {
    // The raw run is on disk: from here a signal has its default effect (`--from` reports it again).
    unlisten();
  }
  return soakResult(final, dir);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
