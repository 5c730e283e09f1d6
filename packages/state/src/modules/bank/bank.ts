import { address as addressCodec, formatAddress, list, parseAddress, struct } from '@joule/consensus';
import { jsonAmount, jsonArray, jsonObject, jsonString } from '../../app/genesis.js';
import {
  defineMessage,
  defineQuery,
  type MessageType,
  type Module,
  type QueryType,
} from '../../app/module.js';
import { type State, StoreKey } from '../../app/state.js';
import { GenesisError, TxError } from '../../app/tx-errors.js';
import { maxBalancesPerQuery, maxGenesisBalances } from '../../constants.js';
import type { AuthKeeper } from '../auth/auth.js';
import { Authority, type TransferAuthority } from '../authority/authority.js';
import { BankKeeper } from './bank-keeper.js';
import {
  amount,
  type Burn,
  burnCodec,
  denom,
  denomPattern,
  type Mint,
  type MultiSend,
  mintCodec,
  multiSendCodec,
  type Send,
  sendCodec,
  tables,
} from './bank-types.js';

export interface BankGenesis {
  /** The account allowed to mint and burn (`null`: none). */
  readonly authority: Uint8Array | null;
  /** Its proposed successor, while a handover is open. */
  readonly pendingAuthority: Uint8Array | null;
  readonly balances: readonly {
    readonly address: Uint8Array;
    readonly denom: string;
    readonly amount: bigint;
  }[];
  /**
   * The least amount a `send` or `multiSend` output may carry to an address that has no account
   * yet (any denomination; 0 or absent: no minimum). Without fees, this is what creating an
   * account costs a sender: a chain sets it in its denomination (`"1000000"` uect is 1 ECT).
   */
  readonly minNewAccountAmount?: bigint;
}

export interface BankOptions {
  /** Bech32 prefix of addresses in genesis files and events (default `joule`). */
  readonly addressPrefix?: string;
}

export type BankModule = Module<BankGenesis> & {
  readonly keeper: BankKeeper;
  readonly authority: Authority;
  readonly msg: {
    readonly send: MessageType<Send>;
    readonly multiSend: MessageType<MultiSend>;
    readonly mint: MessageType<Mint>;
    readonly burn: MessageType<Burn>;
    readonly transferAuthority: MessageType<TransferAuthority>;
    readonly acceptAuthority: MessageType<Record<string, never>>;
    readonly cancelAuthorityTransfer: MessageType<Record<string, never>>;
  };
  readonly query: {
    readonly balance: QueryType<{ address: Uint8Array; denom: string }, bigint>;
    readonly supply: QueryType<{ denom: string }, bigint>;
    readonly balances: QueryType<{ address: Uint8Array }, { denom: string; amount: bigint }[]>;
  };
};

const positive = (s: Send): string | undefined => (s.amount === 0n ? 'amount must be positive' : undefined);

/**
 * The `bank` module: bigint balances per denomination, send and multi-send, mint by the authority
 * named in genesis and burn by it of its own balance only, total supply per denomination, the
 * authority's two-step handover, and `bank.*` events. Other modules burn through the keeper.
 */
