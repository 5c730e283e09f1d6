import {
  address as addressCodec,
  type Codec,
  formatAddress,
  nullable,
  parseAddress,
  struct,
} from '@joule/consensus';
import { jsonString } from '../../app/genesis.js';
import {
  defineEvent,
  defineMessage,
  type MessageType,
  type ModuleContext,
  type TxContext,
} from '../../app/module.js';
import { type State, Table } from '../../app/state.js';
import { GenesisError, TxError, UnauthorizedError } from '../../app/tx-errors.js';

/** Who holds a module's authority, and who was proposed to take it over (`null`: none). */
export interface AuthorityRecord {
  readonly authority: Uint8Array | null;
  readonly pending: Uint8Array | null;
}

export const authorityRecordCodec: Codec<AuthorityRecord> = struct<AuthorityRecord>('AuthorityRecord', {
  authority: nullable(addressCodec),
  pending: nullable(addressCodec),
});

/** `<module>/transfer_authority`: the current authority proposes `authority` as its successor. */
export interface TransferAuthority {
  readonly authority: Uint8Array;
}

const empty = struct<Record<string, never>>('AuthorityEmpty', {});

/** A handover step that the signer may not take now (`code` says which). */
export class AuthorityError extends TxError {
  declare readonly code: 'AUTHORITY_NOT_PENDING' | 'AUTHORITY_NONE_PENDING' | 'AUTHORITY_UNCHANGED';
  constructor(
    code: 'AUTHORITY_NOT_PENDING' | 'AUTHORITY_NONE_PENDING' | 'AUTHORITY_UNCHANGED',
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super(code, message, context);
  }
}

/** The genesis form of an authority: `authority` and, after an export mid-handover, `pendingAuthority`. */
export interface AuthorityGenesis {
  readonly authority: Uint8Array | null;
  readonly pendingAuthority: Uint8Array | null;
}

export interface AuthorityOptions {
  /** The module whose power this is (`bank`): names its messages, events and state table. */
  readonly module: string;
  /** Bech32 prefix of addresses in errors and genesis files (default: the chain's, from the context). */
  readonly addressPrefix?: string;
}

/** Who may not do what, for `requireAuthority`'s refusal. */
export interface AuthorityCheck {
  /** The power's name in the refusal: `the bank authority`, `the market admin`. */
  readonly role: string;
  /** What the signer tried: `mint`, `add meters`. */
  readonly action: string;
  readonly addressPrefix: string;
  /** The refusal to throw (default `UnauthorizedError`, code `UNAUTHORIZED` 13). */
  readonly refuse?: (message: string) => TxError;
}

/**
 * The one authority check of Joule's modules: returns if `signer` is `holder` (the account that holds
 * a module's power: bank's and poa's `Authority`, the market's admin), else throws — an
 * `UnauthorizedError` naming the signer in bech32, the role and the action, or the module's own
 * refusal (`check.refuse`). A power held by nobody (`null`) refuses everyone.
 */
export function requireAuthority(holder: Uint8Array | null, signer: Uint8Array, check: AuthorityCheck): void {
  if (holder !== null && equal(holder, signer)) return;
  const message = `${formatAddress(signer, check.addressPrefix)} is not ${check.role} and cannot ${check.action}`;
  throw check.refuse?.(message) ?? new UnauthorizedError(message, { role: check.role });
}

/**
 * One module's authority, handed over in two steps as the market admin is: the authority proposes a
 * successor (`<module>/transfer_authority`; proposing again replaces the proposal), which takes over
 * only by signing `<module>/accept_authority`; until then the authority may withdraw the proposal
 * (`<module>/cancel_authority_transfer`). A key mistyped in a proposal therefore never locks the
 * power away, and the former authority loses it the moment the successor accepts.
 *
 * State: one record under `<module>/A/`. Events: `<module>.authority_proposed`,
 * `<module>.authority_changed`, `<module>.authority_proposal_cancelled`.
 */
export class Authority {
  readonly msg: {
    readonly transfer: MessageType<TransferAuthority>;
    readonly accept: MessageType<Record<string, never>>;
    readonly cancel: MessageType<Record<string, never>>;
  };
  readonly messages: readonly MessageType<unknown>[];
  readonly #table: Table<'record', AuthorityRecord>;
  readonly #events;

