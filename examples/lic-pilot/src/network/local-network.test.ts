import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeStartError } from './errors.js';
import { LocalNetwork } from './local-network.js';
import { diskUsage, ResourceSampler, readProc } from './sampler.js';

describe('LocalNetwork', () => {
  let dir = '';
  let net: LocalNetwork | undefined;
  afterAll(async () => {
    await net?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('names the node that failed to start and the log to read; the others stop cleanly', {
    timeout: 120_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'joule-localnet-'));
    net = await LocalNetwork.create({
      dir,
      nodes: 2,
      validators: 1,
      topology: 'mesh',
      basePort: 27500,
      chainId: 'localnet-1',
    });
    await writeFile(join(dir, 'node1', 'config', 'config.toml'), 'moniker = [broken\n');
    const error = await net.start().catch((e: unknown) => e);
    expect(error, 'a typed error').toBeInstanceOf(NodeStartError);
    const e = error as NodeStartError;
    expect([e.code, e.node, e.log]).toEqual(['PILOT_NODE_START', 'node1', join(dir, 'node1.log')]);
    expect(e.message, 'says why, with the log path').toContain(join(dir, 'node1.log'));
    expect(e.logTail, "quotes the node's own complaint").toContain('config.toml');
    expect(net.running(1), 'the failed node is not running').toBe(false);
    // node0 comes up (start gave up at node1's failure without waiting for it): it is sampled like
    // the pilot's nodes, then stops with exit code 0.
    await net.startNode(0);
    const sampler = new ResourceSampler({}, net.nodes);
    await sampler.sample();
    const s = sampler.series[0]?.samples[0];
    expect(s?.rssBytes, 'RSS from /proc').toBeGreaterThan(10 * 1024 * 1024);
    expect(s?.heapBytes, 'heap from /metrics').toBeGreaterThan(0);
    expect(s?.diskBytes, 'disk of the home').toBeGreaterThan(0);
    expect(sampler.series[1]?.samples.length, 'a node that is down is skipped').toBe(0);
    expect(await net.stop()).toEqual([0, null]);
  });

  it('starts a detached node in a session of its own, out of reach of the terminal, and kills it at once', {
    timeout: 120_000,
  }, async () => {
    const home = await mkdtemp(join(tmpdir(), 'joule-localnet-detached-'));
    const detached = await LocalNetwork.create({
      dir: home,
      nodes: 1,
      validators: 1,
      topology: 'mesh',
      basePort: 31_100,
      chainId: 'localnet-2',
      detached: true,
    });
    try {
      await detached.start();
      const pid = detached.nodes[0]?.pid() as number;
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields 5 and 6 of /proc/PID/stat: its process group and session, each led by the node.
      const [, , group, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      expect([Number(group), Number(session)]).toEqual([pid, pid]);
      detached.killNow();
      // Killed, not stopped: no exit code (a graceful stop's is 0).
      expect(await detached.stop()).toEqual([null]);
      expect(detached.running(0)).toBe(false);
    } finally {
      await detached.stop();
      await rm(home, { recursive: true, force: true });
    }
  });

  it('reads a process from /proc and a directory size like du', async () => {
    const me = await readProc(process.pid);
    expect(me.rssBytes).toBeGreaterThan(0);
    expect(me.cpuSeconds).toBeGreaterThan(0);
    expect(await diskUsage(join(tmpdir(), 'no-such-dir-joule'))).toBe(0);
  });
});
