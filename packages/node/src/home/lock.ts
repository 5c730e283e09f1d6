import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NodeInputError } from '../errors.js';

/** Lock files held by this process: a second holder in the same process is refused too. */
const heldHere = new Set<string>();

/**
 * An exclusive lock on a home's data directory: `data/LOCK` holds the owner's pid. Two processes on
 * one home would sign with one key from two signer states — a double sign — so the second is
 * refused, with the home and the owner's pid.
 *
 * The lock file never exists without its pid: the pid is written and synced to a temporary file,
 * which is then hard-linked to `LOCK` — `link` fails if `LOCK` exists, so creation is atomic. A lock
 * whose process no longer exists (kill -9, power cut) is taken over: it is first renamed away
 * (atomic), and if what was renamed is no longer the dead owner's (another process took the home
 * over meanwhile) it is put back. A lock that holds no valid pid is never deleted: the error says
 * to delete it by hand once no node runs on the home.
 *
 * Where the system tells (Linux's `/proc`), a second line names the owner's process instance: the
 * boot id and its start time in ticks since boot. After a power cut the pid may be another
 * process's: a lock whose pid is alive but is not that instance is a dead owner's, so neither a
 * start nor `joule stop` takes that process for the node.
 */
export class HomeLock {
  #held = false;
  readonly #home: string;

  /** `path`: the lock file (`<home>/data/LOCK`); `home` names the home in errors. */
  constructor(
    private readonly path: string,
    home: string = dirname(dirname(path)),
  ) {
    this.#home = home;
  }

  async acquire(): Promise<void> {
    if (this.#held) return;
    // Reserved in this process first, so two holders in one process never race on the file.
    if (heldHere.has(this.path)) throw this.#inUse(process.pid);
    heldHere.add(this.path);
    try {
      await this.#acquireFile();
      this.#held = true;
    } finally {
      if (!this.#held) heldHere.delete(this.path);
    }
  }

  async #acquireFile(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.#create()) return;
      const text = await readFile(this.path, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // released meanwhile: try again
      const owner = holderOf(text);
      if (owner === undefined)
        throw new NodeInputError(
          'HOME_LOCKED',
          this.path,
          `the lock of the home ${this.#home} holds no process id`,
          `if no node runs on this home, delete ${this.path}`,
        );
      // Our own pid here is a dead process's whose pid was reused (a container's pid 1).
      if (owner.pid !== process.pid && holderAlive(owner)) throw this.#inUse(owner.pid);
      await this.#takeOver(text);
    }
    throw new NodeInputError(
      'HOME_LOCKED',
      this.path,
      `could not take the lock of the home ${this.#home}`,
      'another process keeps taking it: stop it, or check the permissions of the data directory',
    );
  }

  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    heldHere.delete(this.path);
    const text = await readFile(this.path, 'utf8').catch(() => undefined);
    if (text !== undefined && text === lockText()) await unlink(this.path).catch(() => {});
  }

  /** Creates the lock with this process's pid in it, atomically; false if a lock exists. */
  async #create(): Promise<boolean> {
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(lockText());
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, this.path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return false;
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  /** Moves a dead owner's lock (`text`) away; puts back a lock that another process took meanwhile. */
  async #takeOver(text: string): Promise<void> {
    const moved = `${this.path}.${randomBytes(6).toString('hex')}.stale`;
    try {
      await rename(this.path, moved);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const movedText = await readFile(moved, 'utf8').catch(() => text);
    if (movedText !== text) await link(moved, this.path).catch(() => {});
    await unlink(moved).catch(() => {});
  }

  #inUse(pid: number): NodeInputError {
    return new NodeInputError(
      'HOME_LOCKED',
      this.path,
      `the home ${this.#home} is in use by process ${pid}`,
      'stop that node first (two nodes on one home could double-sign), or use another --home',
    );
  }
}

/** A lock's owner: its pid and, where the system tells, which process instance that pid was. */
export interface LockHolder {
  readonly pid: number;
  /** `<boot id>:<start ticks>`, or `undefined` (no `/proc`, or a lock of an earlier version). */
  readonly instance: string | undefined;
}

/** The owner named in the lock file at `path`, or `undefined` when there is none (no lock, or no pid in it). */
export async function lockHolder(path: string): Promise<LockHolder | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : holderOf(text);
}

/**
 * Whether the lock's owner still runs: its pid exists and, where the lock names its instance and
 * the system tells the pid's, it is that instance (not a process that got the pid after a reboot).
 */
export function holderAlive(holder: LockHolder): boolean {
  if (!alive(holder.pid)) return false;
  if (holder.instance === undefined) return true;
  const now = instanceOf(holder.pid);
  return now === undefined || now === holder.instance;
}

/** The text this process writes in a lock: its pid, and its instance where known. */
function lockText(): string {
  const instance = instanceOf(process.pid);
  return instance === undefined ? `${process.pid}\n` : `${process.pid}\n${instance}\n`;
}

/** `<boot id>:<start ticks since boot>` of process `pid` from `/proc`, or `undefined`. */
function instanceOf(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return /^[0-9a-f-]{1,64}$/.test(boot) && start !== undefined && /^[0-9]{1,20}$/.test(start)
      ? `${boot}:${start}`
      : undefined;
  } catch {
    return undefined;
  }
}

/** A lock's owner from its text: a pid line, then optionally an instance line. */
function holderOf(text: string): LockHolder | undefined {
  const m =
    /^([1-9][0-9]{0,9})\n(?:([0-9a-f-]{1,64}:[0-9]{1,20})\n)?$/.exec(text) ??
    /^([1-9][0-9]{0,9})$/.exec(text);
  const pid = m === null ? Number.NaN : Number(m[1]);
  return Number.isSafeInteger(pid) ? { pid, instance: m?.[2] } : undefined;
}

/** The pid in the lock file at `path`, or `undefined` when there is none (no lock, or no pid in it). */
export async function lockOwner(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : pidOf(text);
}

/** Whether process `pid` exists (one of another user counts). */
export function processAlive(pid: number): boolean {
  return alive(pid);
}

/** The pid a lock file holds (its first line), or `undefined` when it holds none. */
function pidOf(text: string): number | undefined {
  return holderOf(text)?.pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
