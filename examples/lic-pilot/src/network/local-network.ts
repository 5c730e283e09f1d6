import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ConfigOverrides,
  createTestnet,
  marketAppState,
  type TestnetNode,
  type Topology,
} from '@joule/node';
import { JouleClient } from '@joule/node/client';
import { NodeStartError } from './errors.js';

/** How long every node of a fresh network has to answer `/status` after its process starts. */
export const startTimeoutMs = 60_000;
/** How long a node has to exit after SIGTERM before it is killed. */
export const stopTimeoutMs = 20_000;
/** The last bytes of a failed node's log quoted in its start error. */
const logTailBytes = 2_000;

export interface LocalNetworkOptions {
  /** Directory holding one home per node (`node0` …) and their logs (`node0.log` …). */
  readonly dir: string;
  readonly nodes: number;
  readonly validators: number;
  readonly topology: Topology;
  /** Node i listens for peers on basePort + 2i and serves its API on basePort + 2i + 1, on 127.0.0.1. */
  readonly basePort: number;
  readonly chainId: string;
  /** Most gas of one block, for the proposer and the application (see `TestnetOptions`). */
  readonly maxBlockGas?: number;
  /** config.toml settings for every node (timeouts, caches, log level). */
  readonly config?: ConfigOverrides;
  /** Arguments for every node process before the CLI script (`--max-old-space-size=…`). */
  readonly nodeArgs?: readonly string[];
  /** How long each node has to answer after its process starts, ms (default `startTimeoutMs`). */
  readonly startTimeoutMs?: number;
  /** How node `index` runs, when not as the others (a board profile, an arm64 Node under qemu). */
  readonly launch?: (index: number) => NodeLaunch | undefined;
  /**
   * Each node in a session and process group of its own, out of reach of the terminal's signals (a
   * Ctrl-C reaches every process of the foreground group, a closed terminal's hang-up the whole
   * session): the caller stops the nodes, with `stop()` or `killNow()`, whatever ends it.
   */
  readonly detached?: boolean;
}

/** How one node's process is started: `[...wrap, execPath, ...nodeArgs, cliPath, 'start', …]`. */
export interface NodeLaunch {
  /** The Node binary (default: the one running this). */
  readonly execPath?: string;
  /** Arguments before the Node binary: another program that runs it (`['taskset', '-c', '0']`). */
  readonly wrap?: readonly string[];
  /** Node's own flags, replacing the network's `nodeArgs`. */
  readonly nodeArgs?: readonly string[];
  /** The `joule` CLI script (default: @joule/node's; the board bundle is another). */
  readonly cliPath?: string;
}

export interface LocalNode {
  readonly index: number;
  readonly name: string;
  readonly home: string;
  readonly log: string;
  readonly validator: boolean;
  readonly api: string;
  readonly client: JouleClient;
  /** The process id of the node (not of a wrapper), once started. */
  pid(): number | undefined;
}

/** The `joule` CLI of @joule/node, next to its entry point. */
export function jouleCliPath(): string {
  return fileURLToPath(new URL('./cli/main.js', import.meta.resolve('@joule/node')));
}

/**
 * A Joule network on this machine as an operator runs one: homes written by `createTestnet` (the
 * code behind `joule testnet`), each node its own OS process started with `joule start --home`,
 * logs in files, libp2p and the API on 127.0.0.1. `stop()` sends SIGTERM and waits.
 */
export class LocalNetwork {
  readonly nodes: readonly LocalNode[];
  /** What `createTestnet` wrote for each node (peer id, listen address, persistent peers). */
  readonly testnet: readonly TestnetNode[];
  readonly #options: LocalNetworkOptions;
  readonly #procs: Map<number, ChildProcess>;
  readonly #exits = new Map<number, Promise<void>>();

  private constructor(
    options: LocalNetworkOptions,
    nodes: LocalNode[],
    testnet: TestnetNode[],
    procs: Map<number, ChildProcess>,
  ) {
    this.#options = options;
    this.nodes = nodes;
    this.testnet = testnet;
    this.#procs = procs;
  }

