import { JouleError, maxTotalVotingPower, maxValidators } from '@joule/consensus';
import {
  checkGasAdjustment,
  maxBlockEvents,
  maxCodespaceLength,
  maxEventAttributeLength,
  maxEventAttributes,
  maxEventsPerTx,
  maxEventTypeLength,
} from '../constants.js';
import type { AppEvent, CheckTxResponse, ExecTxResult, ValidatorUpdate } from './abci.js';
import { type AccountKeeper, runAnte } from './ante.js';
import { GasMeter, txFloorGas } from './gas.js';
import { moduleOf } from './layout.js';
import { appSectionName } from './limits.js';
import {
  type BlockContext,
  type BlockInfo,
  type EmittedEvent,
  type MessageType,
  type Module,
  renderEvent,
  type TxContext,
} from './module.js';
import { boundedLog } from './results.js';
import { MeteredState, ModuleState, type State, StateScopeError, type StoreKeys } from './state.js';
import { StateLayer } from './state-layer.js';
import { txHash } from './tx.js';
import { OutOfGasError, TxError } from './tx-errors.js';

export interface ExecutorOptions {
  readonly chainId: string;
  readonly maxTxGas: number;
  readonly hookWorkBudget: number;
  /** Bech32 prefix of the chain's addresses, in every context and in rendered events. */
  readonly addressPrefix: string;
}

export interface ExecutorDependencies {
  readonly messageTypes: ReadonlyMap<string, MessageType<unknown>>;
  readonly accounts: AccountKeeper;
  readonly storeKeys: StoreKeys;
}

/** Gas of the block so far, against its limit. */
export interface BlockGas {
  used: number;
  readonly limit: number;
}

/** Runs transactions and block hooks over a block's state layer. Deterministic: no clock, no randomness. */
export class Executor {
  /** Each message type's module, from the name it was registered under (`messageTypes`' keys). */
  #modules: Map<MessageType<unknown>, string> | undefined;

  constructor(
    private readonly options: ExecutorOptions,
    private readonly deps: ExecutorDependencies,
  ) {}

  /** The module whose store `type`'s handler gets: the registered name's, never its `type` field's now. */
  private moduleOfType(type: MessageType<unknown>): string {
    if (this.#modules === undefined) {
      this.#modules = new Map();
      for (const [name, registered] of this.deps.messageTypes) this.#modules.set(registered, moduleOf(name));
    }
    const module = this.#modules.get(type);
    if (module === undefined)
      throw new StateScopeError(`message type "${type.type}" is not registered with this application`, {
        type: type.type,
      });
    return module;
  }

  /**
   * Executes one transaction of a block. Ante writes (the nonce) are kept once the ante checks
   * pass; message writes and events only if every message succeeds within the gas limits.
   */
  async deliverTx(
    bytes: Uint8Array,
    block: BlockInfo,
    blockLayer: StateLayer,
    blockGas: BlockGas,
    /** `txHash(bytes)`, when the caller has it. */
    hash: Uint8Array = txHash(bytes),
  ): Promise<ExecTxResult> {
    const gas = new GasMeter(this.options.maxTxGas);
    const anteLayer = new StateLayer(blockLayer);
    let ante: Awaited<ReturnType<typeof runAnte>>;
    // A failure in the ante counts its gas, at least the transaction's floor, against the block.
    const anteFailure = (error: unknown): ExecTxResult => {
      const charged = Math.max(Math.min(gas.used, gas.limit), txFloorGas(bytes.length));
      blockGas.used += charged;
      return { ...failure(error, gas), gasUsed: charged };
    };
    try {
      ante = await runAnte(
        bytes,
        { ...this.env(), state: this.scoped(new MeteredState(anteLayer, gas)), gas },
        hash,
      );
    } catch (error) {
      return anteFailure(error);
    }
    if (!anteLayer.fitsInto(blockLayer)) return anteFailure(blockWritesExceeded(blockLayer));
    anteLayer.flushInto(blockLayer);
    const messageLayer = new StateLayer(blockLayer);
    // Not a literal: see `Executed`.
    const events = Array.of<AppEvent>();
    // The handlers get their own copy: the block's results index keeps `hash`.
    const ctx = this.txContexts(block, messageLayer, gas, hash.slice(), events);
    const blockGasExceeded = () =>
      new OutOfGasError('TX_BLOCK_GAS_EXCEEDED', `block gas limit ${blockGas.limit} reached`, {
        blockUsed: blockGas.used,
        txUsed: gas.used,
      });
    try {
      // A full block runs no more messages: the transaction would fail on the limit anyway.
      if (blockGas.used + gas.used > blockGas.limit) throw blockGasExceeded();
      for (const { type, message } of ante.messages) await type.handle(ctx(type), message, ante.signer);
      if (blockGas.used + gas.used > blockGas.limit) throw blockGasExceeded();
      if (!messageLayer.fitsInto(blockLayer)) throw blockWritesExceeded(blockLayer);
    } catch (error) {
      blockGas.used += Math.min(gas.used, gas.limit);
      return failure(error, gas);
    }
    messageLayer.flushInto(blockLayer);
    blockGas.used += gas.used;
    return new Executed(gas.limit, gas.used, events);
  }

