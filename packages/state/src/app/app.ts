import { maxTxBytes } from '@joule/consensus';
import type { PendingWrites } from '../chain/pending-writes.js';
import {
  defaultPruneIntervalBlocks,
  defaultQueryFreshnessMs,
  defaultRetainBlocks,
  maxGenesisWrites,
} from '../constants.js';
import { StoreStateError } from '../errors.js';
import { type KvStore, WriteBatch } from '../kv/kv-store.js';
import { type PreparedVersion, VersionedStore } from '../store/versioned-store.js';
import type * as abci from './abci.js';
import { type AccountKeeper, limitVerifiedTxCache } from './ante.js';
import { answerQuery, mergeUpdates, proposalTxs } from './app-support.js';
import { Executor } from './executor.js';
import { GasMeter } from './gas.js';
import { parseGenesisAppState } from './genesis.js';
import { appSectionName } from './limits.js';
import type { BlockInfo, Module, QueryContext } from './module.js';
import { type ModuleRegistry, registerModules } from './registry.js';
import { type AppRecord, appTables, type BlockResults, type StoredTxResult } from './results.js';
import { MeteredState, ModuleState } from './state.js';
import { StateLayer, type StateReader } from './state-layer.js';
import { decodeTx, txHash } from './tx.js';
import { indexTxResults, pruneResults } from './tx-index.js';

/**
 * A node's own settings: none of them changes a transaction's result. The limits that do (gas,
 * hook budget, block writes) are chain-wide: genesis `app_state.app`, see `AppLimits`.
 */
export interface AppOptions {
  /** Freshness window of authenticated queries around the last block time, ms (default 5 min). */
  readonly queryFreshnessMs?: number;
  /** Heights of state and results to keep; 0 keeps all (default). */
  readonly retainBlocks?: number;
  /** Heights between prunings (default 100); `commit` asks consensus to prune at the same heights. */
  readonly pruneIntervalBlocks?: number;
  /** Memory of the tree node cache, bytes (default `defaultNodeCacheBytes`). */
  readonly nodeCacheBytes?: number;
  /** Most tree nodes cached (default `nodeCacheEntries`), a bound next to the bytes. */
  readonly nodeCacheEntries?: number;
  /** Memory of the cache of latest values, bytes (default `defaultValueCacheBytes`; 0: none). */
  readonly valueCacheBytes?: number;
  /**
   * Bytes of verified transactions remembered with their decoding (default `verifiedTxCacheBytes`).
   * The cache is the process's, shared by its apps: an app given a bound sets it for all of them.
   */
  readonly verifiedTxCacheBytes?: number;
  readonly version?: string;
}

export interface AppDependencies {
  readonly kv: KvStore;
  readonly modules: readonly Module[];
  /** Nonce keeping for the ante checks (the auth module's keeper). */
  readonly accounts: AccountKeeper;
  /** The chain store's staged writes, joined to every commit's batch. */
  readonly pending?: PendingWrites;
  /** Bech32 prefix of the chain's addresses, given to every context (default `joule`, as the core modules'). */
  readonly addressPrefix?: string;
}

interface Staged {
  readonly prepared: PreparedVersion;
  readonly time: number;
  readonly results: readonly StoredTxResult[];
  readonly block: BlockResults;
}

/**
 * A result with its place, kept from `finalizeBlock` to `commit`. A class, not a literal, so that
 * V8 allocates it young (see `Executed` in the executor).
 */
class IndexedResult implements StoredTxResult {
  constructor(
    readonly height: number,
    readonly index: number,
    readonly result: abci.ExecTxResult,
  ) {}
}

/** The application: consensus's `Application` over registered modules and the authenticated store. */
export class App implements abci.Application {
  readonly store: VersionedStore;
  /** Bech32 prefix of the chain's addresses (`AppDependencies.addressPrefix`). */
  readonly addressPrefix: string;
  private readonly kv: KvStore;
  private readonly modules: readonly Module[];
  private readonly registry: ModuleRegistry;
  private readonly names = new Map<Module, string>();
  private record: AppRecord | undefined;
  private genesis: StateLayer | undefined;
  private staged: Staged | undefined;
  /**
   * The hashes of the last proposal accepted, with its transactions array (one block's, as
   * consensus hands it to `finalizeBlock` once decided): a block is not hashed twice.
   */
  private proposalHashes: { readonly txs: readonly Uint8Array[]; readonly hashes: Uint8Array[] } | undefined;
  private checkLayer: StateLayer;
  private checks: { readonly record: AppRecord; readonly executor: Executor } | undefined;
  private readonly committed: StateReader;

