import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Genesis } from '@joule/consensus';
import { NodeInputError } from '../errors.js';
import { applyOverrides, parseConfig, renderConfig } from './config.js';
import type { ConfigOverrides } from './config-schema.js';
import { addKey, homePaths } from './home.js';
import {
  type AppStateBuilder,
  appMaxBlockGas,
  coreAppState,
  type GenesisAccount,
  type GenesisAuthorities,
  nodeConsensusParams,
  prepareHome,
  writeGenesis,
} from './init.js';
import { peerIdOf } from './key-files.js';

export type Topology = 'mesh' | 'lic';

export interface TestnetOptions {
  readonly validators: number;
  readonly nodes: number;
  readonly out: string;
  readonly topology: Topology;
  /** Node i listens for peers on basePort + 2i and serves the API on basePort + 2i + 1 (127.0.0.1). */
  readonly basePort: number;
  readonly chainId: string;
  readonly addressPrefix: string;
  readonly denom: string;
  readonly appState?: AppStateBuilder;
  /** Module authorities other than node0's account. */
  readonly authorities?: GenesisAuthorities;
  readonly config?: ConfigOverrides;
  readonly genesisTime?: number;
  /**
   * Most gas of one block, for both the proposer (consensus params) and the application
   * (`app_state.app.maxBlockGas`). Default `defaultMaxBlockGas` of @joule/state. A block's work
   * should fit the slowest validator's share of a second or two.
   */
  readonly maxBlockGas?: number;
}

export interface TestnetNode {
  readonly name: string;
  readonly home: string;
  readonly validator: boolean;
  readonly peerId: string;
  readonly p2p: string;
  readonly api: string;
  /** Indexes of the nodes it keeps as persistent peers. */
  readonly peers: readonly number[];
  /** Its funded keyring key (named like the node). */
  readonly account: GenesisAccount;
}

/**
 * The peers of node `i` among `n`. `mesh`: everyone. `lic`: the grid of the LIC pilot — a ladder of
 * two rows (node i in column ⌊i/2⌋, row i mod 2) where each node keeps its row neighbours and the
 * node across, so inner nodes have 3 peers and corners 2; an odd last node links to its diagonal.
 */
export function topologyPeers(topology: Topology, n: number, i: number): number[] {
  if (topology === 'mesh') return [...Array(n).keys()].filter((j) => j !== i);
  const out = new Set<number>();
  const across = i % 2 === 0 ? i + 1 : i - 1;
  if (across < n) out.add(across);
  if (i - 2 >= 0) out.add(i - 2);
  if (i + 2 < n) out.add(i + 2);
  if (n % 2 === 1 && n > 2) {
    if (i === n - 1) out.add(n - 2);
    if (i === n - 2) out.add(n - 1);
  }
  return [...out].sort((a, b) => a - b);
}

/** `joule testnet`: N homes under `out` sharing one genesis (the first V are validators). */
export async function createTestnet(options: TestnetOptions): Promise<TestnetNode[]> {
  const { nodes: n, validators: v } = options;
  if (!Number.isSafeInteger(n) || n < 1 || n > 200)
    throw new NodeInputError(
      'CONFIG_INVALID',
      '--nodes',
      `${n} is not from 1 to 200`,
      'pass --nodes N with 1 ≤ N ≤ 200',
    );
  if (!Number.isSafeInteger(v) || v < 1 || v > n)
    throw new NodeInputError(
      'CONFIG_INVALID',
      '--validators',
      `${v} is not from 1 to --nodes (${n})`,
      'pass --validators V with 1 ≤ V ≤ N',
    );
  if (!Number.isSafeInteger(options.basePort) || options.basePort < 1024 || options.basePort + 2 * n > 65_535)
    throw new NodeInputError(
      'CONFIG_INVALID',
      '--base-port',
      `${options.basePort} leaves no room for ${n} nodes`,
      'pass a --base-port from 1024 to 65535 - 2N',
    );
  const prepared = [];
  for (let i = 0; i < n; i++) {
    const name = `node${i}`;
    const home = join(options.out, name);
    const p2pPort = options.basePort + 2 * i;
    const config: ConfigOverrides = {
      ...options.config,
      p2p: { ...options.config?.p2p, listen: [`/ip4/127.0.0.1/tcp/${p2pPort}`] },
      api: { ...options.config?.api, listen: `127.0.0.1:${p2pPort + 1}` },
    };
    const keys = await prepareHome(home, name, options.addressPrefix, config);
    const info = await addKey(home, name, options.addressPrefix);
    prepared.push({
      name,
      home,
      keys,
      account: { name, address: info.address, publicKey: info.publicKey },
      p2pPort,
    });
  }
  const built = (options.appState ?? coreAppState)(
    prepared.map((p) => p.account),
    options.denom,
    options.authorities,
  );
  const appState =
    options.maxBlockGas === undefined
      ? built
      : { ...built, app: { ...(built.app as object | undefined), maxBlockGas: options.maxBlockGas } };
  const genesis: Genesis = {
    chainId: options.chainId,
    genesisTime: options.genesisTime ?? Date.now(),
    initialHeight: 1,
    validators: prepared.slice(0, v).map((p) => ({ pubKey: p.keys.validatorKey.publicKey, power: 10n })),
    // The proposer reaps by the block gas the application enforces, whoever set it.
    consensusParams: { ...nodeConsensusParams, maxBlockGas: appMaxBlockGas(appState) },
    appState: new Uint8Array(0),
  };
  const names = prepared.slice(0, v).map((p) => p.name);
  const out: TestnetNode[] = prepared.map((p, i) => {
    const peerId = peerIdOf(p.keys.nodeKey.publicKey);
    return {
      name: p.name,
      home: p.home,
      validator: i < v,
      peerId,
      p2p: `/ip4/127.0.0.1/tcp/${p.p2pPort}/p2p/${peerId}`,
      api: `http://127.0.0.1:${p.p2pPort + 1}`,
      peers: topologyPeers(options.topology, n, i),
      account: p.account,
    };
  });
  for (const node of out) {
    await writeGenesis(node.home, genesis, appState, names);
    await setPersistentPeers(
      node.home,
      node.peers.map((j) => (out[j] as TestnetNode).p2p),
    );
  }
  return out;
}

async function setPersistentPeers(home: string, peers: readonly string[]): Promise<void> {
  const path = homePaths(home).config;
  const config = parseConfig(await readFile(path, 'utf8'), path);
  await writeFile(path, renderConfig(applyOverrides(config, { p2p: { persistent_peers: peers } }, path)), {
    mode: 0o600,
  });
}