  constructor(private readonly options: AuthorityOptions) {
    const m = options.module;
    this.#table = new Table(m, 'A', (_: 'record') => new Uint8Array([0]), authorityRecordCodec);
    this.#events = {
      proposed: defineEvent(`${m}.authority_proposed`, ['authority', 'pending']),
      changed: defineEvent(`${m}.authority_changed`, ['authority', 'previous']),
      cancelled: defineEvent(`${m}.authority_proposal_cancelled`, ['authority', 'pending']),
    };
    const transfer = defineMessage<TransferAuthority>({
      type: `${m}/transfer_authority`,
      codec: struct<TransferAuthority>('TransferAuthority', { authority: addressCodec }),
      handle: (ctx, msg, signer) => this.#transfer(ctx, msg.authority, signer.address),
    });
    const accept = defineMessage<Record<string, never>>({
      type: `${m}/accept_authority`,
      codec: empty,
      handle: (ctx, _msg, signer) => this.#accept(ctx, signer.address),
    });
    const cancel = defineMessage<Record<string, never>>({
      type: `${m}/cancel_authority_transfer`,
      codec: empty,
      handle: (ctx, _msg, signer) => this.#cancel(ctx, signer.address),
    });
    this.msg = { transfer, accept, cancel };
    this.messages = [transfer, accept, cancel] as MessageType<unknown>[];
  }

  /** The current record (no authority and nothing pending if none was ever set). */
  async record(state: State): Promise<AuthorityRecord> {
    return (await this.#table.get(state, 'record')) ?? { authority: null, pending: null };
  }

  /**
   * Throws `UnauthorizedError` unless `signer` is the current authority (`requireAuthority`);
   * `action` says what it tried. Given a context, the refusal names the signer with the chain's prefix.
   */
  async require(at: State | ModuleContext, signer: Uint8Array, action: string): Promise<void> {
    const ctx = 'state' in at ? at : undefined;
    const { authority } = await this.record(ctx?.state ?? (at as State));
    requireAuthority(authority, signer, {
      role: `the ${this.options.module} authority`,
      action,
      addressPrefix: this.options.addressPrefix ?? ctx?.addressPrefix ?? 'joule',
      refuse: (message) => new UnauthorizedError(message, { module: this.options.module }),
    });
  }

  /** Genesis init: writes the record. */
  init(state: State, genesis: AuthorityGenesis): void {
    this.#table.set(state, 'record', { authority: genesis.authority, pending: genesis.pendingAuthority });
  }

  /** Reads `authority` and `pendingAuthority` of a module's genesis section (`section` names it in errors). */
  parse(o: Record<string, unknown>, section: string, addressPrefix?: string): AuthorityGenesis {
    const prefix = this.options.addressPrefix ?? addressPrefix ?? 'joule';
    const read = (key: 'authority' | 'pendingAuthority'): Uint8Array | null =>
      o[key] == null ? null : parseAddress(jsonString(o[key], `${section}.${key}`), prefix);
    const authority = read('authority');
    const pendingAuthority = read('pendingAuthority');
    if (pendingAuthority !== null && authority === null)
      throw new GenesisError(`${section}.pendingAuthority: there is no authority to hand over`);
    if (pendingAuthority !== null && authority !== null && equal(authority, pendingAuthority))
      throw new GenesisError(`${section}.pendingAuthority: the authority itself`);
    return { authority, pendingAuthority };
  }

  /** The genesis fields of the record (`pendingAuthority` only while a handover is open). */
  async export(
    state: State,
    addressPrefix?: string,
  ): Promise<{ authority: string | null; pendingAuthority?: string }> {
    const r = await this.record(state);
    const prefix = this.options.addressPrefix ?? addressPrefix ?? 'joule';
    return {
      authority: r.authority === null ? null : formatAddress(r.authority, prefix),
      ...(r.pending === null ? {} : { pendingAuthority: formatAddress(r.pending, prefix) }),
    };
  }

  async #transfer(ctx: TxContext, next: Uint8Array, signer: Uint8Array): Promise<void> {
    await this.require(ctx, signer, 'hand over the authority');
    if (equal(next, signer))
      throw new AuthorityError(
        'AUTHORITY_UNCHANGED',
        `${this.#format(ctx, signer)} already holds the authority`,
        {
          module: this.options.module,
        },
      );
    this.#table.set(ctx.state, 'record', { authority: signer, pending: next });
    ctx.emit(this.#events.proposed({ authority: signer, pending: next }));
  }

  async #accept(ctx: TxContext, signer: Uint8Array): Promise<void> {
    const r = await this.record(ctx.state);
    if (r.pending === null || r.authority === null || !equal(r.pending, signer))
      throw new AuthorityError(
        'AUTHORITY_NOT_PENDING',
        `${this.#format(ctx, signer)} was not proposed as the ${this.options.module} authority: the authority sends ${this.options.module}/transfer_authority first`,
        { module: this.options.module },
      );
    this.#table.set(ctx.state, 'record', { authority: signer, pending: null });
    ctx.emit(this.#events.changed({ authority: signer, previous: r.authority }));
  }

  async #cancel(ctx: TxContext, signer: Uint8Array): Promise<void> {
    await this.require(ctx, signer, 'cancel a handover');
    const r = await this.record(ctx.state);
    if (r.pending === null)
      throw new AuthorityError('AUTHORITY_NONE_PENDING', `no ${this.options.module} authority was proposed`, {
        module: this.options.module,
      });
    this.#table.set(ctx.state, 'record', { authority: signer, pending: null });
    ctx.emit(this.#events.cancelled({ authority: signer, pending: r.pending }));
  }

  #format(ctx: ModuleContext, address: Uint8Array): string {
    return formatAddress(address, this.options.addressPrefix ?? ctx.addressPrefix);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
