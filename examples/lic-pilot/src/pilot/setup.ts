import { parseAddress } from '@joule/consensus';
import type { SetMarketParameters } from '@joule/market';
import { addKey } from '@joule/node';
import { txMessage } from '@joule/state';
import type { CommunityData } from '../community/types.js';
import type { LocalNetwork } from '../network/local-network.js';
import { denom, modules, type Signer, send, signerOf, untilHeight } from './chain.js';

/** The month's prices, uECT/kWh (the paper's 21 / 6 / 16 / 9 ct), and the LPM's beta. */
export const defaultPrices = {
  pBuyBAU: 21_000_000n,
  pSellBAU: 6_000_000n,
  pBuyLEM: 16_000_000n,
  pSellLEM: 9_000_000n,
  /**
   * uECT/kWh² (0.05 ECT/kWh²): the LPM moves about 1 % of the month's bills at the pilot's flows
   * (a net flow of a few kWh a slot), a malus for following the community's flow, a bonus for
   * opposing it.
   */
  beta: 50_000n,
} as const;

/**
 * What each prosumer account receives from the admin before the month: 50 000 joule (ECT), above a
 * month's bill at the paper's prices (a house of 465 kWh pays about 9 800 ECT), so that no bill
 * turns into a recorded debt and the balance changes equal the receipt.
 */
const prosumerFunding = 50_000_000_000n;

/** The month's parameters: the market's own `setMarketParameters` message. */
export type MarketParams = SetMarketParameters;

export interface Community {
  readonly admin: Signer;
  /** One signer per meter, in the order of `data.meters`, each on its own node. */
  readonly meters: readonly (Signer & { readonly meterId: string; readonly node: string })[];
  readonly params: MarketParams;
}

/**
 * The installer's and the admin's work: a prosumer key per meter in the keyring of the node it
 * posts through (meter i on node i mod N), funded by the admin (node0, the genesis market admin);
 * the meter list; the month's parameters.
 */
export async function setUpCommunity(net: LocalNetwork, data: CommunityData): Promise<Community> {
  const node0 = net.nodes[0];
  if (node0 === undefined) throw new RangeError('the network has no node');
  const admin = await signerOf(node0.home, 'node0', node0.client);
  const meters = [];
  for (const [i, meter] of data.meters.entries()) {
    const node = net.nodes[i % net.nodes.length] ?? node0;
    await addKey(node.home, meter.id, 'joule');
    meters.push({
      ...(await signerOf(node.home, meter.id, node.client)),
      meterId: meter.id,
      node: node.name,
    });
  }
  const { bank } = modules.core;
  const m = modules.market;
  await send(
    admin,
    [
      txMessage(bank.msg.multiSend, {
        outputs: meters.map((s) => ({
          to: parseAddress(s.address, 'joule'),
          denom,
          amount: prosumerFunding,
        })),
      }),
    ],
    'funding the prosumers',
  );
  await send(
    admin,
    meters.map((s) =>
      txMessage(m.msg.addMeterFromList, { meterId: s.meterId, account: parseAddress(s.address, 'joule') }),
    ),
    'registering the meters',
  );
  const params: MarketParams = {
    tsStart: data.tsStart,
    tsEnd: data.tsStart + data.slots * data.slotSeconds,
    slotSeconds: data.slotSeconds,
    ...defaultPrices,
  };
  const ready = await send(
    admin,
    [txMessage(m.msg.setMarketParameters, params)],
    "setting the month's parameters",
  );
  // Each meter's node checks its measures against its own state: it must hold the setup's blocks.
  await Promise.all(net.nodes.map((n) => untilHeight(n.client, ready)));
  return { admin, meters, params };
}
