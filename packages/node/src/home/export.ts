import { type AccountKeeper, App, ClassicKvStore, LevelChainStore, type Module } from '@joule/state';
import { NodeInputError } from '../errors.js';
import { dbOptions, stateCacheOptions } from './config.js';
import { type GenesisDoc, genesisDoc } from './genesis-file.js';
import { loadHome } from './home.js';
import { HomeLock } from './lock.js';

/**
 * The committed state of a stopped node's home as a genesis for a chain that continues at the next
 * height: every module's export, the validators of the next height, the last block time. Takes the
 * home's lock, so it refuses a running node. Opens the database and the state with the bounds of the
 * home's config.toml (LevelDB's cache, memtable and open files; the state's node and value caches),
 * as the node does: on a board, an export stays within the memory the node itself is given.
 */
export async function exportHome(
  home: string,
  deps: { modules: readonly Module[]; accounts: AccountKeeper; addressPrefix?: string },
): Promise<GenesisDoc> {
  const { paths, config, genesis, genesisDoc: doc } = await loadHome(home);
  const lock = new HomeLock(paths.lock, paths.home);
  await lock.acquire();
  const kv = new ClassicKvStore(dbOptions(config, paths.db));
  try {
    await kv.start();
    const store = new LevelChainStore({}, { kv });
    await store.start();
    const app = new App(stateCacheOptions(config), {
      kv,
      modules: deps.modules,
      accounts: deps.accounts,
      ...(deps.addressPrefix === undefined ? {} : { addressPrefix: deps.addressPrefix }),
    });
    await app.start();
    try {
      const state = await store.loadState();
      if (state === null || state.lastBlockHeight < genesis.initialHeight)
        throw new NodeInputError(
          'HOME_MISSING',
          paths.db,
          'no block has been committed yet',
          'export after the first block, or reuse genesis.json',
        );
      const appState = await app.exportGenesis();
      const names = new Map(doc.validators.map((v) => [v.pub_key, v.name]));
      const validators = state.validators.validators.map((v) => ({ pubKey: v.pubKey, power: v.votingPower }));
      return genesisDoc(
        {
          ...genesis,
          genesisTime: state.lastBlockTime,
          initialHeight: state.lastBlockHeight + 1,
          validators,
        },
        appState,
        validators.map((v, i) => names.get(Buffer.from(v.pubKey).toString('hex')) ?? `validator-${i}`),
      );
    } finally {
      await app.stop();
      await store.stop();
    }
  } finally {
    await kv.stop();
    await lock.release();
  }
}
