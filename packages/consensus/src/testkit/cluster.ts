/**
 * A small harness for focused driver tests: N validators of the real driver, engine, mempool,
 * evidence pool and double-sign guard on virtual time and a loss-free `SimNetwork`, with the
 * stores, WAL and signer store of each node exposed so a test can crash, roll back or reopen them.
 * The randomized simulator (`sim/`) covers faults broadly; this harness pins single rules.
 */
import type { Application } from '../app/application.js';
import { defaultConsensusParams, type Genesis } from '../chain/update-state.js';
import { addressOf } from '../crypto/address.js';
import { generateKeyPair, type KeyPair } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hash.js';
import { type CommittedEvent, ConsensusDriver, type DriverOptions } from '../driver/driver.js';
import type { ConsensusMessage } from '../driver/messages.js';
import type { Logger } from '../driver/ports.js';
import type { Timeouts } from '../engine/types.js';
import { EvidencePool } from '../evidence/pool.js';
import { Mempool } from '../mempool/mempool.js';
import { DoubleSignGuard } from '../signer/guard.js';
import { MemorySignerStore } from '../signer/memory-signer-store.js';
import type { SignerStore } from '../signer/signer-store.js';
import { SimulationError } from '../sim/errors.js';
import { KvApp, type KvDurable } from '../sim/kv-app.js';
import { MemoryChainStore } from '../sim/memory-chain-store.js';
import { SimNetwork } from '../sim/network.js';
import { SeededRng } from '../sim/rng.js';
import { VirtualTime } from '../sim/virtual-clock.js';
import { MemoryWal } from '../wal/memory-wal.js';
import type { Wal } from '../wal/wal.js';

export const genesisTime = 1_767_225_600_000; // 2026-01-01T00:00:00Z
export const chainId = 'joule-test';

/** Short timeouts (as the simulator's), so a height takes a few virtual seconds. */
export const fastTimeouts: Timeouts = {
  proposeMs: 1000,
  proposeDeltaMs: 500,
  prevoteMs: 500,
  prevoteDeltaMs: 250,
  precommitMs: 500,
  precommitDeltaMs: 250,
  commitMs: 1000,
};

/** `n` fixed key pairs (seed i+1 repeated), so every run has the same validators. */
export function testKeys(n: number): KeyPair[] {
  return Array.from({ length: n }, (_, i) => generateKeyPair(new Uint8Array(32).fill(i + 1)));
}

export function testGenesis(keys: readonly KeyPair[], powers?: readonly bigint[]): Genesis {
  return {
    chainId,
    genesisTime,
    initialHeight: 1,
    validators: keys.map((k, i) => ({ pubKey: k.publicKey, power: powers?.[i] ?? 1n })),
    consensusParams: defaultConsensusParams,
    appState: new Uint8Array(0),
  };
}

/** One macrotask turn: every microtask chain that does not wait for I/O has run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Counts the promises of wrapped dependencies still in flight, so a test on virtual time can wait
 * for real I/O (FileWal's fsyncs) before it moves time on: runs stay deterministic.
 */
export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();

  wrap<T extends object>(target: T): T {
    const pending = this.#pending;
    return new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(t, args);
          if (result instanceof Promise) {
            pending.add(result);
            const done = () => pending.delete(result);
            result.then(done, done);
          }
          return result;
        };
      },
    });
  }

  /** Waits until no wrapped call is in flight and the microtasks it fed have run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 10_000; i++) {
      await flush();
      if (this.#pending.size === 0) {
        await flush();
        if (this.#pending.size === 0) return;
      } else {
        await Promise.allSettled([...this.#pending]);
      }
    }
    throw new SimulationError('SIM_HARNESS', 'the nodes never went idle');
  }
}

/** An application that forwards every call to `inner` except those in `overrides`. */
export function delegateApp(inner: Application, overrides: Partial<Application> = {}): Application {
  return {
    info: () => inner.info(),
    initChain: (r) => inner.initChain(r),
    checkTx: (r) => inner.checkTx(r),
    prepareProposal: (r) => inner.prepareProposal(r),
    processProposal: (r) => inner.processProposal(r),
    finalizeBlock: (r) => inner.finalizeBlock(r),
    commit: () => inner.commit(),
    query: (r) => inner.query(r),
    ...overrides,
  };
}

export class TestNode {
  readonly name: string;
  readonly key: KeyPair;
  readonly address: Uint8Array;
  readonly store = new MemoryChainStore();
  /** The application's committed state; a test may replace it (a rolled-back disk). */
  kv: KvDurable = KvApp.empty();
  signerStore: SignerStore = new MemorySignerStore();
  wal: Wal = new MemoryWal();
  driver: ConsensusDriver | null = null;
  mempool: Mempool | null = null;
  guard: DoubleSignGuard | null = null;
  /** Warnings and infos the driver logged, as `message {fields}` lines. */
  readonly warnings: string[] = [];
  readonly infos: string[] = [];
  readonly committed: CommittedEvent[] = [];
  /** What this node ever signed and sent, per `h/r/type`; a second value is a double sign. */
  readonly signed = new Map<string, string>();
  readonly doubleSigns: string[] = [];
  #life = { alive: false };

  constructor(name: string, key: KeyPair) {
    this.name = name;
    this.key = key;
    this.address = addressOf(key.publicKey);
  }

  get alive(): boolean {
    return this.#life.alive;
  }

