import { toHex } from '@joule/consensus';
import type { PendingWrites } from '../chain/pending-writes.js';
import {
  defaultHookWorkBudget,
  defaultMaxBlockGas,
  defaultMaxTxGas,
  defaultPruneIntervalBlocks,
  defaultQueryFreshnessMs,
  defaultRetainBlocks,
} from '../constants.js';
import { StoreStateError } from '../errors.js';
import { type KvStore, WriteBatch } from '../kv/kv-store.js';
import { type PreparedVersion, VersionedStore } from '../store/versioned-store.js';
import type * as abci from './abci.js';
import type { AccountKeeper } from './ante.js';
import { answerQuery, proposalTxs, prune } from './app-support.js';
import { Executor } from './executor.js';
import { GasMeter } from './gas.js';
import { parseAppState } from './genesis.js';
import type { BlockInfo, MessageType, Module, QueryContext, QueryType } from './module.js';
import { type AppRecord, appTables, type BlockResults, type StoredTxResult } from './results.js';
import { MeteredState } from './state.js';
import { StateLayer, type StateReader } from './state-layer.js';
import { txHash } from './tx.js';

export interface AppOptions {
  /** Most gas per transaction (default `defaultMaxTxGas`). */
  readonly maxTxGas?: number;
  /** Most gas per block (default `defaultMaxBlockGas`). */
  readonly maxBlockGas?: number;
  /** Work budget of each module hook per block (default `defaultHookWorkBudget`). */
  readonly hookWorkBudget?: number;
  /** Freshness window of authenticated queries around the last block time, ms (default 5 min). */
  readonly queryFreshnessMs?: number;
  /** Heights of state and results to keep; 0 keeps all (default). */
  readonly retainBlocks?: number;
  /** Heights between prunings (default 100). */
  readonly pruneIntervalBlocks?: number;
  /** Tree nodes cached in memory. */
  readonly nodeCacheEntries?: number;
  readonly version?: string;
}

export interface AppDependencies {
  readonly kv: KvStore;
  readonly modules: readonly Module[];
  /** Nonce keeping for the ante checks (the auth module's keeper). */
  readonly accounts: AccountKeeper;
  /** The chain store's staged writes, joined to every commit's batch. */
  readonly pending?: PendingWrites;
}

interface Staged {
  readonly prepared: PreparedVersion;
  readonly time: number;
  readonly results: readonly StoredTxResult[];
  readonly block: BlockResults;
}

/** The application: consensus's `Application` over registered modules and the authenticated store. */
export class App implements abci.Application {
  readonly store: VersionedStore;
  private readonly kv: KvStore;
  private readonly modules: readonly Module[];
  private readonly messageTypes = new Map<string, MessageType<unknown>>();
  private readonly queries = new Map<string, QueryType<unknown, unknown>>();
  private record: AppRecord | undefined;
  private genesis: StateLayer | undefined;
  private staged: Staged | undefined;
  private checkLayer: StateLayer;
  private readonly committed: StateReader;

