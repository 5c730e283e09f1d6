import { encode } from '@joule/consensus';
import { signQuery } from '@joule/state';
import { describe, expect, it } from 'vitest';
import { addr, bech, G, keys, marketChain, paperPrices } from '../testkit/fixture.js';
import { pseudonymousMeterId } from './pseudonym.js';

describe('market: meter list and admin role', () => {
  it('lets only the admin add and remove meters, with a clear code for each refusal', async () => {
    const { chain, m, send } = await marketChain();
    const add = m.msg.addMeterFromList;
    expect((await send(keys.alice, add, { meterId: 'm1', account: addr(keys.alice) })).codespace).toBe(
      'MARKET_NOT_ADMIN',
    );
    expect((await send(keys.admin, add, { meterId: 'm1', account: addr(keys.alice) })).code).toBe(0);
    expect((await send(keys.admin, add, { meterId: 'm1', account: addr(keys.bob) })).codespace).toBe(
      'MARKET_METER_EXISTS',
    );
    expect((await send(keys.admin, add, { meterId: 'bad id!', account: addr(keys.bob) })).codespace).toBe(
      'MARKET_BAD_METER_ID',
    );
    const remove = m.msg.removeMeterFromList;
    expect((await send(keys.bob, remove, { meterId: 'm1' })).codespace).toBe('MARKET_NOT_ADMIN');
    expect((await send(keys.admin, remove, { meterId: 'nope' })).codespace).toBe('MARKET_UNKNOWN_METER');
    expect((await send(keys.admin, remove, { meterId: 'm1' })).code).toBe(0);
    expect((await send(keys.admin, remove, { meterId: 'm1' })).codespace).toBe('MARKET_METER_REMOVED');
    // A removed meter keeps its history and its account: re-adding it elsewhere is refused.
    expect((await send(keys.admin, add, { meterId: 'm1', account: addr(keys.bob) })).codespace).toBe(
      'MARKET_METER_ACCOUNT_MISMATCH',
    );
    expect((await send(keys.admin, add, { meterId: 'm1', account: addr(keys.alice) })).code).toBe(0);
    expect((await send(keys.admin, add, { meterId: 'm2', account: addr(keys.bob) })).code).toBe(0);
    // Everyone sees ids; only the admin sees accounts. Pages carry the next start.
    const q = m.query.getMetersList;
    const anyone = await chain.query('market', q, { start: 0, limit: 1 }, keys.carol);
    expect(anyone).toEqual({ meters: [{ meterId: 'm1', index: 0, active: true, account: null }], next: 1 });
    const admin = await chain.query('market', q, { start: 1, limit: 10 }, keys.admin);
    expect(admin.meters).toEqual([{ meterId: 'm2', index: 1, active: true, account: addr(keys.bob) }]);
    expect(admin.next).toBeNull();
    await expect(chain.query('market', q, { start: 0, limit: 0 }, keys.admin)).rejects.toMatchObject({
      code: 'MARKET_BAD_QUERY',
    });
  });

  it('hands the admin role over in two steps', async () => {
    const { m, send } = await marketChain();
    expect((await send(keys.bob, m.msg.transferAdmin, { admin: addr(keys.bob) })).codespace).toBe(
      'MARKET_NOT_ADMIN',
    );
    expect((await send(keys.admin, m.msg.transferAdmin, { admin: addr(keys.dave) })).code).toBe(0);
    expect((await send(keys.bob, m.msg.acceptAdmin, {})).codespace).toBe('MARKET_NOT_PENDING_ADMIN');
    const accepted = await send(keys.dave, m.msg.acceptAdmin, {});
    expect(accepted.events.find((e) => e.type === 'market.admin_changed')?.attributes[0]?.value).toBe(
      bech(keys.dave),
    );
    const add = m.msg.addMeterFromList;
    expect((await send(keys.admin, add, { meterId: 'x', account: addr(keys.bob) })).codespace).toBe(
      'MARKET_NOT_ADMIN',
    );
    expect((await send(keys.dave, add, { meterId: 'x', account: addr(keys.bob) })).code).toBe(0);
  });

  it('keeps serials off chain in pseudonymous mode', async () => {
    const { m, send } = await marketChain({ market: { pseudonymous: true } });
    const add = m.msg.addMeterFromList;
    expect((await send(keys.admin, add, { meterId: 'CH1234567', account: addr(keys.alice) })).codespace).toBe(
      'MARKET_BAD_METER_ID',
    );
    const id = pseudonymousMeterId(new Uint8Array(32).fill(7), 'CH1234567');
    expect(id).toMatch(/^p:[0-9a-f]{64}$/);
    expect(pseudonymousMeterId(new Uint8Array(32).fill(7), 'CH1234567')).toBe(id);
    expect(pseudonymousMeterId(new Uint8Array(32).fill(8), 'CH1234567')).not.toBe(id);
    expect((await send(keys.admin, add, { meterId: id, account: addr(keys.alice) })).code).toBe(0);
  });
});

