import { execFile } from 'node:child_process';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * A small disk for one node's data directory, that the chaos runner fills and frees. Where the
 * machine allows `mount -t tmpfs` (root, or a CI that grants it) it is a real tmpfs of
 * `sizeBytes`, and a full disk is a real `ENOSPC` for every writer, LevelDB included. Elsewhere it
 * is the documented stand-in: the directory stays on the host's disk and the node process is started
 * with `nodeArgs`/`env`, which load `disk-full-preload` — while the disk is "full", every write the
 * process makes through `node:fs` fails with `ENOSPC` (LevelDB's native writes are not affected).
 */

/** Default size of the small file system: room for a short run's blocks, WAL and LevelDB logs. */
export const defaultSmallDiskBytes = 64 * 1024 * 1024;
/** The filler is written in slices of this size, then smaller ones down to `fillerMinSliceBytes`. */
export const fillerSliceBytes = 1024 * 1024;
export const fillerMinSliceBytes = 4 * 1024;
/** Most bytes the filler writes (a bound, should a file system not report ENOSPC). */
export const maxFillerBytes = 4 * 1024 * 1024 * 1024;

const fillerName = '.chaos-filler';
const markerName = '.chaos-disk-full';

export interface SmallDisk {
  /** The directory (the node's data directory). */
  readonly dir: string;
  /** `tmpfs`: a real small file system; `stand-in`: writes fail by injection (see above). */
  readonly kind: 'tmpfs' | 'stand-in';
  /** Why the tmpfs could not be mounted (stand-in only). */
  readonly reason?: string;
  /** Arguments for the node process (before its script): the stand-in's preload; [] for tmpfs. */
  readonly nodeArgs: readonly string[];
  /** Environment for the node process: the stand-in's marker; {} for tmpfs. */
  readonly env: Readonly<Record<string, string>>;
  /** Fills the disk: a filler file up to ENOSPC (tmpfs) or the marker (stand-in). Returns bytes written. */
  fill(): Promise<number>;
  /** Frees what `fill` took. */
  free(): Promise<void>;
  /** Unmounts the tmpfs (its contents are gone) or removes the marker. Idempotent. */
  release(): Promise<void>;
}

const run = promisify(execFile);

/** The preload module beside this file (`.ts` under the test runner, `.js` once built). */
export function diskFullPreload(): string {
  const ext = extname(fileURLToPath(import.meta.url));
  return fileURLToPath(new URL(`./disk-full-preload${ext}`, import.meta.url));
}

/**
 * Mounts a tmpfs of `sizeBytes` on `dir` (created if missing; it must be empty, as the node's data
 * directory before its first start), or falls back to the stand-in when mounting is refused.
 * `forceStandIn` picks the stand-in even where a mount would work (to test it).
 */
export async function smallDisk(
  dir: string,
  options: { sizeBytes?: number; forceStandIn?: boolean } = {},
): Promise<SmallDisk> {
  await mkdir(dir, { recursive: true });
  const size = options.sizeBytes ?? defaultSmallDiskBytes;
  let reason = 'forced';
  if (options.forceStandIn !== true) {
    try {
      await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
      return tmpfsDisk(dir);
    } catch (error) {
      reason = ((error as { stderr?: string }).stderr ?? String(error)).trim() || String(error);
    }
  }
  return standInDisk(dir, reason);
}

function tmpfsDisk(dir: string): SmallDisk {
  const filler = join(dir, fillerName);
  let mounted = true;
  return {
    dir,
    kind: 'tmpfs',
    nodeArgs: [],
    env: {},
    fill: () => fillUp(filler),
    free: () => rm(filler, { force: true }),
    async release() {
      if (!mounted) return;
      mounted = false;
      await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
    },
  };
}

function standInDisk(dir: string, reason: string): SmallDisk {
  const marker = join(dir, markerName);
  return {
    dir,
    kind: 'stand-in',
    reason,
    nodeArgs: ['--import', diskFullPreload()],
    env: { JOULE_CHAOS_DISK_MARKER: marker },
    async fill() {
      await writeFile(marker, '');
      return 0;
    },
    free: () => rm(marker, { force: true }),
    release: () => rm(marker, { force: true }),
  };
}

/** Writes `path` until the file system says ENOSPC; returns the bytes written. */
async function fillUp(path: string): Promise<number> {
  const handle = await open(path, 'a');
  let written = 0;
  try {
    let slice = fillerSliceBytes;
    const zeros = Buffer.alloc(fillerSliceBytes);
    while (slice >= fillerMinSliceBytes && written < maxFillerBytes) {
      try {
        const { bytesWritten } = await handle.write(zeros, 0, slice);
        written += bytesWritten;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        slice /= 2;
      }
    }
  } finally {
    await handle.close().catch(() => {});
  }
  return written;
}
