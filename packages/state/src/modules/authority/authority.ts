import {
  address as addressCodec,
  type Codec,
  formatAddress,
  nullable,
  parseAddress,
  struct,
} from '@joule/consensus';
import { jsonString } from '../../app/genesis.js';
import { defineEvent, defineMessage, type MessageType, type TxContext } from '../../app/module.js';
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
  /** Bech32 prefix of addresses in events, errors and genesis files. */
  readonly addressPrefix: string;
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

  /** Throws `UnauthorizedError` unless `signer` is the current authority; `action` says what it tried. */
  async require(state: State, signer: Uint8Array, action: string): Promise<void> {
    const { authority } = await this.record(state);
    if (authority === null || !equal(authority, signer)) {
      throw new UnauthorizedError(
        `${this.#format(signer)} is not the ${this.options.module} authority and cannot ${action}`,
        { module: this.options.module },
      );
    }
  }

  /** Genesis init: writes the record. */
  init(state: State, genesis: AuthorityGenesis): void {
    this.#table.set(state, 'record', { authority: genesis.authority, pending: genesis.pendingAuthority });
  }

  /** Reads `authority` and `pendingAuthority` of a module's genesis section (`section` names it in errors). */
  parse(o: Record<string, unknown>, section: string): AuthorityGenesis {
    const read = (key: 'authority' | 'pendingAuthority'): Uint8Array | null =>
      o[key] == null
        ? null
        : parseAddress(jsonString(o[key], `${section}.${key}`), this.options.addressPrefix);
    const authority = read('authority');
    const pendingAuthority = read('pendingAuthority');
    if (pendingAuthority !== null && authority === null)
      throw new GenesisError(`${section}.pendingAuthority: there is no authority to hand over`);
    if (pendingAuthority !== null && authority !== null && equal(authority, pendingAuthority))
      throw new GenesisError(`${section}.pendingAuthority: the authority itself`);
    return { authority, pendingAuthority };
  }

  /** The genesis fields of the record (`pendingAuthority` only while a handover is open). */
  async export(state: State): Promise<{ authority: string | null; pendingAuthority?: string }> {
    const r = await this.record(state);
    return {
      authority: r.authority === null ? null : this.#format(r.authority),
      ...(r.pending === null ? {} : { pendingAuthority: this.#format(r.pending) }),
    };
  }

  async #transfer(ctx: TxContext, next: Uint8Array, signer: Uint8Array): Promise<void> {
    await this.require(ctx.state, signer, 'hand over the authority');
    if (equal(next, signer))
      throw new AuthorityError('AUTHORITY_UNCHANGED', `${this.#format(signer)} already holds the authority`, {
        module: this.options.module,
      });
    this.#table.set(ctx.state, 'record', { authority: signer, pending: next });
    ctx.emit(this.#events.proposed({ authority: this.#format(signer), pending: this.#format(next) }));
  }

  async #accept(ctx: TxContext, signer: Uint8Array): Promise<void> {
    const r = await this.record(ctx.state);
    if (r.pending === null || r.authority === null || !equal(r.pending, signer))
      throw new AuthorityError(
        'AUTHORITY_NOT_PENDING',
        `${this.#format(signer)} was not proposed as the ${this.options.module} authority: the authority sends ${this.options.module}/transfer_authority first`,
        { module: this.options.module },
      );
    this.#table.set(ctx.state, 'record', { authority: signer, pending: null });
    ctx.emit(this.#events.changed({ authority: this.#format(signer), previous: this.#format(r.authority) }));
  }

  async #cancel(ctx: TxContext, signer: Uint8Array): Promise<void> {
    await this.require(ctx.state, signer, 'cancel a handover');
    const r = await this.record(ctx.state);
    if (r.pending === null)
      throw new AuthorityError('AUTHORITY_NONE_PENDING', `no ${this.options.module} authority was proposed`, {
        module: this.options.module,
      });
    this.#table.set(ctx.state, 'record', { authority: signer, pending: null });
    ctx.emit(this.#events.cancelled({ authority: this.#format(signer), pending: this.#format(r.pending) }));
  }

  #format(address: Uint8Array): string {
    return formatAddress(address, this.options.addressPrefix);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
