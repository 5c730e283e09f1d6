import { address as addressCodec, formatAddress, list, parseAddress, struct } from '@joule/consensus';
import { jsonAmount, jsonArray, jsonObject, jsonString } from '../../app/genesis.js';
import {
  defineMessage,
  defineQuery,
  type MessageType,
  type Module,
  type QueryType,
} from '../../app/module.js';
import { GenesisError, UnauthorizedError } from '../../app/tx-errors.js';
import { maxBalancesPerQuery, maxGenesisBalances } from '../../constants.js';
import type { AuthKeeper } from '../auth/auth.js';
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
  readonly authority: Uint8Array | null;
  readonly balances: readonly {
    readonly address: Uint8Array;
    readonly denom: string;
    readonly amount: bigint;
  }[];
}

export interface BankOptions {
  /** Bech32 prefix of addresses in genesis files and events (default `joule`). */
  readonly addressPrefix?: string;
}

export type BankModule = Module<BankGenesis> & {
  readonly keeper: BankKeeper;
  readonly msg: {
    readonly send: MessageType<Send>;
    readonly multiSend: MessageType<MultiSend>;
    readonly mint: MessageType<Mint>;
    readonly burn: MessageType<Burn>;
  };
  readonly query: {
    readonly balance: QueryType<{ address: Uint8Array; denom: string }, bigint>;
    readonly supply: QueryType<{ denom: string }, bigint>;
    readonly balances: QueryType<{ address: Uint8Array }, { denom: string; amount: bigint }[]>;
  };
};

const positive = (s: Send): string | undefined => (s.amount === 0n ? 'amount must be positive' : undefined);

/**
 * The `bank` module: bigint balances per denomination, send and multi-send, mint and burn by the
 * authority named in genesis, total supply per denomination, and `bank.*` events.
 */
export function bank(options: BankOptions, dependencies: { readonly auth: AuthKeeper }): BankModule {
  const prefix = options.addressPrefix ?? 'joule';
  const keeper = new BankKeeper(dependencies.auth, prefix);
  const requireAuthority = async (
    state: Parameters<BankKeeper['balance']>[0],
    signer: Uint8Array,
  ): Promise<void> => {
    const params = await tables.params.get(state, 'params');
    if (params?.authority == null || Buffer.compare(params.authority, signer) !== 0) {
      throw new UnauthorizedError(`${formatAddress(signer, prefix)} is not the bank authority`);
    }
  };
  const send = defineMessage({
    type: 'bank/send',
    codec: sendCodec,
    validate: positive,
    handle: (ctx, m, signer) => keeper.send(ctx.state, ctx.emit, signer.address, m.to, m.denom, m.amount),
  });
  const multiSend = defineMessage({
    type: 'bank/multi_send',
    codec: multiSendCodec,
    validate: (m) =>
      m.outputs.length === 0 ? 'at least one output' : m.outputs.map(positive).find((p) => p !== undefined),
    async handle(ctx, m, signer) {
      for (const o of m.outputs)
        await keeper.send(ctx.state, ctx.emit, signer.address, o.to, o.denom, o.amount);
    },
  });
  const mint = defineMessage({
    type: 'bank/mint',
    codec: mintCodec,
    validate: positive,
    async handle(ctx, m, signer) {
      await requireAuthority(ctx.state, signer.address);
      await keeper.mint(ctx.state, ctx.emit, m.to, m.denom, m.amount);
    },
  });
  const burn = defineMessage({
    type: 'bank/burn',
    codec: burnCodec,
    validate: (m) => (m.amount === 0n ? 'amount must be positive' : undefined),
    async handle(ctx, m, signer) {
      await requireAuthority(ctx.state, signer.address);
      await keeper.burn(ctx.state, ctx.emit, m.from, m.denom, m.amount);
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
    keeper,
    msg: { send, multiSend, mint, burn },
    query: { balance, supply, balances },
    messages: [send, multiSend, mint, burn],
    queries: [balance, supply, balances],
    genesis: {
      default: () => ({ authority: null, balances: [] }),
      parse(json) {
        const o = jsonObject(json, 'bank');
        const authority =
          o.authority == null ? null : parseAddress(jsonString(o.authority, 'bank.authority'), prefix);
        const rows = jsonArray(o.balances ?? [], 'bank.balances', maxGenesisBalances).map((item, i) => {
          const row = jsonObject(item, `bank.balances[${i}]`);
          const d = jsonString(row.denom, `bank.balances[${i}].denom`);
          if (!denomPattern.test(d))
            throw new GenesisError(`bank.balances[${i}].denom: bad denomination "${d}"`);
          const address = parseAddress(jsonString(row.address, `bank.balances[${i}].address`), prefix);
          return { address, denom: d, amount: jsonAmount(row.amount, `bank.balances[${i}].amount`) };
        });
        return { authority, balances: rows };
      },
      async init(ctx, genesis) {
        tables.params.set(ctx.state, 'params', { authority: genesis.authority });
        for (const b of genesis.balances) {
          if (b.amount > 0n) await keeper.mint(ctx.state, () => {}, b.address, b.denom, b.amount);
        }
      },
      async export(ctx) {
        const params = await tables.params.get(ctx.state, 'params');
        const rows = await tables.balance.all(ctx.state);
        return {
          authority: params?.authority == null ? null : formatAddress(params.authority, prefix),
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
