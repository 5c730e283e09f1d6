import {
  bigint,
  type Codec,
  fromHex,
  list,
  maxTotalVotingPower,
  maxValidators,
  publicKey,
  struct,
  toHex,
} from '@joule/consensus';
import { jsonAmount, jsonArray, jsonObject, jsonString } from '../../app/genesis.js';
import {
  defineEvent,
  defineMessage,
  defineQuery,
  type MessageType,
  type Module,
  type QueryType,
  type TxContext,
} from '../../app/module.js';
import { Table } from '../../app/state.js';
import { GenesisError, TxError } from '../../app/tx-errors.js';
import { assertSafePublicKey, unsafeKeyReason } from '../auth/public-key.js';
import { Authority, type TransferAuthority } from '../authority/authority.js';

const power: Codec<bigint> = bigint(0n, maxTotalVotingPower);

export interface SetValidator {
  readonly pubKey: Uint8Array;
  readonly power: bigint;
}
const setValidatorCodec = struct<SetValidator>('SetValidator', { pubKey: publicKey, power });
const removeValidatorCodec = struct<{ pubKey: Uint8Array }>('RemoveValidator', { pubKey: publicKey });

/**
 * A validator's change in the current block: its power before the block's first change and after
 * the last (0 = not in the set). End-block emits only changes whose power really differs, so adding
 * and removing a validator in one block never sends consensus a removal of an unknown validator.
 */
interface PendingChange {
  readonly before: bigint;
  readonly after: bigint;
}

/** State (poa's store): `v/<pubKey>` power, `u/<pubKey>` pending change for end-block (the authority: `A/`). */
const tables = {
  validators: new Table('poa', 'v', (k: Uint8Array) => k, power),
  pending: new Table(
    'poa',
    'u',
    (k: Uint8Array) => k,
    struct<PendingChange>('PoaPendingChange', { before: power, after: power }),
  ),
};

const validatorEvent = defineEvent('poa.validator', ['pubKey', 'power', 'action']);

export interface PoaGenesis {
  /** The account that manages the validator set (`null`: none, the set is fixed). */
  readonly authority: Uint8Array | null;
  /** Its proposed successor, while a handover is open. */
  readonly pendingAuthority: Uint8Array | null;
  /** Empty: take the genesis file's validators. */
  readonly validators: readonly SetValidator[];
}

export type PoaModule = Module<PoaGenesis> & {
  readonly authority: Authority;
  readonly msg: {
    readonly addValidator: MessageType<SetValidator>;
    readonly setPower: MessageType<SetValidator>;
    readonly removeValidator: MessageType<{ pubKey: Uint8Array }>;
    readonly transferAuthority: MessageType<TransferAuthority>;
    readonly acceptAuthority: MessageType<Record<string, never>>;
    readonly cancelAuthorityTransfer: MessageType<Record<string, never>>;
  };
  readonly query: { readonly validators: QueryType<Record<string, never>, SetValidator[]> };
};

/**
 * The `poa` module: the authority named in genesis adds, removes and re-weights validators. Changes
 * are collected during the block and returned from `finalizeBlock` by the end-block hook, so
 * consensus applies them at H+2. A change that would leave no validator or no voting power is refused.
 */
