import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestnet, exitCodes } from '@joule/node';
import { JouleClient } from '@joule/node/client';
import { afterAll, describe, expect, it } from 'vitest';
import { type SmallDisk, smallDisk } from './disk.js';

/**
 * A full disk under a validator of a real 4-validator testnet (processes, LevelDB, libp2p): the
 * node stops with DISK_FULL naming the path and exit code 6, the others go on, and once space is
 * freed the node starts again and catches up. On a tmpfs where the machine allows a mount, else on
 * the stand-in (writes through node:fs fail with ENOSPC) — the test says which in its name and
 * asserts the same either way.
 */
const joule = fileURLToPath(new URL('../bin/joule.js', import.meta.resolve('@joule/node')));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dirs: string[] = [];
const disks: SmallDisk[] = [];
const procs: ChildProcess[] = [];
afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await sleep(200);
  for (const d of disks) await d.release();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Runs a one-line script in a node process set up for `disk`; resolves with its exit code. */
async function tryWrite(disk: SmallDisk, file: string): Promise<number | null> {
  const script = `import('node:fs/promises').then((f) => f.writeFile(${JSON.stringify(file)}, 'x'.repeat(8192))).then(() => process.exit(0), (e) => process.exit(e.code === 'ENOSPC' ? 28 : 1))`;
  const p = spawn(process.execPath, [...disk.nodeArgs, '--input-type=module', '-e', script], {
    env: { ...process.env, ...disk.env },
    stdio: 'ignore',
  });
  const [code] = (await once(p, 'exit')) as [number | null];
  return code;
}

describe('smallDisk', () => {
  it('fills and frees: writes fail with ENOSPC while full and succeed after', async () => {
    const disk = await smallDisk(join(await tempDir('joule-disk-'), 'data'), { sizeBytes: 4 * 1024 * 1024 });
    disks.push(disk);
    expect(await tryWrite(disk, join(disk.dir, 'a')), `${disk.kind}: a write before filling`).toBe(0);
    await disk.fill();
    expect(await tryWrite(disk, join(disk.dir, 'b')), `${disk.kind}: a write on the full disk`).toBe(28);
    await disk.free();
    expect(await tryWrite(disk, join(disk.dir, 'c')), `${disk.kind}: a write after freeing`).toBe(0);
    await disk.release();
  });

  it('the stand-in works where a mount would, too', async () => {
    const disk = await smallDisk(join(await tempDir('joule-disk-'), 'data'), { forceStandIn: true });
    disks.push(disk);
    expect(disk.kind).toBe('stand-in');
    await disk.fill();
    expect(await tryWrite(disk, join(disk.dir, 'b')), 'a write while "full"').toBe(28);
    await disk.free();
    expect(await tryWrite(disk, join(disk.dir, 'c')), 'a write after freeing').toBe(0);
  });
});

describe('a validator whose disk fills up', () => {
  it('stops with DISK_FULL and exit code 6, loses nothing, and catches up once space is freed', {
    timeout: 240_000,
  }, async () => {
    const dir = await tempDir('joule-full-');
    const nodes = await createTestnet({
      validators: 4,
      nodes: 4,
      out: dir,
      topology: 'mesh',
      basePort: 31_840,
      chainId: 'full-disk',
      addressPrefix: 'joule',
      denom: 'ujoule',
      config: { consensus: { create_empty_blocks: true } },
    });
    const victim = 3;
    // JOULE_CHAOS_DISK=stand-in runs the stand-in on a machine that could mount.
    const disk = await smallDisk(join(nodes[victim]?.home as string, 'data'), {
      forceStandIn: process.env.JOULE_CHAOS_DISK === 'stand-in',
    });
    disks.push(disk);
    if (disk.kind === 'stand-in') process.stderr.write(`full disk: the stand-in (${disk.reason})\n`);
    const logOf = (i: number) => join(dir, `node${i}.log`);
    const start = async (i: number): Promise<ChildProcess> => {
      const out = await open(logOf(i), 'a');
      const extra = i === victim ? disk : { nodeArgs: [], env: {} };
      const args = [
        ...extra.nodeArgs,
        joule,
        'start',
        '--home',
        nodes[i]?.home as string,
        '--log.format',
        'json',
      ];
      const p = spawn(process.execPath, args, {
        env: { ...process.env, ...extra.env },
        stdio: ['ignore', out.fd, out.fd],
      });
      p.once('exit', () => void out.close());
      procs.push(p);
      return p;
    };
    const running = await Promise.all(nodes.map((_, i) => start(i)));
    const clients = nodes.map((n) => new JouleClient({ url: n.api, timeoutMs: 10_000 }));
    const heightOf = async (i: number) =>
      Number((await clients[i]?.status().catch(() => null))?.sync_info.latest_block_height ?? -1);
    const waitFor = async (what: string, check: () => Promise<boolean>) => {
      for (let t = 0; t < 240; t++) {
        if (await check()) return;
        await sleep(500);
      }
      throw new Error(`gave up waiting for ${what}`);
    };
    await waitFor('height 3 everywhere', async () =>
      (await Promise.all([0, 1, 2, 3].map(heightOf))).every((h) => h >= 3),
    );

    await disk.fill();
    const victimProc = running[victim] as ChildProcess;
    await waitFor(
      'the victim to stop',
      async () => victimProc.exitCode !== null || victimProc.signalCode !== null,
    );
    expect(victimProc.exitCode, `${disk.kind}: exit code diskFull`).toBe(exitCodes.diskFull);
    const log = await readFile(logOf(victim), 'utf8');
    const fatal = log
      .split('\n')
      .filter((l) => l.includes('"DISK_FULL"'))
      .map((l) => JSON.parse(l) as { code: string; path: string; msg: string });
    expect(fatal.length, `${disk.kind}: a log line with code DISK_FULL`).toBeGreaterThan(0);
    expect(
      fatal[0]?.path.startsWith(disk.dir),
      `${disk.kind}: it names a path under the data dir (${fatal[0]?.path})`,
    ).toBe(true);
    // The chain goes on with three of four validators.
    const before = Math.max(...(await Promise.all([0, 1, 2].map(heightOf))));
    await waitFor('the others to commit on', async () => (await heightOf(0)) > before + 2);

    await disk.free();
    const again = await start(victim);
    const target = await heightOf(0);
    await waitFor('the victim to catch up', async () => (await heightOf(victim)) >= target);
    expect(again.exitCode, 'the restarted node runs').toBe(null);
    // The same chain: equal block hashes at a height the victim committed before the fill and at the target.
    for (const h of [3, target]) {
      const hashes = await Promise.all(
        clients.map(async (c) => (await c.commit(h)).signed_header.commit.block_id),
      );
      expect(new Set(hashes.map((b) => JSON.stringify(b))).size, `one block at height ${h}`).toBe(1);
    }
    // It signs again: its precommit is in a later commit.
    const status = await clients[victim]?.status();
    const validators = await clients[0]?.validators();
    const address = validators?.validators.find((v) => v.pub_key === status?.validator_info.pub_key)?.address;
    await waitFor('a commit with the victim in it', async () => {
      const h = await heightOf(0);
      const commit = (await clients[0]?.commit(h))?.signed_header.commit as {
        signatures: { validator_address: string; timestamp: string | null }[];
      };
      return commit.signatures.some((s) => s.validator_address === address && s.timestamp !== null);
    });
  });
});