export function bank(options: BankOptions, dependencies: { readonly auth: AuthKeeper }): BankModule {
  const fixedPrefix = options.addressPrefix;
  /** Refuses a transfer of less than the chain's minimum to an address with no account yet. */
  const requireNewAccountMinimum = async (state: State, to: Uint8Array, amount: bigint): Promise<void> => {
    const min = (await tables.params.get(state, 'min_new_account')) ?? 0n;
    if (amount >= min || (await dependencies.auth.account(state, to)) !== undefined) return;
    throw new TxError(
      'BANK_NEW_ACCOUNT_MINIMUM',
      `a transfer that creates an account must carry at least ${min}, not ${amount}`,
      { minimum: min, amount },
    );
  };
  // One store key per instance: a second `bank()` (any module author can build one) gets its own,
  // which the application did not register, so its keeper cannot open this bank's store.
  const storeKey = new StoreKey('bank');
  const keeper = new BankKeeper(dependencies.auth, fixedPrefix ?? 'joule', storeKey);
  const authority = new Authority({
    module: 'bank',
    ...(fixedPrefix === undefined ? {} : { addressPrefix: fixedPrefix }),
  });
  const send = defineMessage({
    type: 'bank/send',
    codec: sendCodec,
    validate: positive,
    async handle(ctx, m, signer) {
      await requireNewAccountMinimum(ctx.state, m.to, m.amount);
      await keeper.send(ctx.state, ctx.emit, signer.address, m.to, m.denom, m.amount);
    },
  });
  const multiSend = defineMessage({
    type: 'bank/multi_send',
    codec: multiSendCodec,
    validate: (m) =>
      m.outputs.length === 0 ? 'at least one output' : m.outputs.map(positive).find((p) => p !== undefined),
    async handle(ctx, m, signer) {
      for (const o of m.outputs) {
        await requireNewAccountMinimum(ctx.state, o.to, o.amount);
        await keeper.send(ctx.state, ctx.emit, signer.address, o.to, o.denom, o.amount);
      }
    },
  });
  const mint = defineMessage({
    type: 'bank/mint',
    codec: mintCodec,
    validate: positive,
    async handle(ctx, m, signer) {
      await authority.require(ctx, signer.address, 'mint');
      await keeper.mint(ctx.state, ctx.emit, m.to, m.denom, m.amount);
    },
  });
  const burn = defineMessage({
    type: 'bank/burn',
    codec: burnCodec,
    validate: (m) => (m.amount === 0n ? 'amount must be positive' : undefined),
    async handle(ctx, m, signer) {
      await authority.require(ctx, signer.address, 'burn');
      await keeper.burn(ctx.state, ctx.emit, signer.address, m.denom, m.amount);
    },
  });
  const balance = defineQuery({
    path: 'balance',
    request: struct<{ address: Uint8Array; denom: string }>('BalanceRequest', {
      address: addressCodec,
      denom,
    }),
    response: amount,
    handle: (ctx, r) => keeper.balance(ctx.state, r.address, r.denom),
  });
  const supply = defineQuery({
    path: 'supply',
    request: struct<{ denom: string }>('SupplyRequest', { denom }),
    response: amount,
    handle: (ctx, r) => keeper.supply(ctx.state, r.denom),
  });
  const balances = defineQuery({
    path: 'balances',
    request: struct<{ address: Uint8Array }>('BalancesRequest', { address: addressCodec }),
    response: list(struct<{ denom: string; amount: bigint }>('Coin', { denom, amount }), maxBalancesPerQuery),
    async handle(ctx, r) {
      const rows = await tables.balance.entries(ctx.state, r.address, maxBalancesPerQuery);
      return rows.map(([key, value]) => ({
        denom: new TextDecoder().decode(key.subarray(20)),
        amount: value,
      }));
    },
  });
  return {
    name: 'bank',
    storeKey,
    keeper,
    authority,
    msg: {
      send,
      multiSend,
      mint,
      burn,
      transferAuthority: authority.msg.transfer,
      acceptAuthority: authority.msg.accept,
      cancelAuthorityTransfer: authority.msg.cancel,
    },
    query: { balance, supply, balances },
    messages: [send, multiSend, mint, burn, ...authority.messages],
    queries: [balance, supply, balances],
    genesis: {
      default: () => ({ authority: null, pendingAuthority: null, balances: [] }),
      parse(json, env) {
        const prefix = fixedPrefix ?? env?.addressPrefix ?? 'joule';
        const o = jsonObject(json, 'bank');
        const rows = jsonArray(o.balances ?? [], 'bank.balances', maxGenesisBalances).map((item, i) => {
          const row = jsonObject(item, `bank.balances[${i}]`);
          const d = jsonString(row.denom, `bank.balances[${i}].denom`);
          if (!denomPattern.test(d))
            throw new GenesisError(`bank.balances[${i}].denom: bad denomination "${d}"`);
          const address = parseAddress(jsonString(row.address, `bank.balances[${i}].address`), prefix);
          return { address, denom: d, amount: jsonAmount(row.amount, `bank.balances[${i}].amount`) };
        });
        const min =
          o.minNewAccountAmount === undefined
            ? 0n
            : jsonAmount(o.minNewAccountAmount, 'bank.minNewAccountAmount');
        return { ...authority.parse(o, 'bank', prefix), balances: rows, minNewAccountAmount: min };
      },
      async init(ctx, genesis) {
        authority.init(ctx.state, genesis);
        const min = genesis.minNewAccountAmount ?? 0n;
        if (min > 0n) tables.params.set(ctx.state, 'min_new_account', min);
        for (const b of genesis.balances) {
          if (b.amount > 0n) await keeper.mint(ctx.state, () => {}, b.address, b.denom, b.amount);
        }
      },
      async export(ctx) {
        const prefix = fixedPrefix ?? ctx.addressPrefix;
        const rows = await tables.balance.all(ctx.state);
        const min = await tables.params.get(ctx.state, 'min_new_account');
        return {
          ...(await authority.export(ctx.state, prefix)),
          ...(min === undefined ? {} : { minNewAccountAmount: min.toString() }),
          balances: rows.map(([key, value]) => ({
            address: formatAddress(key.subarray(0, 20), prefix),
            denom: new TextDecoder().decode(key.subarray(20)),
            amount: value.toString(),
          })),
        };
      },
    },
    routes: [
      {
        method: 'GET',
        path: '/bank/balances/:address',
        target: 'balances',
        description: 'All balances of an account',
      },
      {
        method: 'GET',
        path: '/bank/balances/:address/:denom',
        target: 'balance',
        description: 'One balance',
      },
      {
        method: 'GET',
        path: '/bank/supply/:denom',
        target: 'supply',
        description: 'Total supply of a denomination',
      },
    ],
  };
}