  /** A fresh life (the old one's timers and network endpoint go quiet). */
  newLife(): { alive: boolean } {
    this.kill();
    this.#life = { alive: true };
    return this.#life;
  }

  kill(): void {
    this.#life.alive = false;
  }

  recordSent(message: ConsensusMessage): void {
    const votes = message.kind === 'vote' ? [message.vote] : message.kind === 'votes' ? message.votes : [];
    for (const v of votes) {
      if (toHex(v.validatorAddress) !== toHex(this.address)) continue;
      this.#sign(`${v.height}/${v.round}/t${v.type}`, v.blockId === null ? 'nil' : toHex(v.blockId.hash));
    }
    if (message.kind === 'proposal') {
      const p = message.proposal;
      this.#sign(`${p.height}/${p.round}/proposal`, toHex(p.blockId.hash));
    }
  }

  #sign(key: string, value: string): void {
    const before = this.signed.get(key);
    if (before !== undefined && before !== value) this.doubleSigns.push(`${this.name} ${key}`);
    this.signed.set(key, value);
  }
}

export interface ClusterOptions {
  readonly validators: number;
  readonly powers?: readonly bigint[];
  /** Clock skew of each node, ms (default 0). */
  readonly skews?: readonly number[];
  readonly driver?: Partial<DriverOptions>;
  /** The application of a node at each start (default: a KvApp over `node.kv`). */
  readonly app?: (node: TestNode) => Application;
}

/** Validators on one virtual clock and a network that delivers everything within 5–20 ms. */
export class TestCluster {
  readonly time = new VirtualTime(genesisTime);
  readonly io = new InFlight();
  readonly net: SimNetwork;
  readonly keys: KeyPair[];
  readonly genesis: Genesis;
  readonly nodes: TestNode[];
  readonly #o: ClusterOptions;

  constructor(options: ClusterOptions) {
    this.#o = options;
    this.keys = testKeys(options.validators);
    this.genesis = testGenesis(this.keys, options.powers);
    this.nodes = this.keys.map((k, i) => new TestNode(`v${i}`, k));
    this.net = new SimNetwork(this.time, new SeededRng(7), {
      minDelayMs: 5,
      maxDelayMs: 20,
      maxDelayAfterGstMs: 20,
      dropRate: 0,
      duplicateRate: 0,
      gstMs: 0,
      partitions: [],
    });
  }

  node(name: string): TestNode {
    const node = this.nodes.find((n) => n.name === name);
    if (node === undefined) throw new SimulationError('SIM_HARNESS', `no node ${name}`);
    return node;
  }

  async startAll(): Promise<void> {
    for (const node of this.nodes) await this.start(node);
  }

  /** Starts (or restarts) `node` over its current stores, WAL, signer store and app state. */
  async start(node: TestNode): Promise<void> {
    const life = node.newLife();
    const alive = () => life.alive;
    const index = this.nodes.indexOf(node);
    const transport = this.net.attach(node.name, alive, (m) => node.recordSent(m));
    const app = this.io.wrap(this.#o.app?.(node) ?? new KvApp(node.kv));
    const store = node.store;
    const mempool = new Mempool({}, { app });
    const evidence = new EvidencePool(
      {},
      {
        chainId,
        chain: store,
      },
    );
    const guard = new DoubleSignGuard(
      { chainId },
      { store: this.io.wrap(node.signerStore), secretKey: node.key.secretKey },
    );
    await guard.init();
    const line = (message: string, fields: Record<string, unknown>) =>
      `${message} ${JSON.stringify(fields, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`;
    const logger: Logger = {
      debug() {},
      info: (fields, message) => {
        if (life.alive) node.infos.push(line(message, fields));
      },
      warn: (fields, message) => {
        if (life.alive) node.warnings.push(line(message, fields));
      },
    };
    const driver = new ConsensusDriver(
      { timeouts: fastTimeouts, ...this.#o.driver },
      {
        genesis: this.genesis,
        app,
        store,
        wal: this.io.wrap(node.wal),
        transport,
        clock: this.time.clockFor(this.#o.skews?.[index] ?? 0, alive),
        signer: {
          address: node.address,
          signVote: (v) => guard.signVote(v),
          signProposal: (p) => guard.signProposal(p),
          lastSigned: () => guard.lastSigned(),
        },
        mempool,
        evidence,
        logger,
      },
    );
    driver.onCommit((event) => {
      if (life.alive) node.committed.push(event);
    });
    node.driver = driver;
    node.mempool = mempool;
    node.guard = guard;
    await driver.start();
    await this.io.settle();
  }

  /** Stops `node` between two inputs: no timer or message reaches it until it starts again. */
  async stop(node: TestNode): Promise<void> {
    const driver = node.driver;
    node.kill();
    node.driver = null;
    node.mempool = null;
    await driver?.stop();
    await this.io.settle();
  }

  /** Runs virtual time until `done()` holds; false if it does not within `maxMs` of virtual time. */
  async runUntil(done: () => boolean, maxMs: number): Promise<boolean> {
    const deadline = this.time.now + maxMs;
    for (;;) {
      await this.io.settle();
      if (done()) return true;
      if (!this.time.runNext(deadline)) return done();
    }
  }

  /** Runs every event of the next `ms` of virtual time. */
  async runFor(ms: number): Promise<void> {
    await this.runUntil(() => false, ms);
  }

  /** Store height of each node. */
  heights(): number[] {
    return this.nodes.map((n) => n.store.height());
  }

  minHeight(): number {
    return Math.min(...this.heights());
  }
}