export function poa(options: { readonly addressPrefix?: string } = {}): PoaModule {
  const fixedPrefix = options.addressPrefix;
  const authority = new Authority({
    module: 'poa',
    ...(fixedPrefix === undefined ? {} : { addressPrefix: fixedPrefix }),
  });
  const change = async (ctx: TxContext, key: Uint8Array, next: bigint, action: string): Promise<void> => {
    const set = await tables.validators.entries(ctx.state, new Uint8Array(0), maxValidators + 1);
    const current = await tables.validators.get(ctx.state, key);
    let total = 0n;
    for (const [, p] of set) total += p;
    total += next - (current ?? 0n);
    const count = set.length + (current === undefined ? 1 : 0) - (next === 0n ? 1 : 0);
    if (count <= 0 || total <= 0n)
      throw new TxError('POA_NO_VALIDATORS', 'the change would leave no validator or no voting power');
    if (count > maxValidators)
      throw new TxError('POA_TOO_MANY_VALIDATORS', `more than ${maxValidators} validators`);
    if (total > maxTotalVotingPower) throw new TxError('POA_POWER_OVERFLOW', 'total voting power too large');
    if (next === 0n) tables.validators.delete(ctx.state, key);
    else tables.validators.set(ctx.state, key, next);
    const before = (await tables.pending.get(ctx.state, key))?.before ?? current ?? 0n;
    tables.pending.set(ctx.state, key, { before, after: next });
    ctx.emit(validatorEvent({ pubKey: key, power: next, action }));
  };
  const add = defineMessage({
    type: 'poa/add_validator',
    codec: setValidatorCodec,
    validate: (m) => (m.power === 0n ? 'power must be positive' : undefined),
    async handle(ctx, m, signer) {
      await authority.require(ctx, signer.address, 'add validators');
      assertSafePublicKey(m.pubKey, 'the validator key');
      if ((await tables.validators.get(ctx.state, m.pubKey)) !== undefined) {
        throw new TxError('POA_VALIDATOR_EXISTS', 'validator already in the set');
      }
      await change(ctx, m.pubKey, m.power, 'add');
    },
  });
  const setPower = defineMessage({
    type: 'poa/set_power',
    codec: setValidatorCodec,
    validate: (m) => (m.power === 0n ? 'power must be positive (use poa/remove_validator)' : undefined),
    async handle(ctx, m, signer) {
      await authority.require(ctx, signer.address, 'set validator power');
      if ((await tables.validators.get(ctx.state, m.pubKey)) === undefined) {
        throw new TxError('POA_UNKNOWN_VALIDATOR', 'no such validator');
      }
      await change(ctx, m.pubKey, m.power, 'set_power');
    },
  });
  const remove = defineMessage({
    type: 'poa/remove_validator',
    codec: removeValidatorCodec,
    async handle(ctx, m, signer) {
      await authority.require(ctx, signer.address, 'remove validators');
      if ((await tables.validators.get(ctx.state, m.pubKey)) === undefined) {
        throw new TxError('POA_UNKNOWN_VALIDATOR', 'no such validator');
      }
      await change(ctx, m.pubKey, 0n, 'remove');
    },
  });
  const validators = defineQuery({
    path: 'validators',
    request: struct<Record<string, never>>('ValidatorsRequest', {}),
    response: list(setValidatorCodec, maxValidators),
    async handle(ctx) {
      const rows = await tables.validators.entries(ctx.state, new Uint8Array(0), maxValidators);
      return rows.map(([pubKey, p]) => ({ pubKey, power: p }));
    },
  });
  return {
    name: 'poa',
    authority,
    msg: {
      addValidator: add,
      setPower,
      removeValidator: remove,
      transferAuthority: authority.msg.transfer,
      acceptAuthority: authority.msg.accept,
      cancelAuthorityTransfer: authority.msg.cancel,
    },
    query: { validators },
    messages: [add, setPower, remove, ...authority.messages],
    queries: [validators],
    async endBlock(ctx) {
      for (const [pubKey, c] of await tables.pending.entries(ctx.state, new Uint8Array(0), maxValidators)) {
        if (c.after !== c.before) ctx.updateValidator({ pubKey, power: c.after });
        tables.pending.delete(ctx.state, pubKey);
      }
    },
    genesis: {
      default: () => ({ authority: null, pendingAuthority: null, validators: [] }),
      parse(json, env) {
        const o = jsonObject(json, 'poa');
        const vals = jsonArray(o.validators ?? [], 'poa.validators', maxValidators).map((item, i) => {
          const row = jsonObject(item, `poa.validators[${i}]`);
          const key = fromHex(jsonString(row.pubKey, `poa.validators[${i}].pubKey`));
          if (key.length !== 32)
            throw new GenesisError(`poa.validators[${i}].pubKey: expected 32 bytes of hex`);
          const unsafe = unsafeKeyReason(key);
          if (unsafe !== undefined)
            throw new GenesisError(
              `poa.validators[${i}].pubKey: not a safe public key (${unsafe}: anyone could sign for it)`,
              { reason: unsafe },
            );
          const p = jsonAmount(row.power, `poa.validators[${i}].power`);
          if (p === 0n) throw new GenesisError(`poa.validators[${i}].power: must be positive`);
          return { pubKey: key, power: p };
        });
        return { ...authority.parse(o, 'poa', env?.addressPrefix), validators: vals };
      },
      async init(ctx, genesis) {
        authority.init(ctx.state, genesis);
        const chosen =
          genesis.validators.length > 0
            ? genesis.validators
            : ctx.validators.map((v) => ({ pubKey: v.pubKey, power: v.power }));
        if (chosen.length === 0) throw new GenesisError('poa: no genesis validators');
        for (const v of chosen) {
          const unsafe = unsafeKeyReason(v.pubKey);
          if (unsafe !== undefined)
            throw new GenesisError(`poa: validator ${toHex(v.pubKey)} is not a safe public key (${unsafe})`, {
              reason: unsafe,
            });
        }
        for (const v of chosen) tables.validators.set(ctx.state, v.pubKey, v.power);
        if (genesis.validators.length > 0) for (const v of chosen) ctx.updateValidator(v);
      },
      async export(ctx) {
        const rows = await tables.validators.entries(ctx.state, new Uint8Array(0), maxValidators);
        return {
          ...(await authority.export(ctx.state, ctx.addressPrefix)),
          validators: rows.map(([pubKey, p]) => ({ pubKey: toHex(pubKey), power: p.toString() })),
        };
      },
    },
    routes: [
      {
        method: 'GET',
        path: '/poa/validators',
        target: 'validators',
        description: 'The validator set kept by poa',
      },
    ],
  };
}
