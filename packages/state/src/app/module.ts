import { addressBytes, BoundedCache, bytesKey, type Codec, formatAddress, toHex } from '@joule/consensus';
import { renderedAddressCacheEntries } from '../constants.js';
import type { AppEvent, ValidatorUpdate } from './abci.js';
import type { GasMeter } from './gas.js';
import type { State, StoreKey } from './state.js';

/** The block being executed, as every context sees it. Time is the block's, never the wall clock. */
export interface BlockInfo {
  readonly chainId: string;
  readonly height: number;
  /** Block time, Unix ms. */
  readonly time: number;
  readonly proposer: Uint8Array;
}

/** The verified signer of a transaction: the public key that signed it and its address. */
export interface Signer {
  readonly address: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * What every context has: the module's own store (`state`, scoped to the module: see `StoreKey`) and
 * the chain's bech32 address prefix (`lic` gives `lic1…`), so a module renders addresses the way
 * the rest of the chain does without being built with it.
 */
export interface ModuleContext {
  /** The module's own state: keys are relative to its store prefix; other modules' keys are out of reach. */
  readonly state: State;
  readonly addressPrefix: string;
}

/** What a message handler gets. Writes to `state` are kept only if every message of the tx succeeds. */
export interface TxContext extends ModuleContext {
  readonly block: BlockInfo;
  readonly gas: GasMeter;
  readonly txHash: Uint8Array;
  emit(event: EmittedEvent): void;
}

/** What a begin- or end-block hook gets: `budget` is its work allowance for this block. */
export interface BlockContext extends ModuleContext {
  readonly block: BlockInfo;
  /** The hook's work budget: state access spends it; check `budget.remaining` to spread work over blocks. */
  readonly budget: GasMeter;
  emit(event: EmittedEvent): void;
  /** A validator change, returned from `finalizeBlock` (effective at H+2); power 0 removes. */
  updateValidator(update: ValidatorUpdate): void;
}

/** What genesis init gets: the block context of the initial height, and the genesis validators. */
export interface GenesisContext extends BlockContext {
  readonly validators: readonly ValidatorUpdate[];
}

/** What a query handler gets: read-only state at the last committed height. */
export interface QueryContext extends ModuleContext {
  readonly chainId: string;
  readonly height: number;
  /** Time of the last committed block, Unix ms. */
  readonly lastBlockTime: number;
}

/** A message type: `type` names it in transactions (`bank/send`); the codec decodes it strictly. */
export interface MessageType<M> {
  readonly type: string;
  readonly codec: Codec<M>;
  /** Stateless validation: a problem, or `undefined` when the message is well formed. */
  validate?(message: M): string | undefined;
  /** Executes the message for `signer`; throws a `TxError` (such as `UnauthorizedError`) to fail the tx. */
  handle(ctx: TxContext, message: M, signer: Signer): Promise<void>;
}

/** A query: served at `/<module>/<path>`; `authenticated` ones get the verified caller's address. */
export interface QueryType<Req, Res> {
  readonly path: string;
  /** Former spellings of `path` that still answer (for clients written before a rename). */
  readonly aliases?: readonly string[];
  readonly request: Codec<Req>;
  readonly response: Codec<Res>;
  readonly authenticated?: boolean;
  /**
   * `false`: the handler reads more than it shows some callers (it filters what it read), so a
   * proven answer, which carries every read, is refused (`QUERY_NOT_PROVABLE`).
   */
  readonly provable?: boolean;
  handle(ctx: QueryContext, request: Req, caller: Uint8Array | null): Promise<Res>;
}

/** What parsing a genesis section may need to know of the chain. */
export interface GenesisEnvironment {
  readonly addressPrefix: string;
}

/** A module's genesis: its section of the genesis file's `app_state`, keyed by the module's name. */
export interface ModuleGenesis<G> {
  default(): G;
  /**
   * Parses and validates the JSON section; throws `GenesisError` naming the problem. `env` (given by `App`) carries
   * the chain's address prefix, for the bech32 addresses of the section.
   */
  parse(json: unknown, env?: GenesisEnvironment): G;
  init(ctx: GenesisContext, genesis: G): Promise<void>;
  /** The module's state as a JSON genesis section (what `parse` reads back). */
  export(ctx: QueryContext): Promise<unknown>;
}

/** An HTTP route that @joule/node mounts, mapped onto a query or a message type. */
export interface RouteDescription {
  readonly method: 'GET' | 'POST';
  /** Path with `:params`, such as `/bank/balances/:address`. */
  readonly path: string;
  /** The query (`balance`) or message type (`bank/send`) the route serves. */
  readonly target: string;
  readonly description: string;
  /**
   * A former spelling kept for existing clients: it answers as it did (JSON fields in camelCase)
   * and is left out of route listings.
   */
  readonly alias?: boolean;
}

/** A module: a name, genesis, messages, queries, block hooks and routes. Only `name` is required. */
export interface Module<G = unknown> {
  readonly name: string;
  /**
   * The module's store key, when it hands other modules a keeper (`new StoreKey(name)`, kept by
   * the keeper): `App` registers it, so the keeper can open the module's store from another
   * module's context. Without one the App makes a key that no code can hold.
   */
  readonly storeKey?: StoreKey;
  readonly genesis?: ModuleGenesis<G>;
  readonly messages?: readonly MessageType<unknown>[];
  readonly queries?: readonly QueryType<unknown, unknown>[];
  beginBlock?(ctx: BlockContext): Promise<void>;
  endBlock?(ctx: BlockContext): Promise<void>;
  readonly routes?: readonly RouteDescription[];
}

/** Types a message definition (an identity function that lets TypeScript infer `M`). */
export function defineMessage<M>(definition: MessageType<M>): MessageType<M> {
  return definition;
}

/** Types a query definition. */
export function defineQuery<Req, Res>(definition: QueryType<Req, Res>): QueryType<Req, Res> {
  return definition;
}

export type EventValue = string | number | bigint | boolean | Uint8Array;

/**
 * An event as a module builds it (`defineEvent`): its values are rendered when emitted, with the
 * chain's address prefix — a 20-byte value is an address and prints in bech32 (`lic1…`), any other
 * bytes in hex, numbers and bigints in decimal — so every module's addresses read the same.
 */
export interface ModuleEvent {
  readonly type: string;
  readonly values: readonly (readonly [string, EventValue])[];
}

/** What `emit` takes: a built event, or one whose attributes are already strings. */
export type EmittedEvent = ModuleEvent | AppEvent;

/**
 * A typed event: `defineEvent('bank.transfer', ['from', 'to', 'denom', 'amount'])` gives a function
 * that takes exactly those fields and builds the event, attributes in that order, rendered when
 * emitted (see `ModuleEvent`).
 */
export function defineEvent<const F extends string>(
  type: string,
  fields: readonly F[],
): (values: Record<F, EventValue>) => ModuleEvent {
  return (values) => ({ type, values: fields.map((key) => [key, values[key]] as const) });
}

/** The event as stored in results: every value a string (see `ModuleEvent`). */
export function renderEvent(event: EmittedEvent, addressPrefix: string): AppEvent {
  if (!('values' in event)) return event;
  return {
    type: event.type,
    attributes: event.values.map(([key, value]) => ({ key, value: formatEventValue(value, addressPrefix) })),
  };
}

/** An event value as a string: a 20-byte value in bech32, other bytes in hex, the rest in decimal. */
export function formatEventValue(value: EventValue, addressPrefix: string): string {
  if (value instanceof Uint8Array)
    return value.length === addressBytes ? eventAddress(value, addressPrefix) : toHex(value);
  return String(value);
}

/**
 * Bech32 forms of the addresses events named lately, by prefix and address bytes: the same few
 * accounts appear in event after event (a transaction's simulation and its execution render the
 * same ones), and an encoding costs ~1.4 µs against ~0.2 µs for the lookup. A pure function of its
 * key, so a remembered answer is the one `formatAddress` would give.
 */
const renderedAddresses = new BoundedCache<string, string>({ maxEntries: renderedAddressCacheEntries });

function eventAddress(address: Uint8Array, prefix: string): string {
  const key = `${prefix} ${bytesKey(address)}`;
  let text = renderedAddresses.get(key);
  if (text === undefined) {
    text = formatAddress(address, prefix);
    renderedAddresses.set(key, text);
  }
  return text;
}
