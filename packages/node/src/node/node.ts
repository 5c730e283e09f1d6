import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import v8 from 'node:v8';
import {
  addressOf,
  type ChainState,
  ConsensusDriver,
  type ConsensusHaltError,
  DoubleSignGuard,
  EvidencePool,
  FileSignerStore,
  FileWal,
  Mempool,
  type Signer,
  signatureCacheStats,
  toHex,
  txHash,
} from '@joule/consensus';
import {
  type AccountKeeper,
  App,
  type AppOptions,
  ClassicKvStore,
  LevelChainStore,
  type Module,
  PendingWrites,
  parseAppState,
  verifiedTxCacheStats,
} from '@joule/state';
import type { Logger as Pino } from 'pino';
import type { ApiContext } from '../api/context.js';
import { loadDashboard } from '../api/dashboard.js';
import { authenticatedQueryPaths, compileModuleRoutes } from '../api/module-routes.js';
import { ApiServer } from '../api/server.js';
import { SignedQueryGuard } from '../api/signed-queries.js';
import {
  bytesPerSeenHash,
  bytesPerVerdict,
  defaultProfile,
  heapLimitWarnFactor,
  idleCollectionMaxCpuShare,
  maxCommitWaiters,
} from '../constants.js';
import { GenesisFileError, NodeInputError } from '../errors.js';
import { applyOverrides, dbOptions, stateCacheOptions } from '../home/config.js';
import type { ConfigOverrides, NodeConfig } from '../home/config-schema.js';
import { type Home, loadHome } from '../home/home.js';
import { peerIdOf } from '../home/key-files.js';
import { HomeLock } from '../home/lock.js';
import { budgetOf, profileOf } from '../home/profile.js';
import { createLoggers, type NodeLoggers } from '../log/logger.js';
import { NodeMetrics } from '../metrics/metrics.js';
import { type NetworkFactory, type NetworkService, observedTransport } from '../network/network.js';
import { defaultNetwork } from '../network/p2p.js';
import { nodeClock } from './clock.js';
import { DiskWatchKvStore } from './disk-watch.js';
import { IdleCollection, memoryReducingCollection } from './idle-collection.js';

/** The appchain a node runs, beyond its modules. */
export interface AppSpec {
  /** Bech32 prefix of addresses (`lic` gives `lic1…`), given to every module context and genesis parse. */
  readonly addressPrefix: string;
  /** The nonce keeper of the ante checks (the auth module's keeper: `coreModules().accounts`). */
  readonly accounts: AccountKeeper;
  /** Options of `App` (gas limits). Retention and the node cache come from config.toml. */
  readonly options?: Omit<
    AppOptions,
    | 'retainBlocks'
    | 'pruneIntervalBlocks'
    | 'nodeCacheBytes'
    | 'nodeCacheEntries'
    | 'valueCacheBytes'
    | 'verifiedTxCacheBytes'
  >;
  /** Version string reported by /status. */
  readonly version?: string;
}

export interface NodeOptions {
  /** The home directory (config/, data/, keyring/). */
  readonly home: string;
  /** Laid over config.toml (tests: `{ api: { listen: '127.0.0.1:0' } }`). */
  readonly config?: ConfigOverrides;
  /** Where logs go (default stdout). */
  readonly logDestination?: NodeJS.WritableStream;
}

export interface NodeDependencies {
  readonly app: AppSpec;
  /** The modules, in registration order (core modules first). */
  readonly modules: readonly Module[];
  /** The network (default: @joule/p2p when available, else standalone). */
  readonly network?: NetworkFactory;
}

