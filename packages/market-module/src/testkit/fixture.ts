import { addressOf, type ExecTxResult, formatAddress, type KeyPair } from '@joule/consensus';
import { coreModules, type MessageType, txMessage } from '@joule/state';
import { TestChain, type TestChainOptions, testGenesisTimeMs, testKey } from '@joule/state/testkit';
import { type MarketModule, market } from '../module/market.js';
import { type MeterReading, type PeriodSettlement, settlePeriod } from '../settlement/period.js';
import type { MarketPrices } from '../settlement/slot.js';

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

/** A measure as the market tests post them. */
export interface TestMeasure {
  readonly meterId: string;
  readonly tsStart: number;
  readonly cons: number | null;
  readonly prod?: number | null;
}

/**
 * The pure settlement of `measures` over `slots` slots of 900 s from `prices.tsStart`, meter `m<N>`
 * owned by `owners[N % owners.length]`: what the chain's solve must pay.
 */
export function pureSettlement(
  measures: readonly TestMeasure[],
  owners: readonly KeyPair[],
  prices: MarketPrices & { readonly tsStart: number },
  slots: number,
  meters: number,
): PeriodSettlement {
  const bySlot = new Map<number, MeterReading[]>();
  for (const x of measures) {
    const list = bySlot.get(x.tsStart) ?? [];
    const owner = owners[Number(x.meterId.slice(1)) % owners.length] as KeyPair;
    list.push({
      meter: x.meterId,
      account: bech(owner),
      cons: BigInt(x.cons ?? 0),
      prod: BigInt(x.prod ?? 0),
    });
    bySlot.set(x.tsStart, list);
  }
  return settlePeriod({
    prices,
    slots: Array.from({ length: slots }, (_, s) => ({
      tsStart: prices.tsStart + s * 900,
      readings: bySlot.get(prices.tsStart + s * 900) ?? [],
    })),
    expectedMeters: meters,
  });
}

/**
 * The market's genesis section of one period that ends at genesis (solvable at once): `meters`
 * meters `m<N>` owned by `owners[N % owners.length]`, the period's `prices`, and `measures`.
 */
export function periodGenesis(
  measures: readonly TestMeasure[],
  owners: readonly KeyPair[],
  prices: Readonly<Record<string, number | bigint>>,
  meters: number,
): Record<string, unknown> {
  return {
    graceSlots: 0,
    meters: Array.from({ length: meters }, (_, i) => ({
      meterId: `m${i}`,
      account: bech(owners[i % owners.length] as KeyPair),
    })),
    periods: [
      Object.fromEntries(Object.entries(prices).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v])),
    ],
    measures,
  };
}