  constructor(
    private readonly options: AppOptions,
    private readonly deps: AppDependencies,
  ) {
    this.kv = deps.kv;
    this.modules = deps.modules;
    this.addressPrefix = deps.addressPrefix ?? 'joule';
    this.registry = registerModules(deps.modules);
    // The names the modules were registered under: a module's `name` field could change later.
    for (const module of deps.modules) this.names.set(module, module.name);
    if (options.verifiedTxCacheBytes !== undefined) limitVerifiedTxCache(options.verifiedTxCacheBytes);
    this.store = new VersionedStore(
      {
        ...(options.nodeCacheBytes === undefined ? {} : { nodeCacheBytes: options.nodeCacheBytes }),
        ...(options.nodeCacheEntries === undefined ? {} : { nodeCacheEntries: options.nodeCacheEntries }),
        ...(options.valueCacheBytes === undefined ? {} : { valueCacheBytes: options.valueCacheBytes }),
      },
      { kv: deps.kv },
    );
    this.committed = {
      get: (k) => this.store.get(k),
      // The store's cache of latest values answers most reads without a promise.
      cached: (_k, id) => this.store.cachedValue(id),
      entries: (p, l, after) => this.store.entries(p, l, after),
    };
    this.checkLayer = new StateLayer(this.committed);
  }

  /** Opens the store (the key-value store must be started) and loads what the last commit left. */
  async start(): Promise<void> {
    await this.store.start();
    this.record = await appTables.record.get(this.kv, 'app');
  }

  async stop(): Promise<void> {
    await this.store.stop();
  }

  async info(): Promise<abci.AppInfo> {
    return {
      lastBlockHeight: this.store.version() ?? 0,
      lastBlockAppHash: this.store.rootHash(),
      version: this.options.version ?? '0.1.0',
    };
  }

  /**
   * Computes genesis and its app hash, writing nothing: genesis is committed with the first block.
   * Until then it may run again (the handshake calls it after a restart before block 1) and, being
   * a pure function of the request, gives the same app hash.
   */
  async initChain(request: abci.InitChainRequest): Promise<abci.InitChainResponse> {
    if (this.store.version() !== undefined)
      throw new StoreStateError('initChain on an application that already committed');
    const { limits, sections } = parseGenesisAppState(
      request.appStateBytes,
      this.modules,
      this.addressPrefix,
    );
    const record: AppRecord = {
      chainId: request.chainId,
      initialHeight: request.initialHeight,
      lastBlockTime: request.time,
      limits,
    };
    const layer = new StateLayer(this.committed, maxGenesisWrites);
    const block: BlockInfo = {
      chainId: request.chainId,
      height: request.initialHeight,
      time: request.time,
      proposer: new Uint8Array(20),
    };
    const updates: abci.ValidatorUpdate[] = [];
    for (const module of this.modules) {
      if (module.genesis === undefined) continue;
      const name = this.nameOf(module);
      const ctx = this.executor(record).blockContext(
        name,
        block,
        layer,
        new GasMeter(Number.MAX_SAFE_INTEGER),
      );
      await module.genesis.init({ ...ctx, validators: request.validators }, sections.get(name));
      updates.push(...ctx.updates);
    }
    const prepared = await this.store.prepare(request.initialHeight, layer.changes());
    this.record = record;
    this.genesis = layer;
    this.checkLayer = new StateLayer(layer);
    return { validators: mergeUpdates(updates), appHash: prepared.rootHash };
  }

  async checkTx(request: abci.CheckTxRequest): Promise<abci.CheckTxResponse> {
    const record = this.requireRecord();
    const block: BlockInfo = {
      chainId: record.chainId,
      height: (this.store.version() ?? 0) + 1,
      time: record.lastBlockTime,
      proposer: new Uint8Array(20),
    };
    return this.checkExecutor(record).checkTx(request.tx, block, this.checkLayer, request.kind, request.hash);
  }

