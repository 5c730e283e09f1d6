import { type Codec, decode, encode } from '@joule/consensus';
import { gasCosts, maxIterateEntries, maxKeyBytes, maxValueBytes } from '../constants.js';
import { StoreCorruptionError, StoreLimitError, StoreStateError } from '../errors.js';
import { concatBytes } from '../keys.js';
import type { GasMeter } from './gas.js';
import { moduleStorePrefix, moduleTableKey, tableStorePrefix } from './layout.js';
import { appSectionName } from './limits.js';
import type { StateLayer } from './state-layer.js';
import { TxError } from './tx-errors.js';

export { textKey } from './layout.js';

/** What a handler, a hook or a query sees of the application state; every access costs gas. */
export interface State {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /**
   * Entries whose key starts with `prefix`, in key order, at most `limit` (≤ `maxIterateEntries`);
   * with `after`, only keys greater than it (the next page after the last key of the previous one).
   */
  entries(prefix: Uint8Array, limit?: number, after?: Uint8Array): Promise<[Uint8Array, Uint8Array][]>;
}

/** What `MeteredState.readCached` answers for a key only an asynchronous read can tell. */
const notCached: unique symbol = Symbol('not cached');

/** A `State` over a layer, charging `meter`; read-only ones (queries) refuse writes. */
export class MeteredState implements State {
  constructor(
    private readonly layer: StateLayer,
    private readonly meter: GasMeter,
    private readonly readOnly = false,
  ) {}

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    let value: Uint8Array | undefined | typeof notCached;
    try {
      value = this.readCached(key);
    } catch (error) {
      return Promise.reject(error);
    }
    return value === notCached ? this.read(key) : Promise.resolve(value);
  }

  /**
   * The read of `get`, gas included, when the layers or the store's cache know `key`'s value
   * without I/O; `notCached` (nothing charged) when only `get` can tell. A read that hits costs
   * no promise: most of a transaction's reads (nonce, balances, a meter, a slot's totals).
   */
  readCached(key: Uint8Array): Uint8Array | undefined | typeof notCached {
    const known = this.layer.cached(key);
    if (known === undefined) return notCached;
    this.meter.consume(gasCosts.readFlat + gasCosts.readPerByte * key.length, 'read');
    if (known === null) return undefined;
    this.meter.consume(gasCosts.readPerByte * known.length, 'read');
    return known;
  }

  private async read(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.meter.consume(gasCosts.readFlat + gasCosts.readPerByte * key.length, 'read');
    const value = await this.layer.get(key);
    if (value !== undefined) this.meter.consume(gasCosts.readPerByte * value.length, 'read');
    return value;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.charge(key, value);
    this.layer.set(key, value);
  }

  /**
   * As `set`, for a key and a value made for this write that no one else holds (a `Table`'s key
   * and encoding): the layer keeps them as they are instead of copying both. The caller must not
   * keep or change either array afterwards — nothing checks it; anything else calls `set`.
   */
  setOwned(key: Uint8Array, value: Uint8Array): void {
    this.charge(key, value);
    this.layer.setOwned(key, value);
  }

  private charge(key: Uint8Array, value: Uint8Array): void {
    this.assertWritable();
    assertKey(key);
    if (value.length > maxValueBytes) {
      throw new StoreLimitError(`value of ${value.length} bytes exceeds ${maxValueBytes}`);
    }
    this.meter.consume(gasCosts.writeFlat + gasCosts.writePerByte * (key.length + value.length), 'write');
  }

  delete(key: Uint8Array): void {
    this.assertWritable();
    assertKey(key);
    this.meter.consume(gasCosts.deleteFlat + gasCosts.deletePerByte * key.length, 'delete');
    this.layer.delete(key);
  }

  async entries(
    prefix: Uint8Array,
    limit = maxIterateEntries,
    after?: Uint8Array,
  ): Promise<[Uint8Array, Uint8Array][]> {
    // LevelDB reads a negative or fractional limit as none at all: a whole store read before the
    // gas per entry is charged. A limit above the bound is cut to it.
    if (!(limit >= 0) || (limit !== Number.POSITIVE_INFINITY && !Number.isInteger(limit)))
      throw new StoreLimitError(`iteration limit ${limit} is not a whole number ≥ 0`, {
        limit: String(limit),
      });
    this.meter.consume(gasCosts.iterateFlat, 'iterate');
    const out = await this.layer.entries(prefix, Math.min(limit, maxIterateEntries), after);
    this.meter.consume(gasCosts.iteratePerEntry * out.length, 'iterate');
    return out;
  }

  private assertWritable(): void {
    if (this.readOnly) throw new StoreStateError('queries cannot write state');
  }
}

function assertKey(key: Uint8Array): void {
  if (key.length === 0 || key.length > maxKeyBytes) {
    throw new StoreLimitError(`key of ${key.length} bytes is outside 1..${maxKeyBytes}`);
  }
}

