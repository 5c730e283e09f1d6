/**
 * The stand-in for a full disk where no small file system can be mounted: loaded into a node
 * process with `node --import <this file>` and `JOULE_CHAOS_DISK_MARKER=<file>`. While the marker
 * file exists, every write the process makes through `node:fs` file handles, `writeFile`, `writeSync`, `fsync` or `fdatasync` fails
 * with `ENOSPC`, as on a full disk: the WAL, the double-sign guard's state, the home's small files.
 * LevelDB writes from native code and is not affected (see the chaos README).
 */
import fs, { existsSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { fileURLToPath } from 'node:url';

const marker = process.env.JOULE_CHAOS_DISK_MARKER;

function enospc(syscall: string): NodeJS.ErrnoException {
  const error = new Error(`ENOSPC: no space left on device, ${syscall}`) as NodeJS.ErrnoException;
  error.code = 'ENOSPC';
  error.errno = -28;
  error.syscall = syscall;
  return error;
}

if (marker !== undefined && marker !== '') {
  const full = (): boolean => existsSync(marker);
  const handle = await fsp.open(fileURLToPath(import.meta.url), 'r');
  const proto = Object.getPrototypeOf(handle) as Record<string, (...args: unknown[]) => Promise<unknown>>;
  await handle.close();
  for (const name of ['write', 'writev', 'writeFile', 'appendFile', 'sync', 'datasync', 'truncate']) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      if (full()) return Promise.reject(enospc(name));
      return original.apply(this, args);
    };
  }
  const fsObject = fsp as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['writeFile', 'appendFile']) {
    const original = fsObject[name] as (...args: unknown[]) => Promise<unknown>;
    fsObject[name] = (...args: unknown[]) => (full() ? Promise.reject(enospc(name)) : original(...args));
  }
  // The WAL and the signer state write small records with blocking calls and flush on the thread pool.
  const callbacks = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const writeSync = callbacks.writeSync as (...args: unknown[]) => unknown;
  callbacks.writeSync = (...args: unknown[]) => {
    // Not stdout and stderr: the logs go to the harness, not to the full disk.
    if (full() && args[0] !== 1 && args[0] !== 2) throw enospc('write');
    return writeSync(...args);
  };
  for (const name of ['fsync', 'fdatasync']) {
    const original = callbacks[name] as (...args: unknown[]) => unknown;
    callbacks[name] = (...args: unknown[]) => {
      const done = args[args.length - 1] as (error: Error | null) => void;
      if (full()) return process.nextTick(done, enospc(name));
      return original(...args);
    };
  }
  syncBuiltinESMExports();
}
