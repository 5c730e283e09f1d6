import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  addressOf,
  decode,
  fromHex,
  generateKeyPair,
  headerCodec,
  headerHash,
  type KeyPair,
} from '@joule/consensus';
import { txMessage } from '@joule/state';
import { JouleClient } from '../client/index.js';
import { loadHome, loadKey } from '../home/home.js';
import { initHome } from '../home/init.js';
import { marketAppState, marketModules } from '../market/app.js';
import { standaloneNetwork } from '../network/network.js';
import { createNode, type JouleNode } from '../node/node.js';
import { dayParameters, eightMeasures, yesterdayStart } from './light-market.js';
import { TamperingProxy } from './tampering-proxy.js';

export { slotSeconds } from './light-market.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A market chain for light-client tests: one real validator (LevelDB, API on 127.0.0.1) and a tampering proxy. */
export interface LightChain {
  readonly chainId: string;
  readonly node: JouleNode;
  readonly client: JouleClient;
  readonly proxy: TamperingProxy;
  /** The genesis validator (power 10), and B (power 1) that the chain added. */
  readonly validatorA: KeyPair;
  readonly validatorB: KeyPair;
  /** A household with meter `m1`, 8 measures in the first slots of a solved period. */
  readonly house: KeyPair;
  readonly houseAddress: Uint8Array;
  readonly tsStart: number;
  /** The header hash at height 1 (the tests' root of trust). */
  readonly rootHash: Uint8Array;
  /** The height of each transaction: fund, add B, meter, params, add C, measures, remove C, solve. */
  readonly changes: readonly { what: string; height: number }[];
  height(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the chain and makes its history: funds the household, adds validator B (power 1), a meter
 * and yesterday's parameters, adds C (power 2), posts 8 measures, removes C, solves the period —
 * so that the validator set changes three times — and waits until the last change is in effect.
 */
export async function startLightChain(options: {
  chainId: string;
  ui?: boolean;
  /** `timeout_commit_ms` (default 50). */
  commitMs?: number;
}): Promise<LightChain> {
  const dir = await mkdtemp(join(tmpdir(), 'joule-light-'));
  const home = join(dir, 'home');
  await initHome({
    home,
    chainId: options.chainId,
    moniker: 'light',
    addressPrefix: 'joule',
    denom: 'ujoule',
    operatorKey: 'operator',
    appState: marketAppState,
  });
  const validatorA = (await loadHome(home)).validatorKey;
  const operator = (await loadKey(home, 'operator')).key;
  const built = marketModules('joule');
  const { core, market: m } = built;
  const node = await createNode(
    {
      home,
      config: {
        api: { listen: '127.0.0.1:0', ui: options.ui === true },
        consensus: { timeout_commit_ms: options.commitMs ?? 50, create_empty_blocks: true },
      },
      logDestination: silent,
    },
    {
      app: { addressPrefix: 'joule', accounts: built.accounts },
      modules: built.modules,
      network: standaloneNetwork,
    },
  );
  await node.start();
  const client = new JouleClient({ url: node.apiUrl });
  const height = async () => Number((await client.status()).sync_info.latest_block_height);
  while ((await height()) < 2) await sleep(50);
  const first = (await (await fetch(`${node.apiUrl}/light_block?height=1`)).json()) as { header: string };
  const rootHash = headerHash(decode(headerCodec, fromHex(first.header)));

  const validatorB = generateKeyPair();
  const validatorC = generateKeyPair();
  const house = generateKeyPair();
  const houseAddress = addressOf(house.publicKey);
  const changes: { what: string; height: number }[] = [];
  const send = async (key: Uint8Array, messages: Parameters<JouleClient['signAndSend']>[1], what: string) => {
    const r = await client.signAndSend(key, messages, { commit: true });
    if (r.committed?.tx_result?.code !== 0) throw new Error(`${what} failed: ${JSON.stringify(r.committed)}`);
    changes.push({ what, height: Number(r.committed?.height) });
  };
  await send(
    operator.secretKey,
    [txMessage(core.bank.msg.send, { to: houseAddress, denom: 'ujoule', amount: 50_000_000n })],
    'fund',
  );
  await send(
    operator.secretKey,
    [txMessage(core.poa.msg.addValidator, { pubKey: validatorB.publicKey, power: 1n })],
    'add B',
  );
  await send(
    operator.secretKey,
    [txMessage(m.msg.addMeterFromList, { meterId: 'm1', account: houseAddress })],
    'meter',
  );
  const tsStart = yesterdayStart();
  await send(operator.secretKey, [dayParameters(m, tsStart)], 'params');
  await send(
    operator.secretKey,
    [txMessage(core.poa.msg.addValidator, { pubKey: validatorC.publicKey, power: 2n })],
    'add C',
  );
  await send(house.secretKey, eightMeasures(m, tsStart), 'measures');
  await send(
    operator.secretKey,
    [txMessage(core.poa.msg.removeValidator, { pubKey: validatorC.publicKey })],
    'remove C',
  );
  await send(operator.secretKey, [txMessage(m.msg.solveMarkets, { tsStart })], 'solve');
  while ((await client.query('market', m.query.getReceipt, { tsStart })) === null) await sleep(100);
  const removed = changes.find((c) => c.what === 'remove C')?.height as number;
  while ((await height()) < removed + 4) await sleep(50);
  const proxy = new TamperingProxy(node.apiUrl);
  await proxy.start();
  return {
    chainId: options.chainId,
    node,
    client,
    proxy,
    validatorA,
    validatorB,
    house,
    houseAddress,
    tsStart,
    rootHash,
    changes,
    height,
    async stop() {
      await proxy.stop();
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
