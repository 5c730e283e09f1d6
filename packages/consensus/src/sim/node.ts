import type { Application, ProcessProposalRequest } from '../app/application.js';
import type { Genesis } from '../chain/update-state.js';
import { addressOf } from '../crypto/address.js';
import type { KeyPair } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hash.js';
import type { Clock } from '../driver/clock.js';
import { type CommittedEvent, ConsensusDriver, type DriverOptions } from '../driver/driver.js';
import type { Logger, Signer } from '../driver/ports.js';
import type { Transport } from '../driver/transport.js';
import { EvidencePool } from '../evidence/pool.js';
import { Mempool } from '../mempool/mempool.js';
import { DoubleSignGuard } from '../signer/guard.js';
import { MemorySignerStore } from '../signer/memory-signer-store.js';
import type { DuplicateVoteEvidence } from '../vote/evidence.js';
import { MemoryWal } from '../wal/memory-wal.js';
import { KvApp, type KvDurable } from './kv-app.js';
import { MemoryChainStore } from './memory-chain-store.js';

/** One run of a node between a start and a crash. Dead incarnations freeze: their calls never return. */
export class Incarnation {
  alive = true;
  #opsLeft: number | null;
  readonly #onDeath: () => void;

  constructor(crashAfterOps: number | null, onDeath: () => void) {
    this.#opsLeft = crashAfterOps;
    this.#onDeath = onDeath;
  }

  /** A durable operation completed; a planned crash may strike right after it. */
  tick(): void {
    if (this.#opsLeft === null || !this.alive) return;
    this.#opsLeft--;
    if (this.#opsLeft <= 0) this.kill();
  }

  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    this.#onDeath();
  }
}

/**
 * A promise that never settles, new for each call: a dead incarnation's driver waits on it forever.
 * It must not be shared: whatever awaits a promise stays reachable from it, and a module-level one
 * would keep every crashed driver (and through it its node, network and whole seed) alive until
 * the process ends. A fresh one is garbage as soon as the dead driver is.
 */
const never = (): Promise<never> => new Promise<never>(() => {});

/**
 * Wraps a dependency so that a dead incarnation cannot touch it again, and counts the durable
 * operations named in `durable` (a crash is planned as "after the k-th durable operation", which
 * lands between any two steps of the driver — for example after the signer state is saved and
 * before the vote is sent).
 */
export function fence<T extends object>(
  target: T,
  life: Incarnation,
  durable: (method: string, args: unknown[]) => boolean,
): T {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!life.alive) return never();
        const result = (value as (...a: unknown[]) => unknown).apply(t, args);
        if (!(result instanceof Promise)) return result;
        return result.then((r) => {
          if (!life.alive) return never();
          if (durable(String(prop), args)) life.tick();
          return r;
        });
      };
    },
  });
}

export interface SimNodeOptions {
  readonly name: string;
  readonly key: KeyPair | null;
  readonly genesis: Genesis;
  readonly driver: Partial<DriverOptions>;
  readonly clock: (alive: () => boolean) => Clock;
  readonly transport: (alive: () => boolean) => Transport;
  readonly logger?: Logger;
  /**
   * The application under test, made anew at every start (`incarnation` counts them). It must
   * keep its committed state across calls, as a real one keeps it on disk; the default is `KvApp`.
   */
  readonly app?: (incarnation: number) => Application;
  /** Told of every block this node commits (the adaptive network adversary watches decisions). */
  readonly onDecide?: (height: number, hash: string) => void;
  /** The simulated time, to record when each height was decided (default: no times). */
  readonly now?: () => number;
  /** Blocks the default application keeps (its `commit` asks to prune older ones; default: all). */
  readonly retainBlocks?: number;
}

/**
 * A simulated node: the real driver, engine, mempool, evidence pool and double-sign guard, on
 * in-memory stores. Its durable state (chain store, signer state, WAL's synced records, the app's
 * committed state) survives `crash()`; everything else is rebuilt by `start()`.
 */
export class SimNode {
  readonly name: string;
  readonly store = new MemoryChainStore();
  readonly signerStore = new MemorySignerStore();
  readonly kv: KvDurable = KvApp.empty();
  wal = new MemoryWal();
  life: Incarnation = new Incarnation(null, () => {});
  driver: ConsensusDriver | null = null;
  mempool: Mempool | null = null;
  /** Block hash decided at each height (kept across crashes: what this node ever decided). */
  readonly decisions = new Map<number, string>();
  readonly evidence: DuplicateVoteEvidence[] = [];
  readonly committed: CommittedEvent[] = [];
  /** Blocks this node's application accepted in processProposal (for the validity check). */
  readonly accepted = new Set<string>();
  /** Blocks it rejected there: a correct validator never votes for one. */
  readonly rejected = new Set<string>();
  /** When (simulated ms) and in which round this node decided each height. */
  readonly decidedAt = new Map<number, { readonly at: number; readonly round: number }>();
  conflicts = 0;
  crashes = 0;
  /** Restarts that found the WAL gone while the signer state survived. */
  walLosses = 0;
  /** Why a restart failed (the driver refused to start): the node stays down. */
  halted: string | null = null;
  #loseWal = false;
  readonly #o: SimNodeOptions;
  #transport: Transport | null = null;

