import { open, readFile, unlink } from 'node:fs/promises';
import { NodeInputError } from '../errors.js';

/**
 * An exclusive lock on a home's data directory: `data/LOCK` holds the owner's pid, created with
 * O_EXCL. Two processes on one home would sign with one key from two signer states — a double
 * sign — so the second is refused. A lock left by a process that no longer exists (kill -9, power
 * cut) is taken over.
 */
export class HomeLock {
  #held = false;

  constructor(private readonly path: string) {}

  async acquire(): Promise<void> {
    if (this.#held) return;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(this.path, 'wx', 0o600);
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        this.#held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number.parseInt(await readFile(this.path, 'utf8').catch(() => ''), 10);
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new NodeInputError(
          'HOME_LOCKED',
          this.path,
          `the home is in use by process ${owner}`,
          'stop that node first (two nodes on one home could double-sign), or use another --home',
        );
      }
      await unlink(this.path).catch(() => {});
    }
    throw new NodeInputError(
      'HOME_LOCKED',
      this.path,
      'could not take the lock',
      'check the permissions of the data directory',
    );
  }

  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    await unlink(this.path).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