  /**
   * Checks a transaction for the mempool against `checkLayer` (committed state plus the mempool's
   * earlier transactions): the ante checks, then a simulation of its messages whose writes are
   * dropped. Only the nonce advance is kept, so a signer's next transaction checks against it.
   *
   * A recheck (after each block, for the transactions still in the pool) runs the ante checks
   * alone, without the signature and without decoding the messages again (both functions of the
   * bytes, checked when they were admitted), as the Cosmos SDK's ReCheckTx: it restores the
   * pending nonces on the new committed state and drops what can no longer pay its nonce. A message
   * that became invalid in the meantime fails in its block with its own code, as in the Cosmos SDK.
   */
  async checkTx(
    bytes: Uint8Array,
    block: BlockInfo,
    checkLayer: StateLayer,
    kind: 'new' | 'recheck' = 'new',
    /** `txHash(bytes)`, when the caller has it (the mempool's); the handlers get a copy of it. */
    knownHash?: Uint8Array,
  ): Promise<CheckTxResponse> {
    const gas = new GasMeter(this.options.maxTxGas);
    const anteLayer = new StateLayer(checkLayer);
    const recheck = kind === 'recheck';
    const hash = knownHash ?? txHash(bytes);
    try {
      const ante = await runAnte(
        bytes,
        { ...this.env(), state: this.scoped(new MeteredState(anteLayer, gas)), gas, recheck },
        hash,
      );
      if (!recheck) {
        const simulation = new StateLayer(anteLayer);
        const ctx = this.txContexts(
          block,
          simulation,
          gas,
          knownHash === undefined ? hash : hash.slice(),
          [],
        );
        for (const { type, message } of ante.messages) await type.handle(ctx(type), message, ante.signer);
      }
      if (!anteLayer.fitsInto(checkLayer)) throw blockWritesExceeded(checkLayer);
    } catch (error) {
      const result = failure(error, gas);
      return { code: result.code, codespace: result.codespace, log: result.log, gasWanted: 0 };
    }
    anteLayer.flushInto(checkLayer);
    return {
      code: 0,
      codespace: '',
      log: '',
      gasWanted: Math.min(gas.limit, Math.ceil(gas.used * checkGasAdjustment)),
    };
  }