/** A module reached outside its own store: a `Table` of another module, or a store key it does not hold. */
export class StateScopeError extends TxError {
  declare readonly code: 'STATE_OUT_OF_SCOPE';
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('STATE_OUT_OF_SCOPE', message, context);
  }
}

/** The store keys an application registered, by module name (built once, when `App` is built). */
export type StoreKeys = ReadonlyMap<string, StoreKey>;

let innerOf: (state: ModuleState) => State;
/** A store key's prefix itself (not the copy its `prefix` getter gives), for `ModuleState` alone. */
let storeKeyPrefix: (key: StoreKey) => Uint8Array;
/** The framework's own section's prefix (the ante's scope), never handed out. */
const appPrefix = moduleStorePrefix(appSectionName);
let keysOf: (state: ModuleState) => StoreKeys;
let prefixOf: (state: ModuleState) => Uint8Array;

/**
 * What a module's handlers, hooks, genesis and queries get as `ctx.state`: the application state
 * seen through the module's store prefix (`moduleStorePrefix`). Keys are relative to it: `get(k)`
 * reads `prefix ‖ k`, `entries` returns keys without the prefix; nothing outside it can be named.
 */
export class ModuleState implements State {
  readonly #inner: State;
  readonly #module: string;
  readonly #prefix: Uint8Array;
  readonly #keys: StoreKeys;

  static {
    innerOf = (state) => state.#inner;
    keysOf = (state) => state.#keys;
    prefixOf = (state) => state.#prefix;
  }

  /** `inner` is the whole state (metered); `keys` the application's registered store keys. */
  constructor(inner: State, module: string, keys: StoreKeys) {
    this.#inner = inner;
    this.#module = module;
    // The key's own prefix, which nothing outside these two classes sees, or one made here: no
    // holder of a key or of this state can re-aim it. The framework's section is made once.
    const key = keys.get(module);
    this.#prefix =
      key !== undefined
        ? storeKeyPrefix(key)
        : module === appSectionName
          ? appPrefix
          : moduleStorePrefix(module);
    this.#keys = keys;
  }

  /** The module whose store this is (fixed: the field cannot be reassigned). */
  get module(): string {
    return this.#module;
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#inner.get(concatBytes(this.#prefix, key));
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.#inner.set(concatBytes(this.#prefix, key), value);
  }

  delete(key: Uint8Array): void {
    this.#inner.delete(concatBytes(this.#prefix, key));
  }

  async entries(prefix: Uint8Array, limit?: number, after?: Uint8Array): Promise<[Uint8Array, Uint8Array][]> {
    const n = this.#prefix.length;
    const rows = await this.#inner.entries(
      concatBytes(this.#prefix, prefix),
      limit,
      after === undefined ? undefined : concatBytes(this.#prefix, after),
    );
    return rows.map(([key, value]) => [key.subarray(n), value]);
  }
}

/**
 * The capability to a module's store, as the Cosmos SDK's store key: the module that owns it
 * declares it (`Module.storeKey`), `App` registers it under the module's name, and the module keeps
 * it to itself, handing other modules a keeper instead. `key.state(ctx.state)` turns the state of any
 * context of the same application (another module's, within a keeper call) into this module's store
 * over the same block, transaction and gas meter; a key the application did not register — one
 * made by another module with the same name — is refused with `StateScopeError`.
 */
export class StoreKey {
  readonly #module: string;
  readonly #prefix: Uint8Array;

  static {
    storeKeyPrefix = (key) => key.#prefix;
  }

  constructor(module: string) {
    this.#module = module;
    this.#prefix = moduleStorePrefix(module);
  }

  /** The module it opens (fixed). */
  get module(): string {
    return this.#module;
  }

  /** A copy of the module's store prefix (`moduleStorePrefix`): writing to it changes no store. */
  get prefix(): Uint8Array {
    return this.#prefix.slice();
  }

  state(state: State): State {
    const module = this.#module;
    if (!(state instanceof ModuleState) || keysOf(state).get(module) !== this)
      throw new StateScopeError(`the store key of "${module}" is not registered with this application`, {
        module,
      });
    return state.module === module ? state : new ModuleState(innerOf(state), module, keysOf(state));
  }
}

/**
 * A typed table of a module's state: keys `moduleTableKey(module, name, key bytes)`, values in a
 * canonical codec. Used with a module-scoped state (a context's `ctx.state`), it works only in its
 * own module's store: another module's table throws `StateScopeError`. On a plain `State` (the
 * framework's, a test's) it reads and writes its full keys.
 */
export class Table<K, V> {
  private readonly prefix: Uint8Array;
  /** `<table>/`: the start of its keys inside its module's store. */
  private readonly inModule: Uint8Array;

  constructor(
    readonly module: string,
    readonly name: string,
    private readonly keyOf: (key: K) => Uint8Array,
    private readonly codec: Codec<V>,
  ) {
    this.prefix = moduleTableKey(module, name);
    this.inModule = tableStorePrefix(name);
  }