  constructor(options: SimNodeOptions) {
    this.name = options.name;
    this.#o = options;
  }

  /** The validator address, or null for a node that only follows. */
  get address(): Uint8Array | null {
    return this.#o.key === null ? null : addressOf(this.#o.key.publicKey);
  }

  get running(): boolean {
    return this.life.alive && this.driver !== null;
  }

  async start(crashAfterOps: number | null, onCrash: () => void): Promise<void> {
    const life = new Incarnation(crashAfterOps, () => {
      this.#crashed();
      onCrash();
    });
    this.life = life;
    const alive = () => life.alive;
    const durableOp = (method: string, args: unknown[]) =>
      method === 'save' ||
      method === 'saveBlock' ||
      method === 'commit' ||
      method === 'startHeight' ||
      (method === 'append' && (args[1] as { sync?: boolean } | undefined)?.sync === true);
    const store = fence(this.store, life, durableOp);
    const app = fence(
      this.#acceptTracking(
        this.#o.app?.(this.crashes) ??
          new KvApp(
            this.kv,
            this.#o.retainBlocks === undefined ? {} : { retainBlocks: this.#o.retainBlocks },
          ),
      ),
      life,
      durableOp,
    );
    const wal = fence(this.wal, life, durableOp);
    const signerStore = fence(this.signerStore, life, durableOp);
    const clock = this.#o.clock(alive);
    const transport = this.#o.transport(alive);
    this.#transport = transport;
    const mempool = new Mempool({}, { app });
    this.mempool = mempool;
    const chainId = this.#o.genesis.chainId;
    const evidence = new EvidencePool(
      {},
      {
        chainId,
        chain: store,
      },
    );
    let signer: Signer | null = null;
    if (this.#o.key !== null) {
      const guard = new DoubleSignGuard(
        { chainId },
        { store: signerStore, secretKey: this.#o.key.secretKey },
      );
      await guard.init();
      signer = {
        address: addressOf(this.#o.key.publicKey),
        signVote: (v) => guard.signVote(v),
        signProposal: (p) => guard.signProposal(p),
        lastSigned: () => guard.lastSigned(),
      };
    }
    const driver = new ConsensusDriver(this.#o.driver, {
      genesis: this.#o.genesis,
      app,
      store,
      wal,
      transport,
      clock,
      signer,
      mempool,
      evidence,
      ...(this.#o.logger ? { logger: this.#o.logger } : {}),
    });
    driver.onCommit((event) => {
      if (!life.alive) return;
      const h = event.block.header.height;
      const hash = toHex(event.commit.blockId.hash);
      const before = this.decisions.get(h);
      if (before !== undefined && before !== hash) this.conflicts++;
      this.decisions.set(h, hash);
      if (this.#o.now !== undefined && !this.decidedAt.has(h) && this.decidedAt.size < 10_000)
        this.decidedAt.set(h, { at: this.#o.now(), round: event.commit.round });
      if (this.committed.length < 10_000) this.committed.push(event);
      this.#o.onDecide?.(h, hash);
    });
    driver.onEvidence((e) => {
      if (life.alive && this.evidence.length < 1_000) this.evidence.push(e);
    });
    this.driver = driver;
    try {
      await driver.start();
    } catch (error) {
      // A driver that refuses to start (for example after finding its WAL behind its signer) stays
      // down: that is the node stopping loudly, which the liveness check then leaves out.
      if (!life.alive) return;
      this.halted = String(error);
      this.driver = null;
      life.alive = false;
    }
  }

  #acceptTracking(app: Application): Application {
    const accepted = this.accepted;
    const rejected = this.rejected;
    return new Proxy(app, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop !== 'processProposal' || typeof value !== 'function') {
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (request: ProcessProposalRequest) => {
          const verdict = await (value as Application['processProposal']).call(target, request);
          if (verdict === 'accept' && accepted.size < 100_000) accepted.add(toHex(request.hash));
          if (verdict === 'reject' && rejected.size < 100_000) rejected.add(toHex(request.hash));
          return verdict;
        };
      },
    });
  }

  /**
   * A power cut: volatile state and unsynced WAL records are lost. With `loseWal` the whole WAL
   * is lost (a replaced disk, a wiped data directory) while the signer state survives.
   */
  crash(options: { readonly loseWal?: boolean } = {}): void {
    if (options.loseWal === true) this.#loseWal = true;
    this.life.kill();
  }

  /** The next crash, whenever it comes (a planned one included), loses the whole WAL. */
  loseWalOnNextCrash(): void {
    this.#loseWal = true;
  }

  #crashed(): void {
    this.crashes++;
    this.driver = null;
    this.mempool = null;
    this.wal = this.wal.crash();
    if (this.#loseWal) {
      this.#loseWal = false;
      this.walLosses++;
      this.wal = new MemoryWal();
    }
  }

  /** Submits a transaction to this node's mempool and gossips it to everyone (best effort). */
  async submit(tx: Uint8Array): Promise<boolean> {
    const mempool = this.mempool;
    if (!this.running || mempool === null) return false;
    try {
      await mempool.add(tx);
      return true;
    } catch {
      return false;
    }
  }

  get transport(): Transport | null {
    return this.#transport;
  }
}
