import { addressOf, formatAddress, generateKeyPair, type KeyPair } from '@joule/consensus';
import { type TxMessage, txMessage } from '@joule/state';
import { TestChain, testGenesisTimeMs } from '@joule/state/testkit';
import { describe, expect, it } from 'vitest';
import { marketModules } from './app.js';

/**
 * The market's admin messages, signed by every role, on the `joule` bin's modules: each cell is the
 * exact result. The admin was handed over (former → current) and `pending` is proposed, as in the
 * bank and poa authority matrix of @joule/state.
 */
const key = (seed: number): KeyPair => generateKeyPair(new Uint8Array(32).fill(seed));
const roles = {
  current: key(141),
  pending: key(142),
  former: key(143),
  ordinary: key(144),
  noFunds: key(145),
} as const;
type Role = keyof typeof roles;
const addr = (k: KeyPair): Uint8Array => addressOf(k.publicKey);
const bech = (k: KeyPair): string => formatAddress(addr(k), 'joule');
const day = 86_400;
const tsStart = (Math.floor(testGenesisTimeMs / 1000 / day) + 2) * day;

type Built = ReturnType<typeof marketModules>;
const rows: Record<string, { message: (b: Built) => TxMessage; cells: Record<Role, string> }> = {
  'market/add_meter_from_list': {
    message: (b) =>
      txMessage(b.market.msg.addMeterFromList, { meterId: 'm9', account: addr(roles.ordinary) }),
    cells: onlyCurrent('MARKET_NOT_ADMIN'),
  },
  'market/remove_meter_from_list': {
    message: (b) => txMessage(b.market.msg.removeMeterFromList, { meterId: 'm1' }),
    cells: onlyCurrent('MARKET_NOT_ADMIN'),
  },
  'market/set_market_parameters': {
    message: (b) =>
      txMessage(b.market.msg.setMarketParameters, {
        tsStart,
        tsEnd: tsStart + day,
        slotSeconds: 900,
        pBuyBAU: 21_000_000n,
        pSellBAU: 6_000_000n,
        pBuyLEM: 16_000_000n,
        pSellLEM: 9_000_000n,
        beta: 0n,
      }),
    cells: onlyCurrent('MARKET_NOT_ADMIN'),
  },
  'market/transfer_admin': {
    message: (b) => txMessage(b.market.msg.transferAdmin, { admin: addr(roles.ordinary) }),
    cells: onlyCurrent('MARKET_NOT_ADMIN'),
  },
  'market/accept_admin': {
    message: (b) => txMessage(b.market.msg.acceptAdmin, {}),
    cells: {
      current: 'MARKET_NOT_PENDING_ADMIN',
      pending: 'ok',
      former: 'MARKET_NOT_PENDING_ADMIN',
      ordinary: 'MARKET_NOT_PENDING_ADMIN',
      noFunds: 'MARKET_NOT_PENDING_ADMIN',
    },
  },
};

function onlyCurrent(refusal: string): Record<Role, string> {
  return { current: 'ok', pending: refusal, former: refusal, ordinary: refusal, noFunds: refusal };
}

async function handedOver(): Promise<{ c: TestChain; built: Built }> {
  const built = marketModules('joule');
  const c = await TestChain.create({
    modules: built.modules,
    accounts: built.accounts,
    genesis: {
      auth: { accounts: Object.values(roles).map((k) => ({ address: bech(k) })) },
      market: { admin: bech(roles.former), denom: 'ujoule' },
    },
  });
  const m = built.market.msg;
  const steps: [KeyPair, TxMessage][] = [
    [roles.former, txMessage(m.addMeterFromList, { meterId: 'm1', account: addr(roles.ordinary) })],
    [roles.former, txMessage(m.transferAdmin, { admin: addr(roles.current) })],
    [roles.current, txMessage(m.acceptAdmin, {})],
    [roles.current, txMessage(m.transferAdmin, { admin: addr(roles.pending) })],
  ];
  for (const [signer, message] of steps) {
    const result = await c.deliver(signer, message);
    expect(result.code, `handover step ${message.type}: ${result.log}`).toBe(0);
  }
  return { c, built };
}

describe('market admin matrix', () => {
  it('covers every admin message of the market', () => {
    const admin = (marketModules('joule').market.messages ?? [])
      .map((t) => t.type)
      .filter((t) => /admin|meter_from_list|parameters/.test(t));
    expect(Object.keys(rows).sort()).toEqual(admin.sort());
  });

  for (const [type, row] of Object.entries(rows)) {
    it(`${type}: each role gets exactly its cell`, async () => {
      for (const role of Object.keys(roles) as Role[]) {
        const { c, built } = await handedOver();
        const result = await c.deliver(roles[role], row.message(built));
        const got = result.code === 0 ? 'ok' : result.codespace;
        expect(got, `${type} signed by ${role} (${result.log})`).toBe(row.cells[role]);
      }
    });
  }
});