  /** The full application key of `key` (what `/store` queries and proofs name). */
  key(key: K): Uint8Array {
    return concatBytes(this.prefix, this.keyOf(key));
  }

  get(state: State, key: K): Promise<V | undefined> {
    try {
      if (state instanceof ModuleState) {
        const inner = innerOf(state);
        const scoped = this.scopedKey(state, key);
        // A read the layers or the store's cache answer is decoded at once, without a promise per layer.
        const known = inner instanceof MeteredState ? inner.readCached(scoped) : notCached;
        if (known !== notCached) return Promise.resolve(known === undefined ? undefined : this.decode(known));
        return this.decoded(inner.get(scoped));
      }
      return this.decoded(state.get(concatBytes(this.prefix, this.keyOf(key))));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async decoded(read: Promise<Uint8Array | undefined>): Promise<V | undefined> {
    const bytes = await read;
    return bytes === undefined ? undefined : this.decode(bytes);
  }

  set(state: State, key: K, value: V): void {
    if (!(state instanceof ModuleState)) {
      state.set(concatBytes(this.prefix, this.keyOf(key)), encode(this.codec, value));
      return;
    }
    const inner = innerOf(state);
    const scoped = this.scopedKey(state, key);
    // Both arrays are new and go nowhere else: a metered state keeps them without copying.
    if (inner instanceof MeteredState) inner.setOwned(scoped, encode(this.codec, value));
    else inner.set(scoped, encode(this.codec, value));
  }

  delete(state: State, key: K): void {
    if (state instanceof ModuleState) innerOf(state).delete(this.scopedKey(state, key));
    else state.delete(concatBytes(this.prefix, this.keyOf(key)));
  }

  /**
   * One page of entries whose encoded key starts with `keyPrefix`: the key bytes after the table
   * prefix, and the value; at most `limit` (≤ `maxIterateEntries`), after the table key `after`.
   */
  async entries(
    state: State,
    keyPrefix: Uint8Array = new Uint8Array(0),
    limit?: number,
    after?: Uint8Array,
  ): Promise<[Uint8Array, V][]> {
    const prefix = this.prefixIn(state);
    const from = after === undefined ? undefined : concatBytes(prefix, after);
    const rows = await state.entries(concatBytes(prefix, keyPrefix), limit, from);
    return rows.map(([key, value]) => [key.subarray(prefix.length), this.decode(value)]);
  }

  /**
   * Every entry whose encoded key starts with `keyPrefix`, page by page (`pageEntries` a page), for
   * genesis export and other whole-table walks. Each page costs gas like `entries`.
   */
  async *scan(
    state: State,
    keyPrefix: Uint8Array = new Uint8Array(0),
    pageEntries: number = maxIterateEntries,
  ): AsyncGenerator<[Uint8Array, V]> {
    let after: Uint8Array | undefined;
    for (;;) {
      const page = await this.entries(state, keyPrefix, pageEntries, after);
      yield* page;
      const last = page[page.length - 1];
      if (last === undefined || page.length < Math.min(pageEntries, maxIterateEntries)) return;
      after = last[0];
    }
  }

  /** `scan` collected into an array. */
  async all(state: State, keyPrefix?: Uint8Array): Promise<[Uint8Array, V][]> {
    const out: [Uint8Array, V][] = [];
    for await (const row of this.scan(state, keyPrefix)) out.push(row);
    return out;
  }

  /**
   * The key `state.get(prefixIn(state) ‖ keyOf(key))` would read on a module-scoped state — its
   * store prefix, this table's, the key — made in one array and read through the state's inner
   * state, instead of one array here and another in `ModuleState`: a measure reads and writes
   * four table entries.
   */
  private scopedKey(state: ModuleState, key: K): Uint8Array {
    return concatBytes(prefixOf(state), this.prefixIn(state), this.keyOf(key));
  }

  /**
   * Where this table's keys start in `state`: the full prefix on a plain state; on a module-scoped
   * state, the table's prefix inside the module's store — the scope, not the table, decides which
   * store that is, so a table re-aimed at run time still cannot leave it. A table of another
   * module is refused.
   */
  private prefixIn(state: State): Uint8Array {
    if (!(state instanceof ModuleState)) return this.prefix;
    if (state.module !== this.module)
      throw new StateScopeError(
        `module "${state.module}" cannot use table ${this.module}/${this.name}: a module reaches another's state only through its keeper`,
        { module: state.module, table: `${this.module}/${this.name}` },
      );
    return this.inModule;
  }

  private decode(bytes: Uint8Array): V {
    try {
      return decode(this.codec, bytes);
    } catch (cause) {
      throw new StoreCorruptionError(`table ${this.module}/${this.name} holds an undecodable value`, {
        cause: String(cause),
      });
    }
  }
}
