/**
 * Child process of the crash test (`crash.test.ts`): commits the seeded random workload version
 * after version on real LevelDB and prints each committed version, until the parent SIGKILLs it.
 * Usage: node crash-child.test.child.js <dir> <seed>
 */
import { ClassicKvStore } from '../kv/level-kv-store.js';
import { randomVersionOps } from '../testkit/seeded-random.js';
import { crashWorkload } from './crash-workload.js';
import { VersionedStore } from './versioned-store.js';

const [dir, seedText] = process.argv.slice(2);
if (dir === undefined || seedText === undefined) throw new Error('usage: <dir> <seed>');
const seed = Number(seedText);
const kv = new ClassicKvStore({ location: dir });
await kv.start();
const store = new VersionedStore({}, { kv });
await store.start();
for (let version = (store.version() ?? 0) + 1; ; version++) {
  await store.commit(await store.prepare(version, randomVersionOps(seed, version, crashWorkload)));
  process.stdout.write(`${version}\n`);
}