  /** Writes the homes (genesis with the market, node0 as its admin) under `options.dir`. */
  static async create(options: LocalNetworkOptions): Promise<LocalNetwork> {
    await mkdir(options.dir, { recursive: true });
    const made = await createTestnet({
      validators: options.validators,
      nodes: options.nodes,
      out: options.dir,
      topology: options.topology,
      basePort: options.basePort,
      chainId: options.chainId,
      addressPrefix: 'joule',
      denom: 'ujoule',
      appState: marketAppState,
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.maxBlockGas === undefined ? {} : { maxBlockGas: options.maxBlockGas }),
    });
    const procs = new Map<number, ChildProcess>();
    const nodes = made.map(
      (n, index): LocalNode => ({
        index,
        name: n.name,
        home: n.home,
        log: join(options.dir, `${n.name}.log`),
        validator: n.validator,
        api: n.api,
        client: new JouleClient({ url: n.api, timeoutMs: 15_000 }),
        pid: () => procs.get(index)?.pid,
      }),
    );
    return new LocalNetwork(options, nodes, made, procs);
  }

  /** Starts every node not running and waits until all answer `/status`. */
  async start(): Promise<void> {
    for (const node of this.nodes) if (!this.#procs.has(node.index)) this.#spawn(node);
    await Promise.all(this.nodes.map((n) => this.#waitReady(n)));
  }

  /** Starts one node (after `stopNode`, or a crash) and waits until it answers. */
  async startNode(index: number): Promise<void> {
    const node = this.#node(index);
    if (!this.#procs.has(index)) this.#spawn(node);
    await this.#waitReady(node);
  }

  /** SIGTERM to one node; resolves when it has exited (SIGKILL after `stopTimeoutMs`). */
  async stopNode(index: number): Promise<number | null> {
    const proc = this.#procs.get(index);
    if (proc === undefined) return null;
    const exited = this.#exits.get(index);
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
    return proc.exitCode;
  }

  /** Stops every node; resolves with their exit codes (0: a clean stop). */
  async stop(): Promise<(number | null)[]> {
    const codes = await Promise.all(this.nodes.map((n) => this.stopNode(n.index)));
    return codes;
  }

  /**
   * SIGKILL to every running node (to its process group when detached, so that a wrapper's child
   * goes too), at once and without waiting: for a caller that must exit now.
   */
  killNow(): void {
    for (const proc of this.#procs.values()) {
      const pid = proc.pid;
      if (pid === undefined) continue;
      try {
        process.kill(this.#options.detached === true ? -pid : pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /** True while a node's process runs. */
  running(index: number): boolean {
    return this.#procs.has(index);
  }

  #node(index: number): LocalNode {
    const node = this.nodes[index];
    if (node === undefined) throw new RangeError(`no node ${index} in a network of ${this.nodes.length}`);
    return node;
  }

  #spawn(node: LocalNode): void {
    const o = this.#options;
    const l = o.launch?.(node.index) ?? {};
    const execPath = l.execPath ?? process.execPath;
    const args = [
      ...(l.nodeArgs ?? o.nodeArgs ?? []),
      l.cliPath ?? jouleCliPath(),
      'start',
      '--home',
      node.home,
    ];
    const wrap = l.wrap ?? [];
    const [command, ...prefix] = wrap.length > 0 ? [...wrap, execPath] : [execPath];
    const log = createWriteStream(node.log, { flags: 'a' });
    const proc = spawn(command as string, [...prefix, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: o.detached === true,
    });
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    this.#procs.set(node.index, proc);
    this.#exits.set(
      node.index,
      new Promise<void>((resolve) => {
        proc.once('close', () => {
          this.#procs.delete(node.index);
          log.end();
          resolve();
        });
        proc.once('error', (err) => {
          log.write(`\n[joule pilot] could not start ${command}: ${err.message}\n`);
        });
      }),
    );
  }

  async #waitReady(node: LocalNode): Promise<void> {
    const timeoutMs = this.#options.startTimeoutMs ?? startTimeoutMs;
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (!this.#procs.has(node.index)) throw await this.#startError(node, 'its process exited');
      const up = await node.client.status().then(
        () => true,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw await this.#startError(node, `it did not answer ${node.api}/status within ${timeoutMs / 1000} s`);
  }

  async #startError(node: LocalNode, why: string): Promise<NodeStartError> {
    const text = await readFile(node.log, 'utf8').catch(() => '');
    return new NodeStartError(node.name, node.log, why, text.slice(-logTailBytes));
  }
}
