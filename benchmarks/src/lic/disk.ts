import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicKvStore } from '@joule/state';

/** The tables of the key layout (packages/state/src/keys.ts), by their one-byte prefix. */
const tableNames: Readonly<Record<number, string>> = {
  1: 'meta',
  16: 'block',
  17: 'commit',
  18: 'block by hash',
  19: 'chain state',
  20: 'validators',
  32: 'tree node',
  33: 'tree root',
  34: 'stale node',
  35: 'latest state',
  48: 'tx result',
  49: 'block results',
};

/** One table of a node's LevelDB: live entries and their key + value bytes (before compression). */
export interface TableBytes {
  readonly table: string;
  readonly entries: number;
  readonly bytes: number;
}

/** What a stopped node keeps: its LevelDB by table and its consensus WAL, bytes. */
export interface HomeBytes {
  readonly tables: readonly TableBytes[];
  /** Files of the LevelDB directory (compressed tables, log, manifest), allocated bytes. */
  readonly dbFileBytes: number;
  readonly walFileBytes: number;
}

/** Reads the LevelDB of a stopped node's home, entry by entry. */
export async function homeBytes(home: string): Promise<HomeBytes> {
  const kv = new ClassicKvStore({ location: join(home, 'data/db') });
  await kv.start();
  const sums = new Map<number, { entries: number; bytes: number }>();
  try {
    for await (const [key, value] of kv.entries({ gte: new Uint8Array([0]), lt: new Uint8Array([0xff]) })) {
      const prefix = key[0] ?? 0;
      const sum = sums.get(prefix) ?? { entries: 0, bytes: 0 };
      sum.entries++;
      sum.bytes += key.length + value.length;
      sums.set(prefix, sum);
    }
  } finally {
    await kv.stop();
  }
  const tables = [...sums]
    .sort((a, b) => a[0] - b[0])
    .map(([prefix, s]) => ({ table: tableNames[prefix] ?? `0x${prefix.toString(16)}`, ...s }));
  return {
    tables,
    dbFileBytes: await dirBytes(join(home, 'data/db')),
    walFileBytes: await dirBytes(join(home, 'data/wal')),
  };
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => []))
    if (e.isFile()) total += (await stat(join(dir, e.name))).blocks * 512;
  return total;
}
