import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeededRng } from '@joule/consensus/sim';
import { createTestnet } from '@joule/node';
import { JouleClient } from '@joule/node/client';
import { afterAll, describe, expect, it } from 'vitest';
import { type ProxiedTestnet, proxyTestnet } from './links.js';

/**
 * Four validator processes that reach each other only through the proxies: they commit through
 * delayed links, a 2 | 2 split commits nothing, and the heal commits again.
 */
const joule = fileURLToPath(new URL('../bin/joule.js', import.meta.resolve('@joule/node')));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let dir = '';
let net: ProxiedTestnet | null = null;
const procs: ChildProcess[] = [];
afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await net?.stop();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('a testnet behind link proxies', () => {
  it('commits through delayed links, stops in a 2 | 2 split, and commits again after the heal', {
    timeout: 240_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-links-'));
    const nodes = await createTestnet({
      validators: 4,
      nodes: 4,
      out: dir,
      topology: 'mesh',
      basePort: 31_880,
      chainId: 'links',
      addressPrefix: 'joule',
      denom: 'ujoule',
      config: { consensus: { create_empty_blocks: true } },
    });
    net = await proxyTestnet(nodes, { rng: new SeededRng(16) });
    net.setAllModes({ kind: 'delay', minMs: 50, maxMs: 150 });
    for (const n of nodes)
      procs.push(spawn(process.execPath, [joule, 'start', '--home', n.home], { stdio: 'ignore' }));
    const clients = nodes.map((n) => new JouleClient({ url: n.api, timeoutMs: 10_000 }));
    const heights = () =>
      Promise.all(
        clients.map(async (c) =>
          Number((await c.status().catch(() => null))?.sync_info.latest_block_height ?? -1),
        ),
      );
    const waitFor = async (what: string, check: (hs: number[]) => boolean) => {
      for (let t = 0; t < 240; t++) {
        if (check(await heights())) return;
        await sleep(500);
      }
      throw new Error(`gave up waiting for ${what}`);
    };
    await waitFor('height 4 through delayed links', (hs) => hs.every((h) => h >= 4));
    // A pair keeps one connection, through one of its two proxies.
    for (const [a, b] of [
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 2],
      [1, 3],
      [2, 3],
    ] as const) {
      const bytes = net.pair(a, b).reduce((sum, p) => sum + p.stats().forwardedBytes, 0);
      expect(bytes, `the pair ${a}-${b} talks through its proxies`).toBeGreaterThan(0);
    }

    net.setSplitMode([0, 1], [2, 3], { kind: 'drop' });
    await sleep(3_000); // a block under way when the split came may still commit
    const split = Math.max(...(await heights()));
    await sleep(8_000);
    expect(Math.max(...(await heights())), 'no block in a 2 | 2 split').toBe(split);

    net.setAllModes({ kind: 'pass' });
    await waitFor('commits after the heal', (hs) => hs.every((h) => h >= split + 2));
    const hashes = await Promise.all(
      clients.map(async (c) => JSON.stringify((await c.commit(split + 1)).signed_header.commit.block_id)),
    );
    expect(new Set(hashes).size, 'one block after the heal').toBe(1);
  });
});
