import {
  address as addressCodec,
  type Codec,
  formatAddress,
  fromHex,
  nullable,
  parseAddress,
  publicKey,
  struct,
  toHex,
  uint,
} from '@joule/consensus';
import type { AccountKeeper } from '../../app/ante.js';
import { jsonArray, jsonObject, jsonString } from '../../app/genesis.js';
import {
  defineEvent,
  defineQuery,
  type EmittedEvent,
  type Module,
  type QueryType,
  type Signer,
} from '../../app/module.js';
import { type State, StoreKey, Table } from '../../app/state.js';
import { GenesisError, TxError } from '../../app/tx-errors.js';
import { maxGenesisAccounts } from '../../constants.js';
import { assertSafePublicKey, unsafeKeyReason } from './public-key.js';

/** An account: its public key once it has signed, and the nonce its next transaction must carry. */
export interface Account {
  readonly publicKey: Uint8Array | null;
  readonly nonce: number;
}

export const accountCodec: Codec<Account> = struct<Account>('Account', {
  publicKey: nullable(publicKey),
  nonce: uint(),
});
const accounts = new Table('auth', 'a', (address: Uint8Array) => address, accountCodec);
const accountCreated = defineEvent('auth.account_created', ['address']);

export interface AuthGenesis {
  readonly accounts: readonly {
    readonly address: Uint8Array;
    readonly publicKey: Uint8Array | null;
    readonly nonce: number;
  }[];
}

/** What other modules use of auth: accounts, created on first receipt. */
export interface AuthKeeper extends AccountKeeper {
  account(state: State, address: Uint8Array): Promise<Account | undefined>;
  /** Creates an empty account for `address` if there is none (on first receipt); true if created. */
  ensureAccount(state: State, address: Uint8Array, emit?: (event: EmittedEvent) => void): Promise<boolean>;
}

export interface AuthOptions {
  /** Bech32 prefix of addresses in genesis files (default `joule`). */
  readonly addressPrefix?: string;
  /** Let an unknown signer's first transaction create its account (default false: accounts come from genesis or a receipt). */
  readonly createOnFirstTx?: boolean;
}

export type AuthModule = Module<AuthGenesis> & {
  readonly keeper: AuthKeeper;
  readonly query: { readonly account: QueryType<{ address: Uint8Array }, Account | null> };
};

/** The `auth` module: accounts, public keys and nonces (the ante chain's replay protection). */
export function auth(options: AuthOptions = {}): AuthModule {
  const fixedPrefix = options.addressPrefix;
  const prefix = fixedPrefix ?? 'joule';
  // auth's store key, this instance's own and held by its keeper: other modules reach accounts only
  // through the keeper, and a second `auth()` (any module author can build one) cannot open them.
  const storeKey = new StoreKey('auth');
  const keeper: AuthKeeper = {
    account: (state, address) => accounts.get(storeKey.state(state), address),
    async ensureAccount(caller, address, emit) {
      const state = storeKey.state(caller);
      if ((await accounts.get(state, address)) !== undefined) return false;
      accounts.set(state, address, { publicKey: null, nonce: 0 });
      emit?.(accountCreated({ address }));
      return true;
    },
    async useNonce(caller: State, signer: Signer, nonce: number) {
      const state = storeKey.state(caller);
      const account = await accounts.get(state, signer.address);
      if (account === undefined && options.createOnFirstTx !== true) {
        throw new TxError('TX_UNKNOWN_ACCOUNT', `no account ${formatAddress(signer.address, prefix)}`);
      }
      const expected = account?.nonce ?? 0;
      if (nonce !== expected) {
        throw new TxError('TX_BAD_NONCE', `nonce ${nonce} is not the account's next nonce ${expected}`, {
          expected,
          got: nonce,
        });
      }
      // The account's key is bound on its first transaction: never to a key anyone could sign for.
      if (account?.publicKey == null) assertSafePublicKey(signer.publicKey, 'the public key');
      accounts.set(state, signer.address, { publicKey: signer.publicKey, nonce: expected + 1 });
    },
  };
  const accountQuery = defineQuery({
    path: 'account',
    request: struct<{ address: Uint8Array }>('AccountRequest', { address: addressCodec }),
    response: nullable(accountCodec),
    handle: async (ctx, request) => (await accounts.get(ctx.state, request.address)) ?? null,
  });
  return {
    name: 'auth',
    storeKey,
    keeper,
    query: { account: accountQuery },
    genesis: {
      default: () => ({ accounts: [] }),
      parse(json, env) {
        const prefix = fixedPrefix ?? env?.addressPrefix ?? 'joule';
        const list = jsonArray(jsonObject(json, 'auth').accounts ?? [], 'auth.accounts', maxGenesisAccounts);
        return {
          accounts: list.map((item, i) => {
            const row = jsonObject(item, `auth.accounts[${i}]`);
            const key =
              row.publicKey === undefined
                ? null
                : hexKey(
                    jsonString(row.publicKey, `auth.accounts[${i}].publicKey`),
                    `auth.accounts[${i}].publicKey`,
                  );
            const nonce = row.nonce ?? 0;
            if (typeof nonce !== 'number' || !Number.isSafeInteger(nonce) || nonce < 0) {
              throw new GenesisError(`auth.accounts[${i}].nonce: expected a non-negative integer`);
            }
            return {
              address: parseAddress(jsonString(row.address, `auth.accounts[${i}].address`), prefix),
              publicKey: key,
              nonce,
            };
          }),
        };
      },
      async init(ctx, genesis) {
        for (const a of genesis.accounts)
          accounts.set(ctx.state, a.address, { publicKey: a.publicKey, nonce: a.nonce });
      },
      async export(ctx) {
        const prefix = fixedPrefix ?? ctx.addressPrefix;
        const rows = await accounts.all(ctx.state);
        return {
          accounts: rows.map(([address, account]) => ({
            address: formatAddress(address, prefix),
            ...(account.publicKey === null ? {} : { publicKey: toHex(account.publicKey) }),
            nonce: account.nonce,
          })),
        };
      },
    },
    queries: [accountQuery],
    routes: [
      {
        method: 'GET',
        path: '/auth/accounts/:address',
        target: 'account',
        description: 'An account: public key and next nonce',
      },
    ],
  };
}

function hexKey(text: string, field: string): Uint8Array {
  let key: Uint8Array | undefined;
  try {
    key = fromHex(text);
  } catch {
    // reported below
  }
  if (key?.length !== 32)
    throw new GenesisError(`${field}: "${text.slice(0, 80)}" is not a 32-byte hex public key`);
  const reason = unsafeKeyReason(key);
  if (reason !== undefined)
    throw new GenesisError(
      `${field}: ${text} is not a safe public key (${reason}: anyone could sign for it)`,
      {
        reason,
      },
    );
  return key;
}
