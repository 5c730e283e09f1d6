import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LicLoadRun } from '../lic/load.js';

/**
 * The soak's raw run on disk (`soak-run.json`): written while the load runs (a checkpoint), when it
 * is stopped, and at its end; `soak --from DIR` reports it again, whichever of the three it is.
 */

/** The raw run, in the directory of the heap snapshots. */
export const runFile = 'soak-run.json';

/** The heap snapshots of the snapshot node: seconds on the run's sampler clock, and file. */
export interface SnapshotTimes {
  readonly node: string;
  /** After the warm-up. */
  readonly start: Snapshot | null;
  /** After the last tick, or at a graceful stop. */
  readonly end: Snapshot | null;
  /**
   * The most recent of the snapshots taken at an interval while the load runs, each written over
   * the one before (absent from runs saved before there were any).
   */
  readonly latest?: Snapshot | null;
}

/** A heap snapshot: when it was asked for and written (seconds on the samplers' clock), its file. */
export interface Snapshot {
  readonly t: number;
  readonly done: number;
  readonly file: string;
}

/** How far a run that did not finish got. */
export interface SoakPartial {
  /** Ticks of the load whose transactions were sent. */
  readonly ticksDone: number;
  /** Ticks the run was to send. */
  readonly ticksPlanned: number;
  /** When the file was written (ISO 8601, UTC). */
  readonly writtenAt: string;
  /**
   * Why the run is partial: `checkpoint` (written while the load ran; a run that ended without
   * writing again was killed or lost its machine), or the signal that stopped it (`SIGTERM`), or
   * the two signals of a stop cut short (`SIGTERM, then SIGINT during the stop`).
   */
  readonly reason: string;
}

export interface SoakRun {
  readonly run: LicLoadRun;
  readonly snapshots: SnapshotTimes;
  readonly launch: string;
  readonly retainBlocks: number;
  /** Absent from a run that sent every tick. */
  readonly partial?: SoakPartial;
}

/** The reason of a checkpoint written while the load runs. */
export const checkpointReason = 'checkpoint';

/**
 * Writes `text` to `file` so that a reader sees the old file or the new one, never part of one: a
 * temporary file in the same directory, flushed to disk, then renamed over `file` (the directory
 * flushed too, so that the rename outlives a reboot). A failure removes the temporary file and
 * leaves `file` as it was. `afterWrite` runs between the write and the rename (for tests).
 */
export function writeFileAtomic(file: string, text: string, afterWrite?: (tmp: string) => void): void {
  const dir = dirname(file);
  const tmp = join(dir, temporaryName(file, process.pid));
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    afterWrite?.(tmp);
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  const d = openSync(dir, 'r');
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

/** The temporary file of `writeFileAtomic` in process `pid`. */
const temporaryName = (file: string, pid: number) => `.${basename(file)}.${pid}.tmp`;

/**
 * Removes the temporary files of `writeFileAtomic` for `file` that a process killed while writing
 * left behind (another process's, or an earlier one's with the same pid); returns their names.
 */
export function removeTemporaries(file: string): string[] {
  const dir = dirname(file);
  const head = `.${basename(file)}.`;
  const stale = readdirSync(dir).filter(
    (f) => f.startsWith(head) && f.endsWith('.tmp') && /^[0-9]+$/.test(f.slice(head.length, -'.tmp'.length)),
  );
  for (const f of stale) rmSync(join(dir, f), { force: true });
  return stale;
}

/** Writes the raw run to `DIR/soak-run.json` atomically. */
export function writeRunFile(dir: string, saved: SoakRun): void {
  writeFileAtomic(join(dir, runFile), JSON.stringify(saved));
}

/** Fields that may be null in a saved run; any other null is a number JSON could not hold (NaN). */
const nullable = new Set(['node0Disk', 'start', 'end', 'latest']);

/** Reads `DIR/soak-run.json`. */
export function readRunFile(dir: string): SoakRun {
  return JSON.parse(readFileSync(join(dir, runFile), 'utf8'), (key, value) =>
    value === null && !nullable.has(key) ? Number.NaN : value,
  ) as SoakRun;
}