  /** The signer's public key of a transaction that decodes (unverified), for the mempool's per-sender quota. */
  txSender(tx: Uint8Array): Uint8Array | undefined {
    try {
      return decodeTx(tx, maxTxBytes).body.signer;
    } catch {
      return undefined;
    }
  }

  async prepareProposal(request: abci.PrepareProposalRequest): Promise<abci.PrepareProposalResponse> {
    const record = this.requireRecord();
    const limits = { maxBytes: request.maxTxBytes, maxBlockGas: record.limits.maxBlockGas };
    return { txs: proposalTxs(request.txs, limits, record.chainId) };
  }

  async processProposal(request: abci.ProcessProposalRequest): Promise<abci.ProcessProposalResponse> {
    const record = this.requireRecord();
    const limits = { maxBytes: Number.MAX_SAFE_INTEGER, maxBlockGas: record.limits.maxBlockGas };
    const hashes: Uint8Array[] = [];
    const kept = proposalTxs(request.txs, limits, record.chainId, hashes);
    if (kept.length !== request.txs.length) return 'reject';
    this.proposalHashes = { txs: request.txs, hashes };
    return 'accept';
  }

  async finalizeBlock(request: abci.FinalizeBlockRequest): Promise<abci.FinalizeBlockResponse> {
    const record = this.requireRecord();
    const { header } = request.block;
    const expected = (this.store.version() ?? record.initialHeight - 1) + 1;
    if (header.height !== expected)
      throw new StoreStateError(`finalizeBlock at ${header.height}, expected ${expected}`);
    // The first block runs over genesis; its own writes count against the block's bound.
    const genesis = this.store.version() === undefined ? this.genesis : undefined;
    if (this.store.version() === undefined && genesis === undefined)
      throw new StoreStateError('initChain must run before the first block');
    const layer = new StateLayer(genesis ?? this.committed, record.limits.maxBlockWrites);
    const block: BlockInfo = {
      chainId: record.chainId,
      height: header.height,
      time: header.time,
      proposer: header.proposerAddress,
    };
    const events: abci.AppEvent[] = [];
    const updates: abci.ValidatorUpdate[] = [];
    const executor = this.executor();
    for (const module of this.modules)
      await executor.runHook(module, 'beginBlock', block, layer, events, updates, this.nameOf(module));
    const blockGas = { used: 0, limit: record.limits.maxBlockGas };
    const txResults: abci.ExecTxResult[] = [];
    // Each transaction hashed once: its execution, the verified-transaction cache and the results' index
    // use it; the block's own transactions array was hashed when the node accepted the proposal.
    const proposal = this.proposalHashes;
    this.proposalHashes = undefined;
    const hashes = proposal?.txs === request.block.txs ? proposal.hashes : request.block.txs.map(txHash);
    for (const [index, tx] of request.block.txs.entries())
      txResults.push(await executor.deliverTx(tx, block, layer, blockGas, hashes[index]));
    for (const module of this.modules)
      await executor.runHook(module, 'endBlock', block, layer, events, updates, this.nameOf(module));
    const changes = genesis === undefined ? layer.changes() : [...genesis.changes(), ...layer.changes()];
    const prepared = await this.store.prepare(header.height, changes);
    const validatorUpdates = mergeUpdates(updates);
    this.staged = {
      prepared,
      time: header.time,
      results: txResults.map((result, index) => new IndexedResult(header.height, index, result)),
      block: { height: header.height, txHashes: hashes, events, validatorUpdates },
    };
    return { txResults, events, validatorUpdates, appHash: prepared.rootHash };
  }

  async commit(): Promise<abci.CommitResponse> {
    const staged = this.staged;
    const record = this.requireRecord();
    if (staged === undefined) throw new StoreStateError('commit without a finalized block');
    const batch = new WriteBatch();
    await indexTxResults(this.kv, batch, staged.block.txHashes, staged.results);
    appTables.blockResults.put(batch, staged.prepared.version, staged.block);
    const next = { ...record, lastBlockTime: staged.time };
    appTables.record.put(batch, 'app', next);
    if (this.deps.pending !== undefined) batch.append(this.deps.pending.take());
    await this.store.commit(staged.prepared, batch.ops);
    this.deps.pending?.flushedAll();
    this.record = next;
    this.staged = undefined;
    this.genesis = undefined;
    this.checkLayer = new StateLayer(this.committed);
    return { retainHeight: await this.pruneIfDue(staged.prepared.version) };
  }

