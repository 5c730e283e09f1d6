/**
 * The stand-in for a full disk where no small file system can be mounted: loaded into a node
 * process with `node --import <this file>` and `JOULE_CHAOS_DISK_MARKER=<file>`. While the marker
 * file exists, every write the process makes through `node:fs` file handles or `writeFile` fails
 * with `ENOSPC`, as on a full disk: the WAL, the double-sign guard's state, the home's small files.
 * LevelDB writes from native code and is not affected (see the chaos README).
 */
import { existsSync } from 'node:fs';
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
  syncBuiltinESMExports();
}