  constructor(
    private readonly options: AppOptions,
    private readonly deps: AppDependencies,
  ) {
    this.kv = deps.kv;
    this.modules = deps.modules;
    this.store = new VersionedStore(
      options.nodeCacheEntries === undefined ? {} : { nodeCacheEntries: options.nodeCacheEntries },
      { kv: deps.kv },
    );
    this.committed = { get: (k) => this.store.get(k), entries: (p, l) => this.store.entries(p, l) };
    this.checkLayer = new StateLayer(this.committed);
    const names = new Set<string>();
    for (const module of deps.modules) {
      if (names.has(module.name)) throw new StoreStateError(`two modules are named "${module.name}"`);
      names.add(module.name);
      for (const type of module.messages ?? []) {
        if (!type.type.startsWith(`${module.name}/`) || this.messageTypes.has(type.type)) {
          throw new StoreStateError(
            `message type "${type.type}" must be unique and start with "${module.name}/"`,
          );
        }
        this.messageTypes.set(type.type, type);
      }
      for (const query of module.queries ?? []) this.queries.set(`/${module.name}/${query.path}`, query);
    }
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

  async initChain(request: abci.InitChainRequest): Promise<abci.InitChainResponse> {
    if (this.store.version() !== undefined)
      throw new StoreStateError('initChain on an application that already committed');
    const sections = parseAppState(request.appStateBytes, this.modules);
    this.record = {
      chainId: request.chainId,
      initialHeight: request.initialHeight,
      lastBlockTime: request.time,
    };
    const layer = new StateLayer(this.committed);
    const block: BlockInfo = {
      chainId: request.chainId,
      height: request.initialHeight,
      time: request.time,
      proposer: new Uint8Array(20),
    };
    const updates: abci.ValidatorUpdate[] = [];
    for (const module of this.modules) {
      if (module.genesis === undefined) continue;
      const ctx = this.executor().blockContext(block, layer, new GasMeter(Number.MAX_SAFE_INTEGER));
      await module.genesis.init({ ...ctx, validators: request.validators }, sections.get(module.name));
      updates.push(...ctx.updates);
    }
    this.genesis = layer;
    this.checkLayer = new StateLayer(layer);
    const prepared = await this.store.prepare(request.initialHeight, layer.changes());
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
    return this.executor().checkTx(request.tx, block, this.checkLayer);
  }

  async prepareProposal(request: abci.PrepareProposalRequest): Promise<abci.PrepareProposalResponse> {
    return { txs: proposalTxs(request.txs, request.maxTxBytes, this.requireRecord().chainId) };
  }

  async processProposal(request: abci.ProcessProposalRequest): Promise<abci.ProcessProposalResponse> {
    const kept = proposalTxs(request.txs, Number.MAX_SAFE_INTEGER, this.requireRecord().chainId);
    return kept.length === request.txs.length ? 'accept' : 'reject';
  }

  async finalizeBlock(request: abci.FinalizeBlockRequest): Promise<abci.FinalizeBlockResponse> {
    const record = this.requireRecord();
    const { header } = request.block;
    const expected = (this.store.version() ?? record.initialHeight - 1) + 1;
    if (header.height !== expected)
      throw new StoreStateError(`finalizeBlock at ${header.height}, expected ${expected}`);
    const layer = new StateLayer(this.committed);
    if (this.store.version() === undefined) {
      if (this.genesis === undefined) throw new StoreStateError('initChain must run before the first block');
      for (const [key, value] of this.genesis.changes())
        value === null ? layer.delete(key) : layer.set(key, value);
    }
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
      await executor.runHook(module, 'beginBlock', block, layer, events, updates);
    const blockGas = { used: 0, limit: this.options.maxBlockGas ?? defaultMaxBlockGas };
    const txResults: abci.ExecTxResult[] = [];
    for (const tx of request.block.txs) txResults.push(await executor.deliverTx(tx, block, layer, blockGas));
    for (const module of this.modules)
      await executor.runHook(module, 'endBlock', block, layer, events, updates);
    const prepared = await this.store.prepare(header.height, layer.changes());
    const hashes = request.block.txs.map(txHash);
    const validatorUpdates = mergeUpdates(updates);
    this.staged = {
      prepared,
      time: header.time,
      results: txResults.map((result, index) => ({ height: header.height, index, result })),
      block: { height: header.height, txHashes: hashes, events, validatorUpdates },
    };
    return { txResults, events, validatorUpdates, appHash: prepared.rootHash };
  }

  async commit(): Promise<abci.CommitResponse> {
    const staged = this.staged;
    const record = this.requireRecord();
    if (staged === undefined) throw new StoreStateError('commit without a finalized block');
    const batch = new WriteBatch();
    for (const result of staged.results)
      appTables.txResult.put(batch, staged.block.txHashes[result.index] as Uint8Array, result);
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
    const height = staged.prepared.version;
    const retain = this.options.retainBlocks ?? defaultRetainBlocks;
    const retainHeight = retain > 0 ? Math.max(0, height - retain + 1) : 0;
    if (retainHeight > 0 && height % (this.options.pruneIntervalBlocks ?? defaultPruneIntervalBlocks) === 0) {
      await prune(this.kv, this.store, retainHeight);
    }
    return { retainHeight };
  }

  async query(request: abci.QueryRequest): Promise<abci.QueryResponse> {
    const latest = this.store.version() ?? 0;
    const at = request.height === undefined || request.height === 0 ? latest : request.height;
    const record = this.requireRecord();
    return answerQuery(request, at, latest, {
      store: this.store,
      kv: this.kv,
      queries: this.queries,
      env: {
        chainId: record.chainId,
        height: latest,
        lastBlockTime: record.lastBlockTime,
        freshnessMs: this.options.queryFreshnessMs ?? defaultQueryFreshnessMs,
        committed: this.committed,
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

  /** Every module's state as the JSON `app_state` of a new genesis. */
  async exportGenesis(): Promise<Record<string, unknown>> {
    const record = this.requireRecord();
    const out: Record<string, unknown> = {};
    for (const module of this.modules) {
      if (module.genesis === undefined) continue;
      const ctx: QueryContext = {
        chainId: record.chainId,
        height: this.store.version() ?? 0,
        lastBlockTime: record.lastBlockTime,
        state: new MeteredState(new StateLayer(this.committed), new GasMeter(Number.MAX_SAFE_INTEGER), true),
      };
      out[module.name] = await module.genesis.export(ctx);
    }
    return out;
  }

  private executor(): Executor {
    const record = this.requireRecord();
    return new Executor(
      {
        chainId: record.chainId,
        maxTxGas: this.options.maxTxGas ?? defaultMaxTxGas,
        hookWorkBudget: this.options.hookWorkBudget ?? defaultHookWorkBudget,
      },
      { messageTypes: this.messageTypes, accounts: this.deps.accounts },
    );
  }

  private requireRecord(): AppRecord {
    if (this.record === undefined)
      throw new StoreStateError('the application has no chain yet: call start() and initChain()');
    return this.record;
  }
}

/** One update per key (the last wins), ordered by key, so every node returns the same list. */
function mergeUpdates(updates: readonly abci.ValidatorUpdate[]): abci.ValidatorUpdate[] {
  const byKey = new Map<string, abci.ValidatorUpdate>();
  for (const update of updates) byKey.set(toHex(update.pubKey), update);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, u]) => u);
}
