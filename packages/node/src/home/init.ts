import { randomBytes } from 'node:crypto';
import {
  type ConsensusParams,
  defaultConsensusParams,
  type Genesis,
  type KeyPair,
  toHex,
} from '@joule/consensus';
import { defaultAppLimits, defaultMaxBlockGas } from '@joule/state';
import { applyOverrides, defaultConfig, renderConfig } from './config.js';
import type { ConfigOverrides, NodeConfig } from './config-schema.js';
import { genesisDoc, renderGenesis } from './genesis-file.js';
import { addKey, assertFreshHome, homePaths, type KeyInfo, makeHomeDirs, writePrivateFile } from './home.js';
import { createKeyFile } from './key-files.js';

/**
 * The consensus params a new genesis gets: consensus's defaults with the block gas the proposer
 * reaps by equal to what the application enforces (`app_state.app.maxBlockGas`, by default
 * `defaultMaxBlockGas`). With consensus's -1 (no limit) a full mempool made blocks whose last
 * transactions failed with TX_BLOCK_GAS_EXCEEDED.
 */
export const nodeConsensusParams: ConsensusParams = {
  ...defaultConsensusParams,
  maxBlockGas: defaultMaxBlockGas,
};

/** The block gas a genesis app state sets (`app.maxBlockGas`), or the application's default. */
export function appMaxBlockGas(appState: Record<string, unknown>): number {
  const limit = (appState.app as { maxBlockGas?: unknown } | undefined)?.maxBlockGas;
  return typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0 ? limit : defaultMaxBlockGas;
}

/** A genesis account: a keyring key funded at genesis. */
export interface GenesisAccount {
  readonly name: string;
  readonly address: string;
  readonly publicKey: string;
}

/**
 * Who holds each module's authority at genesis, by module name (`bank`, `poa`, `market`), as bech32
 * addresses. A module not named gets the first funded account (the operator of `init`, node0 of
 * `testnet`).
 */
export type GenesisAuthorities = Readonly<Record<string, string>>;

/**
 * Builds the `app_state` of a new genesis from the funded accounts and the authorities. The default
 * fills the core modules: accounts in `auth`, balances and the mint authority in `bank`, the
 * validator-set authority in `poa`. An appchain with more modules wraps it.
 */
export type AppStateBuilder = (
  accounts: readonly GenesisAccount[],
  denom: string,
  authorities?: GenesisAuthorities,
) => Record<string, unknown>;

/** A genesis chain id that no other chain made by `init` shares: `<prefix>-<8 hex digits>`. */
export function uniqueChainId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Units given to each funded account of a new genesis. */
export const genesisBalance = 1_000_000_000_000n;

/**
 * The first deposit a new account needs (`bank.minNewAccountAmount`), in base units: 10^6, one whole
 * unit of a micro-denomination (1 joule of `ujoule`). Joule has no fees, so without it any account
 * could create accounts for 1 unit each and grow every node's state for free.
 */
export const genesisMinNewAccountAmount = 1_000_000n;

/**
 * The default `app_state` of a new genesis (`init`, `testnet`). It states the framework's
 * chain-wide limits (`app`: gas, hook budget, block writes) at this release's defaults rather than
 * leaving them to each node's defaults at `initChain`: a validator on a release with other
 * defaults would otherwise compute other results from the same genesis file.
 */
export const coreAppState: AppStateBuilder = (accounts, denom, authorities = {}) => ({
  app: { ...defaultAppLimits },
  auth: { accounts: accounts.map((a) => ({ address: a.address, publicKey: a.publicKey, nonce: 0 })) },
  bank: {
    authority: authorities.bank ?? accounts[0]?.address ?? null,
    balances: accounts.map((a) => ({ address: a.address, denom, amount: genesisBalance.toString() })),
    minNewAccountAmount: genesisMinNewAccountAmount.toString(),
  },
  poa: { authority: authorities.poa ?? accounts[0]?.address ?? null, validators: [] },
});

export interface InitOptions {
  readonly home: string;
  readonly chainId: string;
  readonly moniker: string;
  /** Bech32 prefix of addresses. */
  readonly addressPrefix: string;
  /** Denomination of the genesis balances. */
  readonly denom: string;
  /** Keyring key created and funded at genesis (the authority of every module not in `authorities`). */
  readonly operatorKey: string;
  /** Module authorities other than the operator. */
  readonly authorities?: GenesisAuthorities;
  readonly config?: ConfigOverrides;
  readonly appState?: AppStateBuilder;
  /** Genesis time, Unix ms (default: now). */
  readonly genesisTime?: number;
}

export interface InitResult {
  readonly config: NodeConfig;
  readonly nodeKey: KeyPair;
  readonly validatorKey: KeyPair;
  readonly operator: KeyInfo;
}

/** `joule init`: a new home for a one-validator chain (its own validator), ready to start. */
export async function initHome(options: InitOptions): Promise<InitResult> {
  const prepared = await prepareHome(options.home, options.moniker, options.addressPrefix, options.config);
  const operator = await addKey(options.home, options.operatorKey, options.addressPrefix);
  const appState = (options.appState ?? coreAppState)(
    [{ name: operator.name, address: operator.address, publicKey: operator.publicKey }],
    options.denom,
    options.authorities,
  );
  const genesis: Genesis = {
    chainId: options.chainId,
    genesisTime: options.genesisTime ?? Date.now(),
    initialHeight: 1,
    validators: [{ pubKey: prepared.validatorKey.publicKey, power: 10n }],
    consensusParams: { ...nodeConsensusParams, maxBlockGas: appMaxBlockGas(appState) },
    appState: new Uint8Array(0),
  };
  await writeGenesis(options.home, genesis, appState, [options.moniker]);
  return { ...prepared, operator };
}

/** Creates the directories, the node and validator keys and config.toml of a fresh home. */
export async function prepareHome(
  home: string,
  moniker: string,
  prefix: string,
  overrides: ConfigOverrides = {},
): Promise<{ config: NodeConfig; nodeKey: KeyPair; validatorKey: KeyPair }> {
  await assertFreshHome(home);
  const paths = homePaths(home);
  await makeHomeDirs(paths);
  const config = applyOverrides(defaultConfig(), { ...overrides, moniker }, paths.config);
  await writePrivateFile(paths.config, renderConfig(config));
  const nodeKey = await createKeyFile(paths.nodeKey, prefix, 'node');
  const validatorKey = await createKeyFile(paths.validatorKey, prefix, 'validator');
  return { config, nodeKey, validatorKey };
}

export async function writeGenesis(
  home: string,
  genesis: Genesis,
  appState: Record<string, unknown>,
  names: readonly string[],
): Promise<void> {
  await writePrivateFile(homePaths(home).genesis, renderGenesis(genesisDoc(genesis, appState, names)));
}

export function publicKeyHex(key: KeyPair): string {
  return toHex(key.publicKey);
}