  /**
   * Runs one module hook with its own work budget. A hook that fails — throws, runs out of budget,
   * or would pass the block's `maxBlockEvents` or write limit — has its writes and events dropped
   * and leaves one `hook.failed` event (beyond `maxBlockEvents`: see `maxStoredBlockEvents`); the
   * block goes on.
   */
  async runHook(
    module: Module,
    hook: 'beginBlock' | 'endBlock',
    block: BlockInfo,
    blockLayer: StateLayer,
    events: AppEvent[],
    updates: ValidatorUpdate[],
    /** The name the module was registered under (its store), not what its `name` field says now. */
    name: string = module.name,
  ): Promise<void> {
    const run = module[hook];
    if (run === undefined) return;
    const budget = new GasMeter(this.options.hookWorkBudget);
    const layer = new StateLayer(blockLayer);
    const ctx = this.blockContext(name, block, layer, budget);
    try {
      await run.call(module, ctx);
      if (blockEventCount(events) + ctx.events.length > maxBlockEvents)
        throw new TxError('TX_TOO_MANY_EVENTS', `the block's hooks emit more than ${maxBlockEvents} events`);
      if (!layer.fitsInto(blockLayer)) throw blockWritesExceeded(blockLayer);
      if (distinctKeys(updates, ctx.updates) > maxValidators)
        throw new TxError(
          'TX_BAD_VALIDATOR_UPDATE',
          `more than ${maxValidators} validator updates in a block`,
        );
    } catch (error) {
      rethrowIfFatal(error);
      const code = error instanceof JouleError ? error.code : 'INTERNAL';
      events.push({
        type: 'hook.failed',
        attributes: [
          { key: 'module', value: name },
          { key: 'hook', value: hook },
          { key: 'code', value: code },
          { key: 'log', value: boundedLog(error instanceof Error ? error.message : String(error)) },
        ],
      });
      return;
    }
    layer.flushInto(blockLayer);
    events.push(...ctx.events);
    updates.push(...ctx.updates);
  }

  /** Module `module`'s block context over `layer` whose state access spends `budget` (genesis uses it too). */
  blockContext(
    module: string,
    block: BlockInfo,
    layer: StateLayer,
    budget: GasMeter,
  ): BlockContext & { events: AppEvent[]; updates: ValidatorUpdate[] } {
    const events: AppEvent[] = [];
    const updates: ValidatorUpdate[] = [];
    return {
      block,
      state: this.scoped(new MeteredState(layer, budget), module),
      addressPrefix: this.options.addressPrefix,
      budget,
      events,
      updates,
      emit: (event) => this.emitInto(events, event),
      updateValidator: (update) => {
        checkValidatorUpdate(update);
        updates.push(update);
      },
    };
  }

  /** The context of each message of a transaction: one gas meter and event list, each message's module's own state. */
  private txContexts(
    block: BlockInfo,
    layer: StateLayer,
    gas: GasMeter,
    hash: Uint8Array,
    events: AppEvent[],
  ): (type: MessageType<unknown>) => TxContext {
    const metered = new MeteredState(layer, gas);
    const emit = (event: EmittedEvent) => this.emitInto(events, event);
    const addressPrefix = this.options.addressPrefix;
    // One context per module and transaction: a module may cache what its transaction read, keyed by it.
    const contexts = new Map<string, TxContext>();
    return (type) => {
      const module = this.moduleOfType(type);
      let ctx = contexts.get(module);
      if (ctx === undefined) {
        ctx = { block, state: this.scoped(metered, module), addressPrefix, gas, txHash: hash, emit };
        contexts.set(module, ctx);
      }
      return ctx;
    };
  }

  /** `state` scoped to `module`'s store (the ante's own scope is the framework's, `app`). */
  private scoped(state: State, module: string = appSectionName): ModuleState {
    return new ModuleState(state, module, this.deps.storeKeys);
  }

  private emitInto(events: AppEvent[], emitted: EmittedEvent): void {
    const event = renderEvent(emitted, this.options.addressPrefix);
    checkEvent(event);
    if (events.length >= maxEventsPerTx)
      throw new TxError('TX_TOO_MANY_EVENTS', `more than ${maxEventsPerTx} events`);
    events.push(event);
  }

  private env(): {
    chainId: string;
    messageTypes: ReadonlyMap<string, MessageType<unknown>>;
    accounts: AccountKeeper;
  } {
    return {
      chainId: this.options.chainId,
      messageTypes: this.deps.messageTypes,
      accounts: this.deps.accounts,
    };
  }
}

