import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { addressOf, formatAddress, generateKeyPair } from '@joule/consensus';
import { coreModules, txMessage } from '@joule/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JouleClient } from '../client/index.js';
import { NodeInputError } from '../errors.js';
import { standaloneNetwork } from '../network/network.js';
import { createNode } from '../node/node.js';
import { exportHome } from './export.js';
import type { GenesisDoc } from './genesis-file.js';
import { loadHome, loadKey } from './home.js';
import { genesisMinNewAccountAmount, initHome } from './init.js';
import { HomeLock } from './lock.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });

describe('export of a stopped node (real LevelDB)', () => {
  let dir = '';
  let home = '';
  let committed = 0;
  let first: GenesisDoc;
  const bob = addressOf(generateKeyPair().publicKey);
  const core = coreModules({ addressPrefix: 'joule' });
  const deps = { modules: core.modules, accounts: core.accounts, addressPrefix: 'joule' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-export-'));
    home = join(dir, 'home');
    await initHome({
      home,
      chainId: 'export-1',
      moniker: 'export',
      addressPrefix: 'joule',
      denom: 'ujoule',
      operatorKey: 'operator',
    });
    const operator = await loadKey(home, 'operator');
    const node = await createNode(
      {
        home,
        config: {
          api: { listen: '127.0.0.1:0', max_body_bytes: 4096, broadcast_tx_commit_timeout_ms: 10_000 },
          consensus: { timeout_commit_ms: 50 },
        },
        logDestination: silent,
      },
      {
        app: { addressPrefix: 'joule', accounts: core.accounts },
        modules: core.modules,
        network: standaloneNetwork,
      },
    );
    await node.start();
    try {
      const client = new JouleClient({ url: node.apiUrl });
      const sent = await client.signAndSend(
        operator.key.secretKey,
        [txMessage(core.bank.msg.send, { to: bob, denom: 'ujoule', amount: genesisMinNewAccountAmount })],
        { commit: true },
      );
      expect(sent.committed?.tx_result?.code).toBe(0);
    } finally {
      await node.stop();
    }
    committed = Number((await exportHome(home, deps)).initial_height) - 1;
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('continues the chain at the next height with the committed state', async () => {
    first = await exportHome(home, deps);
    expect(first.chain_id).toBe('export-1');
    expect(first.initial_height).toBe(committed + 1);
    expect(committed).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(first.app_state), "the send's recipient is in the exported state").toContain(
      formatAddress(bob, 'joule'),
    );
  });

  it('gives the same genesis with the smallest caches config.toml allows', async () => {
    const file = join(home, 'config', 'config.toml');
    const toml = await readFile(file, 'utf8');
    const tiny = toml
      .replace(/^# cache_bytes = \d+$/m, 'cache_bytes = 0')
      .replace(/^# max_open_files = \d+$/m, 'max_open_files = 16')
      .replace(/^# node_cache_bytes = \d+$/m, 'node_cache_bytes = 0')
      .replace(/^# node_cache_entries = \d+$/m, 'node_cache_entries = 0')
      .replace(/^# value_cache_bytes = \d+$/m, 'value_cache_bytes = 0');
    expect(
      tiny.match(/^(cache_bytes|max_open_files|node_cache_bytes|node_cache_entries|value_cache_bytes) = /gm),
    ).toHaveLength(5);
    await writeFile(file, tiny);
    try {
      expect(await exportHome(home, deps)).toEqual(first);
    } finally {
      await writeFile(file, toml);
    }
  });

  it('refuses a home whose lock is held (a running node)', async () => {
    const { paths } = await loadHome(home);
    const lock = new HomeLock(paths.lock, paths.home);
    await lock.acquire();
    try {
      await expect(exportHome(home, deps)).rejects.toBeInstanceOf(NodeInputError);
    } finally {
      await lock.release();
    }
  });
});