/** A running Joule node: consensus, mempool, stores, network, API and metrics as one `Startable`. */
export interface JouleNode {
  readonly home: Home;
  readonly config: NodeConfig;
  readonly log: NodeLoggers;
  /** `http://127.0.0.1:port` of the API once started ('' when disabled). */
  readonly apiUrl: string;
  readonly running: boolean;
  /**
   * Why consensus stopped the node for good (an application that threw, a block that could not
   * be committed, a WAL that does not match the signer state), or null. The node stops itself then.
   */
  readonly halted: ConsensusHaltError | null;
  /** Height of the last committed block. */
  height(): number;
  start(): Promise<void>;
  /** Resolves when the node has stopped (after `stop()`, from whatever called it). */
  stopped(): Promise<void>;
  /** Stops accepting txs, stops consensus, flushes and closes stores, releases the home. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Loads and validates the home (config, genesis, keys, the app state against the modules) and
 * returns a node, not started. Every problem with the inputs is a `NodeInputError` whose message
 * is one line naming the file and the fix.
 */
export async function createNode(options: NodeOptions, deps: NodeDependencies): Promise<JouleNode> {
  const loaded = await loadHome(options.home);
  const config =
    options.config === undefined
      ? loaded.config
      : applyOverrides(loaded.config, options.config, 'options.config');
  const home: Home = { ...loaded, config };
  try {
    parseAppState(home.genesis.appState, deps.modules, deps.app.addressPrefix);
  } catch (error) {
    throw new GenesisFileError(
      home.paths.genesis,
      `app_state: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  compileModuleRoutes(deps.modules);
  return new Node(home, deps, await createLoggers(config.log, options.logDestination));
}

type Cleanup = () => Promise<void> | void;

/**
 * The genesis a home's data was made from stays the genesis: its SHA-256 is written to
 * `data/genesis.sha256` at the first start and compared at every later one (as CometBFT does), so
 * an edited or replaced genesis.json is refused instead of silently diverging from the chain.
 */
async function checkGenesisHash(paths: Home['paths'], hasData: boolean): Promise<void> {
  const hash = createHash('sha256')
    .update(await readFile(paths.genesis))
    .digest('hex');
  const stored = await readFile(paths.genesisHash, 'utf8').then(
    (t) => t.trim(),
    () => undefined,
  );
  if (stored === undefined) {
    await writeFile(paths.genesisHash, `${hash}\n`, { mode: 0o600 });
    return;
  }
  if (stored !== hash)
    throw new NodeInputError(
      'GENESIS_CHANGED',
      paths.genesis,
      `genesis.json has changed since this home's data was made from it (sha256 ${hash.slice(0, 16)}…, the data's ${stored.slice(0, 16)}…${hasData ? '' : ', no block yet'})`,
      `put back the genesis.json the chain started with, or start over from this one with \`joule unsafe-reset-all --home ${paths.home} --yes\``,
    );
}

class Node implements JouleNode {
  readonly config: NodeConfig;
  #running = false;
  #starting: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;
  #accepting = false;
  #cleanups: Cleanup[] = [];
  #driver: ConsensusDriver | null = null;
  #halted: ConsensusHaltError | null = null;
  #api: ApiServer | null = null;
  #waiters = new Map<string, Set<(height: number | null) => void>>();
  readonly #log: Pino;
  #stoppedWaiters: (() => void)[] = [];

  constructor(
    readonly home: Home,
    private readonly deps: NodeDependencies,
    readonly log: NodeLoggers,
  ) {
    this.config = home.config;
    this.#log = log.for('node');
  }

  get apiUrl(): string {
    return this.#api?.url ?? '';
  }
  get running(): boolean {
    return this.#running;
  }
  get halted(): ConsensusHaltError | null {
    return this.#halted;
  }
  height(): number {
    return this.#driver?.chainState ? this.#driver.chainState.lastBlockHeight : 0;
  }

