import { type ChildProcess, execFile, type StdioOptions, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { JouleClient } from '../client/index.js';

const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long the nodes get to stop on SIGTERM before they are killed. */
const stopMs = 15_000;

/** One node of the testnet, as `joule testnet` prints it. */
export interface TestnetNode {
  readonly name: string;
  readonly home: string;
  readonly api: string;
  readonly p2p: string;
  readonly node_id: string;
  readonly validator: boolean;
}

export interface SpawnedTestnet {
  /** The temporary directory holding the homes. */
  readonly dir: string;
  readonly nodes: readonly TestnetNode[];
  /** A client per node, on its API. */
  readonly clients: readonly JouleClient[];
  /** The latest process of each node started (by index), while it has one. */
  readonly procs: ReadonlyMap<number, ChildProcess>;
  /** Starts (or starts again) node `i`: `joule start --home <home>` and the testnet's `startArgs`. */
  start(i: number, options?: { stdio?: StdioOptions }): ChildProcess;
  /** Waits until every node of `which` (default: all) answers a height of at least `min`. */
  waitForHeight(min: number, options?: { which?: readonly number[]; timeoutMs?: number }): Promise<void>;
  /** SIGTERMs every node and returns their exit codes (by index) once all stopped or `stopMs` passed. */
  terminate(): Promise<(number | null)[]>;
  /** Stops what still runs (SIGTERM, then SIGKILL) and removes the directory. */
  stop(): Promise<void>;
}

/**
 * A testnet of real processes, as its tests run one: `joule testnet --validators V --nodes N` into a
 * temporary directory (ports `basePort` … `basePort + 2N − 1`; each test its own range, below
 * Linux's ephemeral ports), then `joule start` on every home (unless `start: false`, to edit the
 * homes first), each with `startArgs(i)`. The caller waits for the heights it needs.
 */
export async function spawnTestnet(options: {
  validators: number;
  nodes: number;
  basePort: number;
  /** `mesh` or `lic` (the CLI's default when not given). */
  topology?: string;
  chainId?: string;
  /** The temporary directory's name prefix. */
  dirPrefix?: string;
  /** Flags added to `joule start` of node `i`. */
  startArgs?: (i: number) => readonly string[];
  /** The clients' request timeout (default 20 s: a commit of fresh processes on two shared cores). */
  clientTimeoutMs?: number;
  /** Start every node at once (default true). */
  start?: boolean;
}): Promise<SpawnedTestnet> {
  const dir = await mkdtemp(join(tmpdir(), options.dirPrefix ?? 'joule-testnet-'));
  const procs = new Map<number, ChildProcess>();
  const running = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;
  const settle = async () => {
    for (let t = 0; t * 250 < stopMs && [...procs.values()].some(running); t++) await sleep(250);
  };
  const terminate = async () => {
    for (const p of procs.values()) if (running(p)) p.kill('SIGTERM');
    await settle();
    return [...procs.keys()].sort((a, b) => a - b).map((i) => procs.get(i)?.exitCode ?? null);
  };
  const stop = async () => {
    await terminate();
    for (const p of procs.values()) if (running(p)) p.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const args = ['testnet', '--validators', String(options.validators), '--nodes', String(options.nodes)];
    args.push('--out', dir, '--base-port', String(options.basePort));
    if (options.topology !== undefined) args.push('--topology', options.topology);
    if (options.chainId !== undefined) args.push('--chain-id', options.chainId);
    const { stdout } = await promisify(execFile)(process.execPath, [bin, ...args]);
    const nodes = JSON.parse(stdout) as TestnetNode[];
    const clients = nodes.map(
      (n) => new JouleClient({ url: n.api, timeoutMs: options.clientTimeoutMs ?? 20_000 }),
    );
    const start = (i: number, how: { stdio?: StdioOptions } = {}) => {
      const node = nodes[i];
      if (node === undefined) throw new Error(`no node${i} in a testnet of ${nodes.length}`);
      const p = spawn(
        process.execPath,
        [bin, 'start', '--home', node.home, ...(options.startArgs?.(i) ?? [])],
        {
          stdio: how.stdio ?? 'ignore',
        },
      );
      procs.set(i, p);
      return p;
    };
    const heightOf = async (c: JouleClient) =>
      Number((await c.status().catch(() => null))?.sync_info.latest_block_height ?? -1);
    const waitForHeight = async (
      min: number,
      how: { which?: readonly number[]; timeoutMs?: number } = {},
    ): Promise<void> => {
      const which = how.which ?? nodes.map((_, i) => i);
      const timeoutMs = how.timeoutMs ?? 60_000;
      for (let t = 0; ; t++) {
        const heights = await Promise.all(which.map((i) => heightOf(clients[i] as JouleClient)));
        if (heights.every((h) => h >= min)) return;
        if (t * 500 >= timeoutMs)
          throw new Error(
            `nodes ${which.join(', ')} did not reach height ${min} (heights ${heights.join(', ')})`,
          );
        await sleep(500);
      }
    };
    if (options.start !== false) for (let i = 0; i < nodes.length; i++) start(i);
    return { dir, nodes, clients, procs, start, waitForHeight, terminate, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
