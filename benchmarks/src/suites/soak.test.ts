import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePortRange } from '@joule/p2p/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { type Progress, UsageError } from '../report.js';
import { soak } from './soak.js';
import { readRunFile, runFile } from './soak-run.js';

const dir = mkdtempSync(join(tmpdir(), 'joule-soak-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet: Progress = { tick: () => {}, done: () => {} };
const run = (...args: string[]) =>
  soak({ timeMs: 500, args: ['--snapshots', dir, ...args], progress: () => quiet });

describe('soak arguments', () => {
  // Refused before any node starts: a bad port or warm-up is a usage error, not a failed run.
  it.each([
    ['--base-port', '80'],
    ['--base-port', '65535'],
    ['--base-port', 'x'],
    ['--warm-up', '0.05'],
    ['--warm-up', '1'],
    ['--warm-up', 'half'],
  ])('refuses %s %s', async (flag, value) => {
    await expect(run(flag, value)).rejects.toBeInstanceOf(UsageError);
    await expect(run(flag, value)).rejects.toThrow(flag);
  });
});

/** The soak as `npm run bench` runs it (the compiled benchmarks: `npm run build` first), on 2 nodes. */
const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** The node processes a process started (their parent is `pid`), from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((f) => /^[0-9]+$/.test(f))
    .filter((f) => {
      const stat = readFileSafe(`/proc/${f}/stat`);
      return stat !== null && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    })
    .map(Number);
}
const readFileSafe = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};
/** Whether a process runs (a zombie does not). */
const runs = (pid: number) => {
  const stat = readFileSafe(`/proc/${pid}/stat`);
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startSoak(out: string) {
  const port = await freePortRange(4, 31_000);
  const child = spawn(
    process.execPath,
    [
      ...[main, 'soak', '--dist', '--nodes', '2', '--validators', '1'],
      ...['--compress', '3600', '--days', '0.25', '--base-port', String(port)],
      ...['--snapshots', out, '--out', join(out, 'results')],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  // The soak writes its first checkpoint once its network exists, then starts the nodes.
  while (!existsSync(join(out, runFile)) && !done) await pause(100);
  let nodes: number[] = [];
  while (nodes.length < 2 && !done) {
    nodes = childrenOf(child.pid as number);
    await pause(100);
  }
  expect(nodes, stderr).toHaveLength(2);
  // Their homes, from their command lines (`start --home DIR/node0`).
  const homes = nodes.map((pid) => {
    const args = (readFileSafe(`/proc/${pid}/cmdline`) ?? '').split('\0');
    return args[args.indexOf('--home') + 1] as string;
  });
  return { child, exited, nodes, homes, port, stdout: () => stdout, stderr: () => stderr };
}

describe('a soak stopped by a signal', () => {
  it('stops on SIGTERM: the run partial with its reason, the report says so, the nodes stopped, exit 0', {
    timeout: 120_000,
  }, async () => {
    const out = mkdtempSync(join(dir, 'term-'));
    const soakRun = await startSoak(out);
    soakRun.child.kill('SIGTERM');
    expect(await soakRun.exited, soakRun.stderr()).toBe(0);
    const saved = readRunFile(out);
    expect(saved.partial).toMatchObject({ ticksDone: 0, ticksPlanned: 24, reason: 'SIGTERM' });
    expect(saved.snapshots.end, 'no end snapshot before the warm-up').toBeNull();
    const statement = 'partial run: stopped after 0 of 24 ticks (SIGTERM)';
    expect(readFileSync(join(out, 'results', 'soak.md'), 'utf8')).toContain(statement);
    expect(soakRun.stdout()).toContain(statement);
    expect(soakRun.nodes.filter(runs), 'the nodes stopped with the soak').toEqual([]);
  });

  it('ends at once on a second signal during the stop: what it has written, the nodes killed, exit 130', {
    timeout: 120_000,
  }, async () => {
    const out = mkdtempSync(join(dir, 'int-'));
    const soakRun = await startSoak(out);
    // Up and quiet: a node that is still starting writes to its parent, and dies with it of that.
    const up = (port: number) =>
      fetch(`http://127.0.0.1:${port}/status`).then(
        (r) => r.ok,
        () => false,
      );
    while (!((await up(soakRun.port + 1)) && (await up(soakRun.port + 3)))) await pause(100);
    soakRun.child.kill('SIGTERM');
    // The stop waits for the nodes to come up and the community's setup: the SIGINT lands in it.
    await pause(100);
    soakRun.child.kill('SIGINT');
    expect(await soakRun.exited, soakRun.stderr()).toBe(130);
    expect(readRunFile(out).partial).toMatchObject({
      ticksDone: 0,
      ticksPlanned: 24,
      reason: 'SIGTERM, then SIGINT during the stop',
    });
    expect(existsSync(join(out, 'results', 'soak.md')), 'no report').toBe(false);
    // Killed without waiting: their parent has exited by the time they are gone.
    for (let i = 0; i < 100 && soakRun.nodes.some(runs); i++) await pause(100);
    expect(soakRun.nodes.filter(runs), 'the nodes killed').toEqual([]);
    expect(soakRun.homes.filter(existsSync), 'their homes removed').toEqual([]);
  });
});
