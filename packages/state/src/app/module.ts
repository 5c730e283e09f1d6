import type { Codec } from '@joule/consensus';
import type { AppEvent, ValidatorUpdate } from './abci.js';
import type { GasMeter } from './gas.js';
import type { State } from './state.js';

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

/** What a message handler gets. Writes to `state` are kept only if every message of the tx succeeds. */
export interface TxContext {
  readonly block: BlockInfo;
  readonly state: State;
  readonly gas: GasMeter;
  readonly txHash: Uint8Array;
  emit(event: AppEvent): void;
}

/** What a begin- or end-block hook gets: `budget` is its work allowance for this block. */
export interface BlockContext {
  readonly block: BlockInfo;
  readonly state: State;
  /** The hook's work budget: state access spends it; check `budget.remaining` to spread work over blocks. */
  readonly budget: GasMeter;
  emit(event: AppEvent): void;
  /** A validator change, returned from `finalizeBlock` (effective at H+2); power 0 removes. */
  updateValidator(update: ValidatorUpdate): void;
}

/** What genesis init gets: the block context of the initial height, and the genesis validators. */
export interface GenesisContext extends BlockContext {
  readonly validators: readonly ValidatorUpdate[];
}

/** What a query handler gets: read-only state at the last committed height. */
export interface QueryContext {
  readonly chainId: string;
  readonly height: number;
  /** Time of the last committed block, Unix ms. */
  readonly lastBlockTime: number;
  readonly state: State;
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

/** A module's genesis: its section of the genesis file's `app_state`, keyed by the module's name. */
export interface ModuleGenesis<G> {
  default(): G;
  /** Parses and validates the JSON section; throws `GenesisError` naming the problem. */
  parse(json: unknown): G;
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
 * A typed event: `defineEvent('bank.transfer', ['from', 'to', 'denom', 'amount'])` gives a function
 * that takes exactly those fields and builds the event, attributes in that order. Numbers and
 * bigints print in decimal, bytes in hex.
 */
export function defineEvent<const F extends string>(
  type: string,
  fields: readonly F[],
): (values: Record<F, EventValue>) => AppEvent {
  return (values) => ({
    type,
    attributes: fields.map((key) => ({ key, value: formatEventValue(values[key]) })),
  });
}

function formatEventValue(value: EventValue): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return String(value);
}