describe('market: parameters', () => {
  it('checks authority, alignment, bounds, order and overlap, and revises open periods', async () => {
    const { chain, m, send } = await marketChain();
    const set = m.msg.setMarketParameters;
    const base = { tsStart: G - 7200, tsEnd: G - 3600, slotSeconds: 900, ...paperPrices };
    const code = async (signer = keys.admin, over: Partial<typeof base> = {}) =>
      (await send(signer, set, { ...base, ...over })).codespace;
    expect(await code(keys.alice)).toBe('MARKET_NOT_ADMIN');
    expect(await code(keys.admin, { tsStart: G - 7200 + 60 })).toBe('MARKET_PERIOD_MISALIGNED');
    expect(await code(keys.admin, { slotSeconds: 7 })).toBe('MARKET_BAD_PERIOD');
    expect(await code(keys.admin, { tsEnd: G - 7200 })).toBe('MARKET_BAD_PERIOD');
    expect(await code(keys.admin, { pBuyBAU: -1n })).toBe('MARKET_PRICE_OUT_OF_BOUNDS');
    expect(await code(keys.admin, { beta: 10n ** 12n })).toBe('MARKET_PRICE_OUT_OF_BOUNDS');
    expect(await code(keys.admin, { pBuyLEM: 22_000_000n })).toBe('MARKET_PRICE_ORDER');
    expect(await code()).toBe('');
    expect(await code(keys.admin, { tsStart: G - 3600 - 900, tsEnd: G })).toBe('MARKET_PERIOD_OVERLAP');
    expect(await code(keys.admin, { tsEnd: G - 1800 })).toBe('MARKET_PERIOD_OVERLAP');
    expect(await code(keys.admin, { tsStart: G - 3600, tsEnd: G })).toBe(''); // adjacent is fine
    expect(await code(keys.admin, { beta: 5n })).toBe(''); // revising an open period
    const period = await chain.query('market', m.query.getMarketParameters, { ts: G - 7200 + 1800 });
    expect(period).toMatchObject({ tsStart: G - 7200, tsEnd: G - 3600, beta: 5n, state: 0 });
    expect(await chain.query('market', m.query.getMarketParameters, { ts: G + 10 })).toBeNull();
  });
});

describe('market: routes and genesis', () => {
  it('describes the REST routes with the paper names, each mapped to a message type or query', async () => {
    const { m } = await marketChain();
    const types = new Set((m.messages ?? []).map((t) => t.type));
    const queries = new Set((m.queries ?? []).map((q) => q.path));
    for (const name of [
      'addMeterFromList',
      'removeMeterFromList',
      'setMarketParameters',
      'setEnergyMeasure',
      'solveMarkets',
    ])
      expect(m.routes?.find((r) => r.path === `/market/${name}`)?.method, name).toBe('POST');
    for (const name of [
      'getMetersList',
      'getMarketParameters',
      'getEnergyMeasure',
      'getTotalEnergy',
      'getReceipt',
    ])
      expect(m.routes?.find((r) => r.path.startsWith(`/market/${name}`))?.method, name).toBe('GET');
    for (const r of m.routes ?? [])
      expect(r.method === 'POST' ? types.has(r.target) : queries.has(r.target), r.path).toBe(true);
  });

  it('refuses a malformed genesis section, naming the field', async () => {
    await expect(marketChain({ market: { admin: 'not-an-address' } })).rejects.toThrow();
    await expect(marketChain({ market: { maxMeasureWh: 10 ** 9 } })).rejects.toMatchObject({
      code: 'GENESIS_INVALID',
    });
    await expect(
      marketChain({ market: { periods: [{ tsStart: 0, tsEnd: 900, slotSeconds: 900, pBuyBAU: 21 }] } }),
    ).rejects.toThrow(/market.periods\[0\].pBuyBAU/);
  });

  it("keeps a meter's account out of public events and out of other accounts' error texts", async () => {
    const { m, send } = await marketChain();
    await send(keys.admin, m.msg.setMarketParameters, {
      tsStart: G - 3600,
      tsEnd: G,
      slotSeconds: 900,
      ...paperPrices,
    });
    const added = await send(keys.admin, m.msg.addMeterFromList, {
      meterId: 'm1',
      account: addr(keys.alice),
    });
    const event = added.events.find((e) => e.type === 'market.meter_added');
    expect(event?.attributes.map((a) => a.key)).toEqual(['meterId']);
    expect(JSON.stringify(added.events), 'no event names the account').not.toContain(bech(keys.alice));
    // Bob posts for Alice's meter: refused, without learning whose meter it is.
    const foreign = await send(keys.bob, m.msg.setEnergyMeasure, {
      meterId: 'm1',
      tsStart: G - 3600,
      tsEnd: G - 2700,
      signal: 'consumption',
      value: 5,
    });
    expect(foreign.codespace).toBe('MARKET_NOT_METER_OWNER');
    expect(foreign.log).not.toContain(bech(keys.alice));
    // The admin re-linking the meter: the public tx log does not name the linked account either.
    const relink = await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm1', account: addr(keys.bob) });
    expect(relink.codespace).toBe('MARKET_METER_EXISTS');
    const mismatch = await send(keys.admin, m.msg.removeMeterFromList, { meterId: 'm1' }).then(() =>
      send(keys.admin, m.msg.addMeterFromList, { meterId: 'm1', account: addr(keys.bob) }),
    );
    expect(mismatch.codespace).toBe('MARKET_METER_ACCOUNT_MISMATCH');
    expect(mismatch.log).not.toContain(bech(keys.alice));
  });
});

describe('market: proven meter list', () => {
  it("proves no meter's account to a caller who is not the admin", async () => {
    const { chain, m, send } = await marketChain();
    expect(
      (await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm1', account: addr(keys.alice) })).code,
    ).toBe(0);
    const path = '/market/get_meters_list';
    const body = encode(m.query.getMetersList.request, { start: 0, limit: 10 });
    const data = signQuery(keys.carol.secretKey, {
      chainId: chain.chainId,
      path,
      body,
      timestamp: await chain.lastBlockTime(),
    });
    const r = await chain.app.query({ path, data, prove: true });
    expect(r.codespace, 'a proven meter list would carry every meter record, account included').toBe(
      'QUERY_NOT_PROVABLE',
    );
    expect(r.proof).toBeUndefined();
    expect(r.value.length, 'nothing read is returned').toBe(0);
  });
});