  stopped(): Promise<void> {
    if (!this.#running && this.#starting === null) return Promise.resolve();
    return new Promise((resolve) => this.#stoppedWaiters.push(resolve));
  }

  start(): Promise<void> {
    if (this.#running) return Promise.resolve();
    this.#starting ??= this.#start().then(
      () => {
        this.#starting = null;
      },
      async (error: unknown) => {
        this.#starting = null;
        await this.#unwind();
        throw error;
      },
    );
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#halted = null;
    const { home } = this;
    const { config, paths, genesis } = home;
    const chainId = genesis.chainId;
    const profile = profileOf(config.node.profile);
    const heapLimit = v8.getHeapStatistics().heap_size_limit;
    const heapBudget = profile.memory.v8OldSpaceBytes + profile.memory.v8YoungGenerationBytes;
    // The default profile runs wherever Node runs, with or without the unit's flags: only the
    // profiles of small machines expect them.
    if (profile.name !== defaultProfile && heapLimit > heapBudget * heapLimitWarnFactor)
      this.#log.warn(
        { profile: profile.name, heapLimitBytes: heapLimit, budgetBytes: heapBudget },
        `V8's heap limit is above the ${profile.name} profile's budget: run node with --max-old-space-size=${profile.memory.v8OldSpaceBytes / 2 ** 20} --max-semi-space-size=${profile.memory.v8YoungGenerationBytes / 3 / 2 ** 20}`,
      );
    const collect = profile.timers.idleCollectionDelayMs > 0 ? memoryReducingCollection() : null;
    if (profile.timers.idleCollectionDelayMs > 0 && collect === null)
      this.#log.warn(
        { profile: profile.name },
        `Node runs without --expose-gc: the ${profile.name} profile's memory-reducing collection after a commit is off (run node with --expose-gc, as the systemd unit does)`,
      );
    const lock = new HomeLock(paths.lock, paths.home);
    await lock.acquire();
    this.#cleanups.push(() => lock.release());

    const kv = new DiskWatchKvStore(new ClassicKvStore(dbOptions(config, paths.db)), (error) =>
      this.#onHalt(error),
    );
    await kv.start();
    this.#cleanups.push(() => kv.stop());
    const pending = new PendingWrites();
    const store = new LevelChainStore({}, { kv, pending });
    await store.start();
    this.#cleanups.push(() => store.stop());
    const app = new App(
      {
        ...this.deps.app.options,
        retainBlocks: config.state.retain_blocks,
        pruneIntervalBlocks: config.state.prune_interval_blocks,
        ...stateCacheOptions(config),
        verifiedTxCacheBytes: config.state.verified_tx_cache_bytes,
        ...(this.deps.app.version === undefined ? {} : { version: this.deps.app.version }),
      },
      {
        kv,
        modules: this.deps.modules,
        accounts: this.deps.app.accounts,
        pending,
        addressPrefix: this.deps.app.addressPrefix,
      },
    );
    await app.start();
    this.#cleanups.push(() => app.stop());
    const stored: ChainState | null = await store.loadState();
    if (stored !== null && stored.chainId !== chainId) {
      throw new NodeInputError(
        'CHAIN_MISMATCH',
        paths.db,
        `the data belongs to chain "${stored.chainId}" but genesis.json is for "${chainId}"`,
        'use the home of that chain, or start this chain in a new home',
      );
    }

    await checkGenesisHash(paths, stored !== null);

    const wal = await FileWal.open({
      dir: paths.wal,
      maxSegmentBytes: config.wal.max_segment_bytes,
      maxSegments: config.wal.max_segments,
    });
    this.#cleanups.push(() => wal.close());
    if (wal.recovered.truncated !== null)
      this.#log.warn({ truncated: wal.recovered.truncated }, 'cut a torn tail off the WAL');

    const guard = new DoubleSignGuard(
      { chainId },
      { store: new FileSignerStore({ path: paths.signerState }), secretKey: home.validatorKey.secretKey },
    );
    await guard.init();
    const signer: Signer = {
      address: addressOf(home.validatorKey.publicKey),
      signVote: (v) => guard.signVote(v),
      signProposal: (p) => guard.signProposal(p),
      lastSigned: () => guard.lastSigned(),
    };
    const mempool = new Mempool(
      {
        maxTxs: config.mempool.max_txs,
        maxBytes: config.mempool.max_bytes,
        maxTxBytes: config.mempool.max_tx_bytes,
        cacheSize: config.mempool.cache_size,
      },
      // A backlog of checks gives the event loop back every few checks (votes, proposals, timeouts).
      { app, yieldToHost: () => nextTurn() },
    );
    const evidence = new EvidencePool(
      {
        maxAgeBlocks: genesis.consensusParams.evidenceMaxAgeBlocks,
        maxAgeMs: genesis.consensusParams.evidenceMaxAgeMs,
      },
      {
        chainId,
        chain: store,
      },
    );

    const nodeId = peerIdOf(home.nodeKey.publicKey);
    const network: NetworkService = await (this.deps.network ?? defaultNetwork)({
      config: config.p2p,
      profile,
      configFile: paths.config,
      chainId,
      nodeKey: home.nodeKey,
      nodeId,
      mempool,
      evidence,
      store,
      app,
      logger: this.log.for('p2p'),
    });
    const metrics = config.metrics.enabled
      ? new NodeMetrics({
          // The budget as config.toml enforces it: a cache set larger than its profile's is
          // reported against the bound it fills towards.
          profile: { ...profile, memory: budgetOf(config, profile) },
          mempool: () => ({ txs: mempool.size(), bytes: mempool.bytes() }),
          peers: () => network.peers().length,
          networkBytes: () => network.bytes(),
          caches: () => ({
            mempoolCacheBytes: mempool.seenCacheStats().entries * bytesPerSeenHash,
            stateNodeCacheBytes: app.store.cacheBytes,
            stateValueCacheBytes: app.store.valueCacheBytes,
            verifiedTxCacheBytes: verifiedTxCacheStats().bytes,
            verifiedSignatureCacheBytes: signatureCacheStats().verified.bytes,
            ...(network.seenEntries === undefined
              ? {}
              : { p2pSeenCacheBytes: network.seenEntries() * bytesPerSeenHash }),
            ...(network.verdictEntries === undefined
              ? {}
              : { p2pVerdictCacheBytes: network.verdictEntries() * bytesPerVerdict }),
            ...(network.invalidSignatureBytes === undefined
              ? {}
              : { p2pInvalidSignatureCacheBytes: network.invalidSignatureBytes() }),
          }),
        })
      : null;
    const transport = observedTransport(network.transport, (peer) => metrics?.invalidMessage(peer));
    const c = config.consensus;
    const offsetMs = config.testing.clock_offset_ms;
    if (offsetMs !== 0)
      this.#log.warn(
        { clock_offset_ms: offsetMs },
        `[testing] clock_offset_ms is set: consensus reads a clock ${Math.abs(offsetMs)} ms ${offsetMs > 0 ? 'ahead' : 'behind'}; keep 0 outside fault-injection tests`,
      );
    const clock = nodeClock(offsetMs);
    const driver = new ConsensusDriver(
      {
        timeouts: {
          proposeMs: c.timeout_propose_ms,
          proposeDeltaMs: c.timeout_propose_delta_ms,
          prevoteMs: c.timeout_prevote_ms,
          prevoteDeltaMs: c.timeout_prevote_delta_ms,
          precommitMs: c.timeout_precommit_ms,
          precommitDeltaMs: c.timeout_precommit_delta_ms,
          commitMs: c.timeout_commit_ms,
        },
        createEmptyBlocks: c.create_empty_blocks,
        createEmptyBlocksIntervalMs: c.create_empty_blocks_interval_ms,
        proofBlockDelayMs: c.proof_block_delay_ms,
        skipTimeoutCommit: c.skip_timeout_commit,
        rebroadcastMs: c.rebroadcast_ms,
      },
      {
        genesis,
        app,
        store,
        wal,
        transport,
        clock,
        signer,
        mempool,
        evidence,
        logger: this.log.for('consensus'),
      },
    );
    const idle =
      collect === null
        ? null
        : new IdleCollection(profile.timers.idleCollectionDelayMs, {
            collect,
            busy: () => mempool.size() > 0,
            now: () => performance.now(),
            maxCpuShare: idleCollectionMaxCpuShare,
            collected: () => metrics?.idleCollected(),
            failed: (error) => this.#log.warn({ error: String(error) }, 'the idle collection failed'),
          });
    if (idle !== null) this.#cleanups.push(() => idle.stop());
    driver.onCommit((event) => {
      metrics?.committed(event);
      idle?.committed();
      const height = event.block.header.height;
      // Nobody waits for a commit (no /broadcast_tx_commit open): no transaction is hashed for it.
      if (this.#waiters.size === 0) return;
      for (const tx of event.block.txs) {
        const key = toHex(txHash(tx));
        const waiting = this.#waiters.get(key);
        if (waiting === undefined) continue;
        this.#waiters.delete(key);
        for (const resolve of waiting) resolve(height);
      }
    });
    this.#driver = driver;
    this.#cleanups.push(driver.onHalt((error) => this.#onHalt(error)));

    if (config.api.enabled) {
      const ctx: ApiContext = {
        chainId,
        moniker: config.moniker,
        version: this.deps.app.version ?? '0.1.0',
        addressPrefix: this.deps.app.addressPrefix,
        validatorPubKey: home.validatorKey.publicKey,
        app,
        store,
        mempool,
        network,
        metrics,
        moduleRoutes: compileModuleRoutes(this.deps.modules),
        authenticatedQueryPaths: authenticatedQueryPaths(this.deps.modules),
        signedQueries: new SignedQueryGuard(() =>
          this.#running && driver.chainState.lastBlockHeight > 0 ? driver.chainState.lastBlockTime : null,
        ),
        maxTxBytes: config.mempool.max_tx_bytes,
        commitTimeoutMs: config.api.broadcast_tx_commit_timeout_ms,
        chainState: () => (this.#running ? driver.chainState : null),
        accepting: () => this.#accepting,
        submitTx: (tx) => network.submitTx(tx),
        waitForCommit: (hash, timeoutMs) => this.#waitForCommit(hash, timeoutMs),
      };
      const api = new ApiServer(
        {
          listen: config.api.listen,
          maxBodyBytes: config.api.max_body_bytes,
          requestTimeoutMs: config.api.request_timeout_ms,
          maxConnections: config.api.max_connections,
          configFile: paths.config,
          ...(config.api.ui ? { dashboardHtml: await loadDashboard(paths.config) } : {}),
        },
        ctx,
        this.log.for('api'),
      );
      // Bound before consensus starts: a port in use stops the start before any block is made.
      await api.start();
      this.#api = api;
      this.#cleanups.push(() => api.stop());
    }
    network.attach(driver);
    this.#cleanups.push(() => driver.stop());
    await network.start();
    await driver.start();
    // The network stops first: block sync must not restart consensus once the node is stopping.
    this.#cleanups.push(() => network.stop());
    metrics?.setHeight(driver.chainState.lastBlockHeight);
    metrics?.start();
    this.#cleanups.push(() => metrics?.stop());

    this.#running = true;
    this.#accepting = true;
    this.#log.info(
      {
        chainId,
        nodeId,
        height: driver.chainState.lastBlockHeight,
        api: this.apiUrl,
        p2p: network.listenAddresses(),
        persistentPeers: config.p2p.persistent_peers.length,
      },
      'node started',
    );
  }

