import { randomBytes } from 'node:crypto';
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
      const owner = pidOf(text);
      if (owner === undefined)
        throw new NodeInputError(
          'HOME_LOCKED',
          this.path,
          `the lock of the home ${this.#home} holds no process id`,
          `if no node runs on this home, delete ${this.path}`,
        );
      // Our own pid here is a dead process's whose pid was reused (a container's pid 1).
      if (owner !== process.pid && alive(owner)) throw this.#inUse(owner);
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
    if (text !== undefined && pidOf(text) === process.pid) await unlink(this.path).catch(() => {});
  }

  /** Creates the lock with this process's pid in it, atomically; false if a lock exists. */
  async #create(): Promise<boolean> {
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${process.pid}\n`);
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

/** The pid in the lock file at `path`, or `undefined` when there is none (no lock, or no pid in it). */
export async function lockOwner(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : pidOf(text);
}

/** Whether process `pid` exists (one of another user counts). */
export function processAlive(pid: number): boolean {
  return alive(pid);
}

/** The pid a lock file holds: one positive decimal integer and a newline, or `undefined`. */
function pidOf(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,9}\n?$/.test(text)) return undefined;
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
