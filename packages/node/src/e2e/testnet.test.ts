import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAddress } from '@joule/consensus';
import { coreModules, txMessage } from '@joule/state';
import { afterAll, describe, expect, it } from 'vitest';
import type { JouleClient } from '../client/index.js';
import { loadKey } from '../home/home.js';
import { type SpawnedTestnet, spawnTestnet } from '../testkit/testnet.js';

/**
 * The end-to-end run: `joule testnet --validators 4 --nodes 8 --topology lic`, eight real
 * processes on real LevelDB and libp2p over loopback. About a minute on two cores; part of `npm test`
 * (alone: `npx vitest run packages/node/src/e2e`).
 */
describe('8-node lic testnet end to end', () => {
  let net: SpawnedTestnet | undefined;
  afterAll(async () => {
    await net?.stop();
  });

  it('commits bank txs on every node, survives a SIGKILLed validator, and stops cleanly', {
    timeout: 180_000,
  }, async () => {
    const testnet = await spawnTestnet({
      validators: 4,
      nodes: 8,
      topology: 'lic',
      basePort: 29_000,
      dirPrefix: 'joule-e2e-',
    });
    net = testnet;
    const { dir, nodes, clients, procs } = testnet;
    const waitAll = (min: number, which: number[]) => testnet.waitForHeight(min, { which });
    // Genesis accounts are in the state the first block commits.
    await waitAll(1, [0, 1, 2, 3, 4, 5, 6, 7]);
    const core = coreModules({ addressPrefix: 'joule' });
    const sender = await loadKey(join(dir, 'node0'), 'node0');
    const to = parseAddress((await loadKey(join(dir, 'node7'), 'node7')).address, 'joule');
    const send = (client: JouleClient, amount: bigint) =>
      client.signAndSend(
        sender.key.secretKey,
        [txMessage(core.bank.msg.send, { to, denom: 'ujoule', amount })],
        { commit: true },
      );
    const first = await send(clients[0] as JouleClient, 5n);
    expect(first.committed?.tx_result?.code).toBe(0);
    const h1 = Number(first.committed?.height);
    await waitAll(h1 + 1, [0, 1, 2, 3, 4, 5, 6, 7]);
    const hashes = await Promise.all(
      clients.map(async (c) => (await c.commit(h1 + 1)).signed_header.header.app_hash),
    );
    expect(new Set(hashes).size, 'equal app hashes').toBe(1);
    const metrics = await (await fetch(`${nodes[3]?.api}/metrics`)).text();
    const gauge = (name: string, component: string): number =>
      Number(new RegExp(`^${name}\\{component="${component}"\\} ([0-9.e+]+)$`, 'm').exec(metrics)?.[1]);
    // The caches report what they hold: the votes and the transaction seen, verified and committed.
    for (const cache of [
      'p2p_seen_cache',
      'p2p_verdict_cache',
      'verified_tx_cache',
      'state_node_cache',
      'state_value_cache',
    ])
      expect(gauge('joule_memory_used_bytes', cache), `${cache} in use`).toBeGreaterThan(0);
    // The gossip's caches, within their budgets (honest peers: no invalid signature held).
    for (const cache of ['p2p_seen_cache', 'p2p_verdict_cache', 'p2p_invalid_signature_cache'])
      expect(gauge('joule_memory_used_bytes', cache), `${cache} within its budget`).toBeLessThanOrEqual(
        gauge('joule_memory_budget_bytes', cache),
      );
    expect(gauge('joule_memory_used_bytes', 'p2p_invalid_signature_cache')).toBe(0);

    procs.get(1)?.kill('SIGKILL');
    const second = await send(clients[2] as JouleClient, 7n);
    expect(second.committed?.tx_result?.code, 'chain continues without node1').toBe(0);
    const h2 = Number(second.committed?.height);
    testnet.start(1);
    await waitAll(h2, [1]);
    expect((await (clients[1] as JouleClient).tx(second.hash)).height).toBe(String(h2));

    const exits = await testnet.terminate();
    expect(exits, 'every node exits 0 on SIGTERM').toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    for (const n of nodes) await expect(readFile(join(dir, n.name, 'data/LOCK')), n.name).rejects.toThrow();
  });
});