  /** Consensus cannot go on: say why, loudly, and stop (the CLI then exits with a failure code). */
  #onHalt(error: ConsensusHaltError): void {
    if (this.#halted !== null) return;
    this.#halted = error;
    this.#log.fatal({ code: error.code, ...error.toJSON().context }, `consensus halted: ${error.message}`);
    this.stop().catch((stopError: unknown) =>
      this.#log.error({ error: String(stopError) }, 'stopping after the consensus halt failed'),
    );
  }

  #waitForCommit(hash: Uint8Array, timeoutMs: number): Promise<number | null> {
    const key = toHex(hash);
    let total = 0;
    for (const set of this.#waiters.values()) total += set.size;
    if (total >= maxCommitWaiters) return Promise.resolve(null);
    return new Promise((resolve) => {
      let set = this.#waiters.get(key);
      if (set === undefined) {
        set = new Set();
        this.#waiters.set(key, set);
      }
      const done = (height: number | null): void => {
        clearTimeout(timer);
        set.delete(settle);
        if (set.size === 0 && this.#waiters.get(key) === set) this.#waiters.delete(key);
        resolve(height);
      };
      const settle = (height: number | null): void => done(height);
      const timer = setTimeout(() => done(null), timeoutMs);
      set.add(settle);
    });
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#starting?.catch(() => {});
      this.#accepting = false;
      // The API goes first (it was bound first, before consensus, so its cleanup is unwound last).
      await this.#api?.stop().catch(() => {});
      for (const set of this.#waiters.values()) for (const resolve of [...set]) resolve(null);
      this.#waiters.clear();
      await this.#unwind();
      this.#running = false;
      this.#log.info({}, 'node stopped');
      for (const resolve of this.#stoppedWaiters.splice(0)) resolve();
    })().finally(() => {
      this.#stopping = null;
    });
    return this.#stopping;
  }

  /** Runs the cleanups in reverse order of start; every one runs even if another fails. */
  async #unwind(): Promise<void> {
    const cleanups = this.#cleanups.splice(0).reverse();
    let first: unknown = null;
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (error) {
        first ??= error;
        this.#log.error({ error: String(error) }, 'error while stopping');
      }
    }
    this.#api = null;
    this.#driver = null;
    if (first !== null) throw first;
  }
}
