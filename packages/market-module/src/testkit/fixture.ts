import { addressOf, type ExecTxResult, formatAddress, type KeyPair } from '@joule/consensus';
import { coreModules, type MessageType, txMessage } from '@joule/state';
import { TestChain, type TestChainOptions, testGenesisTimeMs, testKey } from '@joule/state/testkit';
import { type MarketModule, market } from '../module/market.js';

/** Test fixtures for the market module (not part of the package's API; excluded from the published files). */
export const G = testGenesisTimeMs / 1000; // genesis time, Unix s (a multiple of 900)
export const keys = {
  admin: testKey(10),
  alice: testKey(11),
  bob: testKey(12),
  carol: testKey(13),
  dave: testKey(14),
};
export const addr = (k: KeyPair): Uint8Array => addressOf(k.publicKey);
export const bech = (k: KeyPair): string => formatAddress(addr(k), 'joule');
export const paperPrices = {
  pBuyBAU: 21_000_000n,
  pSellBAU: 6_000_000n,
  pBuyLEM: 16_000_000n,
  pSellLEM: 9_000_000n,
  beta: 0n,
};

export interface Fixture {
  readonly chain: TestChain;
  readonly m: MarketModule;
  readonly core: ReturnType<typeof coreModules>;
  send<M>(signer: KeyPair, type: MessageType<M>, message: M): Promise<ExecTxResult>;
  balance(k: KeyPair | Uint8Array): Promise<bigint>;
  supply(): Promise<bigint>;
}

/** A chain with auth, bank and market; every key funded with `funds` uECT unless `balances` says otherwise. */
export async function marketChain(
  options: {
    market?: Record<string, unknown>;
    funds?: bigint;
    balances?: Partial<Record<keyof typeof keys, bigint>>;
    app?: TestChainOptions['app'];
  } = {},
): Promise<Fixture> {
  const core = coreModules();
  const m = market({}, { bank: core.bank.keeper });
  const funds = options.funds ?? 1_000_000_000n;
  const balances = Object.entries(keys).map(([name, k]) => ({
    address: bech(k),
    denom: 'uect',
    amount: String(options.balances?.[name as keyof typeof keys] ?? funds),
  }));
  const chain = await TestChain.create({
    modules: [...core.modules, m],
    accounts: core.accounts,
    genesis: {
      auth: { accounts: Object.values(keys).map((k) => ({ address: bech(k) })) },
      bank: { authority: bech(keys.admin), balances },
      market: { admin: bech(keys.admin), ...options.market },
    },
    ...(options.app === undefined ? {} : { app: options.app }),
  });
  return {
    chain,
    m,
    core,
    send: (signer, type, message) => chain.deliver(signer, txMessage(type, message)),
    balance: (k) =>
      chain.query('bank', core.bank.query.balance, {
        address: k instanceof Uint8Array ? k : addr(k),
        denom: 'uect',
      }),
    supply: () => chain.query('bank', core.bank.query.supply, { denom: 'uect' }),
  };
}

/** Runs empty blocks until `done()` or `max` blocks; returns how many ran. */
export async function blocksUntil(
  chain: TestChain,
  done: () => Promise<boolean>,
  max = 500,
): Promise<number> {
  for (let n = 1; n <= max; n++) {
    await chain.block();
    if (await done()) return n;
  }
  throw new Error(`not done after ${max} blocks`);
}
