import { addressOf, generateKeyPair, type KeyPair } from '@joule/consensus';
import { txMessage } from '@joule/state';
import type { JouleClient } from '../client/index.js';
import { loadHome, loadKey } from '../home/home.js';
import { marketModules } from '../market/app.js';
import { dayParameters, eightMeasures, yesterdayStart } from './light-market.js';
import { TamperingProxy } from './tampering-proxy.js';
import { spawnTestnet, type TestnetNode } from './testnet.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long the four fresh processes get to commit their first block (two shared cores). */
const startupMs = 90_000;

export type { TestnetNode };

/**
 * A market chain as a community runs it: `joule testnet --validators 4 --nodes 4`, four `joule start`
 * processes (LevelDB, libp2p over loopback, each API on 127.0.0.1 serving `/ui`), a solved period,
 * and a tampering proxy in front of node1's API.
 */
export interface LightTestnet {
  readonly nodes: readonly TestnetNode[];
  /** node1's API: the node the tests' pages and client read (node0 is the market's admin). */
  readonly api: string;
  readonly client: JouleClient;
  readonly proxy: TamperingProxy;
  /** The public keys of the four validators, read from their homes. */
  readonly validatorKeys: readonly Uint8Array[];
  /** A household with meter `m1`, 8 measures in the first slots of yesterday's solved period. */
  readonly house: KeyPair;
  readonly houseAddress: Uint8Array;
  readonly tsStart: number;
  stop(): Promise<void>;
}

/**
 * Makes the testnet under a temporary directory (ports `basePort` … `basePort + 7`), starts it with
 * empty blocks every `commitMs` (so a light client always has the header above a state), and makes
 * its history through node1's API: the admin funds a household, registers its meter and sets
 * yesterday's parameters; the household posts 8 measures; the admin solves; returns once the
 * period's receipt is on chain.
 */
export async function startLightTestnet(options: {
  chainId: string;
  basePort: number;
  /** `timeout_commit_ms` (default 250). */
  commitMs?: number;
}): Promise<LightTestnet> {
  const net = await spawnTestnet({
    validators: 4,
    nodes: 4,
    chainId: options.chainId,
    basePort: options.basePort,
    dirPrefix: 'joule-light-testnet-',
    startArgs: () => [
      '--api.ui',
      'true',
      '--consensus.create_empty_blocks',
      'true',
      '--consensus.timeout_commit_ms',
      String(options.commitMs ?? 250),
    ],
  });
  let proxy: TamperingProxy | null = null;
  const stop = async () => {
    await proxy?.stop();
    await net.stop();
  };
  try {
    const { nodes, clients } = net;
    // Up, and past block 1 (genesis is committed with it: before, no account exists yet).
    await net.waitForHeight(1, { timeoutMs: startupMs });

    const node1 = nodes[1] as TestnetNode;
    const client = clients[1] as JouleClient;
    const admin = (await loadKey((nodes[0] as TestnetNode).home, 'node0')).key;
    const validatorKeys = await Promise.all(
      nodes.map(async (n) => (await loadHome(n.home)).validatorKey.publicKey),
    );
    const { core, market: m } = marketModules('joule');
    const house = generateKeyPair();
    const houseAddress = addressOf(house.publicKey);
    const send = async (
      key: Uint8Array,
      messages: Parameters<JouleClient['signAndSend']>[1],
      what: string,
    ) => {
      const r = await client.signAndSend(key, messages, { commit: true });
      if (r.committed?.tx_result?.code !== 0)
        throw new Error(`${what} failed: ${JSON.stringify(r.committed)}`);
    };
    const tsStart = yesterdayStart();
    await send(
      admin.secretKey,
      [
        txMessage(core.bank.msg.send, { to: houseAddress, denom: 'ujoule', amount: 50_000_000n }),
        txMessage(m.msg.addMeterFromList, { meterId: 'm1', account: houseAddress }),
        dayParameters(m, tsStart),
      ],
      'fund, meter and parameters',
    );
    await send(house.secretKey, eightMeasures(m, tsStart), 'measures');
    await send(admin.secretKey, [txMessage(m.msg.solveMarkets, { tsStart })], 'solve');
    for (let t = 0; (await client.query('market', m.query.getReceipt, { tsStart })) === null; t++) {
      if (t * 250 > startupMs) throw new Error('the period was not settled');
      await sleep(250);
    }
    proxy = new TamperingProxy(node1.api);
    await proxy.start();
    return {
      nodes,
      api: node1.api,
      client,
      proxy,
      validatorKeys,
      house,
      houseAddress,
      tsStart,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
