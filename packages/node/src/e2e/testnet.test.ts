import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAddress } from '@joule/consensus';
import { coreModules, txMessage } from '@joule/state';
import { afterAll, describe, expect, it } from 'vitest';
import { JouleClient } from '../client/index.js';
import { loadKey } from '../home/home.js';

/**
 * The end-to-end run: `joule testnet --validators 4 --nodes 8 --topology lic`, eight real
 * processes on real LevelDB and libp2p over loopback. About a minute on two cores; part of `npm test`
 * (alone: `npx vitest run packages/node/src/e2e`).
 */
const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('8-node lic testnet end to end', () => {
  let dir = '';
  const procs = new Map<number, ChildProcess>();
  const start = (i: number) => {
    const p = spawn(process.execPath, [bin, 'start', '--home', join(dir, `node${i}`)], { stdio: 'ignore' });
    procs.set(i, p);
  };
  afterAll(async () => {
    for (const p of procs.values()) if (p.exitCode === null) p.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('commits bank txs on every node, survives a SIGKILLed validator, and stops cleanly', {
    timeout: 180_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-e2e-'));
    const { stdout } = await promisify(execFile)(process.execPath, [
      bin,
      'testnet',
      '--validators',
      '4',
      '--nodes',
      '8',
      '--out',
      dir,
      '--topology',
      'lic',
      '--base-port',
      '29000',
    ]);
    const nodes = JSON.parse(stdout) as { name: string; api: string }[];
    for (let i = 0; i < 8; i++) start(i);
    // A send waits for its block, and the first block of eight fresh processes on two shared cores
    // can take longer than a status answer: 20 s, not 5.
    const clients = nodes.map((n) => new JouleClient({ url: n.api, timeoutMs: 20_000 }));
    const heightOf = async (c: JouleClient) =>
      Number((await c.status().catch(() => null))?.sync_info.latest_block_height ?? -1);
    const waitAll = async (min: number, which: number[]) => {
      for (let t = 0; t < 120; t++) {
        const hs = await Promise.all(which.map((i) => heightOf(clients[i] as JouleClient)));
        if (hs.every((h) => h >= min)) return;
        await sleep(500);
      }
      throw new Error(`nodes ${which} did not reach height ${min}`);
    };
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

    procs.get(1)?.kill('SIGKILL');
    const second = await send(clients[2] as JouleClient, 7n);
    expect(second.committed?.tx_result?.code, 'chain continues without node1').toBe(0);
    const h2 = Number(second.committed?.height);
    start(1);
    await waitAll(h2, [1]);
    expect((await (clients[1] as JouleClient).tx(second.hash)).height).toBe(String(h2));

    for (const p of procs.values()) p.kill('SIGTERM');
    for (
      let t = 0;
      t < 60 && [...procs.values()].some((p) => p.exitCode === null && p.signalCode === null);
      t++
    )
      await sleep(250);
    expect(
      [...procs.values()].map((p) => p.exitCode),
      'every node exits 0 on SIGTERM',
    ).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    for (const n of nodes) await expect(readFile(join(dir, n.name, 'data/LOCK')), n.name).rejects.toThrow();
  });
});