  /**
   * Every `pruneIntervalBlocks` heights (when `retainBlocks` > 0), prunes state versions and results
   * below `height - retainBlocks + 1` and returns that retain height, so that consensus prunes its
   * blocks at the same heights; 0 (nothing to prune) at every other height. Pruning in steps keeps
   * LevelDB from rewriting the pruned tables after every block.
   */
  private async pruneIfDue(height: number): Promise<number> {
    const retain = this.options.retainBlocks ?? defaultRetainBlocks;
    const retainHeight = retain > 0 ? Math.max(0, height - retain + 1) : 0;
    const interval = Math.max(1, this.options.pruneIntervalBlocks ?? defaultPruneIntervalBlocks);
    if (retainHeight <= this.store.base() || height % interval !== 0) return 0;
    await this.store.prune(retainHeight);
    await pruneResults(this.kv, retainHeight);
    return retainHeight;
  }

  async query(request: abci.QueryRequest): Promise<abci.QueryResponse> {
    const latest = this.store.version() ?? 0;
    const at = request.height === undefined || request.height === 0 ? latest : request.height;
    const record = this.requireRecord();
    return answerQuery(request, at, latest, {
      store: this.store,
      kv: this.kv,
      queries: this.registry.queries,
      env: {
        chainId: record.chainId,
        height: latest,
        lastBlockTime: record.lastBlockTime,
        freshnessMs: this.options.queryFreshnessMs ?? defaultQueryFreshnessMs,
        // Before block 1 commits, module queries read the genesis that initChain computed.
        committed: this.store.version() === undefined ? (this.genesis ?? this.committed) : this.committed,
        addressPrefix: this.addressPrefix,
        storeKeys: this.registry.storeKeys,
      },
    });
  }

  /** A transaction's result (height, index, code, events) by its hash, while retained. */
  async txResult(hash: Uint8Array): Promise<StoredTxResult | undefined> {
    return appTables.txResult.get(this.kv, hash);
  }

  /** A block's transaction hashes, block events and validator updates, while retained. */
  async blockResults(height: number): Promise<BlockResults | undefined> {
    return appTables.blockResults.get(this.kv, height);
  }

  /** Every module's state, and the chain-wide limits, as the JSON `app_state` of a new genesis. */
  async exportGenesis(): Promise<Record<string, unknown>> {
    const record = this.requireRecord();
    const out: Record<string, unknown> = { [appSectionName]: { ...record.limits } };
    for (const module of this.modules) {
      if (module.genesis === undefined) continue;
      const name = this.nameOf(module);
      const ctx: QueryContext = {
        chainId: record.chainId,
        height: this.store.version() ?? 0,
        lastBlockTime: record.lastBlockTime,
        addressPrefix: this.addressPrefix,
        state: new ModuleState(
          new MeteredState(new StateLayer(this.committed), new GasMeter(Number.MAX_SAFE_INTEGER), true),
          name,
          this.registry.storeKeys,
        ),
      };
      out[name] = await module.genesis.export(ctx);
    }
    return out;
  }

  /** The name `module` was registered under. */
  private nameOf(module: Module): string {
    return this.names.get(module) ?? module.name;
  }

  /**
   * The executor of the checks against `record`, made once per record (a commit replaces the
   * record): the mempool checks every transaction it admits and rechecks every one it holds after
   * each block, and each new executor rebuilt its map of message types' modules.
   */
  private checkExecutor(record: AppRecord): Executor {
    const cached = this.checks;
    if (cached !== undefined && cached.record === record) return cached.executor;
    const executor = this.executor(record);
    this.checks = { record, executor };
    return executor;
  }

  private executor(record: AppRecord = this.requireRecord()): Executor {
    return new Executor(
      {
        chainId: record.chainId,
        maxTxGas: record.limits.maxTxGas,
        hookWorkBudget: record.limits.hookWorkBudget,
        addressPrefix: this.addressPrefix,
      },
      {
        messageTypes: this.registry.messageTypes,
        accounts: this.deps.accounts,
        storeKeys: this.registry.storeKeys,
      },
    );
  }

  private requireRecord(): AppRecord {
    if (this.record === undefined)
      throw new StoreStateError('the application has no chain yet: call start() and initChain()');
    return this.record;
  }
}