/**
 * The result of a transaction that succeeded. A class, and its events an `Array.of`, not literals:
 * V8 tracks where each literal is allocated and, when most of one site's objects are alive at a
 * scavenge (a block's results are, until its commit), allocates that site's next objects in its
 * old space. There, once dead, a result keeps its events, their attributes and strings alive
 * through every scavenge until the next full collection, and they are promoted with it. Instances
 * of a class and arrays made by a builtin are allocated young.
 */
class Executed implements ExecTxResult {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly data: Uint8Array;
  readonly gasWanted: number;
  readonly gasUsed: number;
  readonly events: readonly AppEvent[];
  constructor(gasWanted: number, gasUsed: number, events: readonly AppEvent[]) {
    // In the order of an `ExecTxResult` literal's fields, as every other result has them.
    this.code = 0;
    this.codespace = '';
    this.log = '';
    this.data = new Uint8Array(0);
    this.gasWanted = gasWanted;
    this.gasUsed = gasUsed;
    this.events = events;
  }
}

/** The failure of a transaction or hook whose writes would pass the block's key bound. */
function blockWritesExceeded(block: StateLayer): TxError {
  return new TxError(
    'TX_BLOCK_WRITES_EXCEEDED',
    `the block would write more than ${block.maxKeys} distinct keys`,
    { maxKeys: block.maxKeys },
  );
}

/** Refuses an update the block results could not store (so that commit never fails on it). */
function checkValidatorUpdate(update: ValidatorUpdate): void {
  const { pubKey, power } = update;
  if (!(pubKey instanceof Uint8Array) || pubKey.length !== 32 || typeof power !== 'bigint')
    throw new TxError('TX_BAD_VALIDATOR_UPDATE', 'a validator update is a 32-byte key and a bigint power');
  if (power < 0n || power > maxTotalVotingPower)
    throw new TxError('TX_BAD_VALIDATOR_UPDATE', `power must be 0..${maxTotalVotingPower}`);
}

function distinctKeys(...lists: readonly (readonly ValidatorUpdate[])[]): number {
  const keys = new Set<string>();
  for (const list of lists) for (const u of list) keys.add(Buffer.from(u.pubKey).toString('hex'));
  return keys.size;
}

/** Block events that count against `maxBlockEvents`: all but the framework's `hook.failed`. */
function blockEventCount(events: readonly AppEvent[]): number {
  let n = 0;
  for (const e of events) if (e.type !== 'hook.failed') n++;
  return n;
}

/** Store and I/O failures are not the transaction's fault and must not become a deterministic result. */
function rethrowIfFatal(error: unknown): void {
  if (error instanceof JouleError && error.code.startsWith('STORE_') && error.code !== 'STORE_LIMIT')
    throw error;
}

function failure(error: unknown, gas: GasMeter): ExecTxResult {
  rethrowIfFatal(error);
  const tx = error instanceof TxError ? error : undefined;
  const code = tx?.code ?? (error instanceof JouleError ? error.code : 'INTERNAL');
  return {
    code: tx?.abciCode ?? (code === 'INTERNAL' ? 99 : 1),
    codespace: code.slice(0, maxCodespaceLength),
    log: boundedLog(error instanceof Error ? error.message : String(error)),
    data: new Uint8Array(0),
    gasWanted: gas.limit,
    gasUsed: Math.min(gas.used, gas.limit),
    events: [],
  };
}

/** Refuses an event the result index could not store (checked when emitted, so a commit never fails on it). */
function checkEvent(event: AppEvent): void {
  if (event.type === 'hook.failed') throw new TxError('TX_BAD_EVENT', "hook.failed is the framework's event");
  const long = (text: string) => typeof text !== 'string' || text.length > maxEventAttributeLength;
  if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > maxEventTypeLength) {
    throw new TxError('TX_BAD_EVENT', `event type must be 1..${maxEventTypeLength} characters`);
  }
  if (
    event.attributes.length > maxEventAttributes ||
    event.attributes.some((a) => long(a.key) || long(a.value))
  ) {
    throw new TxError(
      'TX_BAD_EVENT',
      `event ${event.type}: at most ${maxEventAttributes} attributes of ${maxEventAttributeLength} characters`,
    );
  }
}
