import { txMessage } from '@joule/state';
import { describe, expect, it } from 'vitest';
import { addr, G, keys, marketChain, paperPrices } from '../testkit/fixture.js';

async function setup(market: Record<string, unknown> = {}) {
  const f = await marketChain({ market });
  const { m, send } = f;
  await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm1', account: addr(keys.alice) });
  await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm2', account: addr(keys.bob) });
  await send(keys.admin, m.msg.addMeterFromList, { meterId: 'gone', account: addr(keys.bob) });
  await send(keys.admin, m.msg.removeMeterFromList, { meterId: 'gone' });
  // A past period (ended) and one holding the current block time.
  const past = { tsStart: G - 7200, tsEnd: G - 3600, slotSeconds: 900, ...paperPrices };
  await send(keys.admin, m.msg.setMarketParameters, past);
  await send(keys.admin, m.msg.setMarketParameters, { ...past, tsStart: G - 900, tsEnd: G + 3600 });
  return f;
}

describe('market: measures', () => {
  it('refuses every kind of bad measure with its own code', async () => {
    const { m, send } = await setup();
    const ok = { meterId: 'm1', tsStart: G - 7200, tsEnd: G - 6300, signal: 'consumption', value: 2500 };
    const code = async (over: Partial<typeof ok> = {}, signer = keys.alice) =>
      (await send(signer, m.msg.setEnergyMeasure, { ...ok, ...over })).codespace;
    expect(await code({ signal: 'prod' })).toBe('MARKET_UNKNOWN_SIGNAL');
    expect(await code({ value: -5 })).toBe('MARKET_NEGATIVE_VALUE');
    expect(await code({ value: 100_001 })).toBe('MARKET_VALUE_TOO_LARGE');
    expect(await code({ meterId: 'm9' })).toBe('MARKET_UNKNOWN_METER');
    expect(await code({ meterId: 'gone' }, keys.bob)).toBe('MARKET_METER_REMOVED');
    expect(await code({}, keys.bob)).toBe('MARKET_NOT_METER_OWNER');
    expect(await code({ tsStart: G - 36_000, tsEnd: G - 35_100 })).toBe('MARKET_NO_PERIOD');
    expect(await code({ tsStart: G - 7200 + 60, tsEnd: G - 6300 + 60 })).toBe('MARKET_SLOT_MISALIGNED');
    expect(await code({ tsEnd: G - 6000 })).toBe('MARKET_SLOT_LENGTH');
    expect(await code({ tsStart: G, tsEnd: G + 900 })).toBe('MARKET_SLOT_NOT_ENDED');
    expect(await code()).toBe('');
    expect(await code()).toBe('MARKET_DUPLICATE_MEASURE');
    expect(await code({ signal: 'production', value: 10 })).toBe(''); // the other signal of the slot
    expect(await code({ signal: 'production', value: 10 })).toBe('MARKET_DUPLICATE_MEASURE');
  });

  it('sees, within one transaction, the meter list as the earlier messages left it', async () => {
    const { chain, m } = await setup();
    const measure = (tsStart: number) =>
      txMessage(m.msg.setEnergyMeasure, {
        meterId: 'own',
        tsStart,
        tsEnd: tsStart + 900,
        signal: 'consumption',
        value: 5,
      });
    const add = txMessage(m.msg.addMeterFromList, { meterId: 'own', account: addr(keys.admin) });
    const remove = txMessage(m.msg.removeMeterFromList, { meterId: 'own' });
    // The meter's second measure comes after its removal in the same transaction: refused.
    const refused = await chain.deliver(keys.admin, add, measure(G - 7200), remove, measure(G - 6300));
    expect(refused.codespace, 'a measure after the removal').toBe('MARKET_METER_REMOVED');
    const accepted = await chain.deliver(keys.admin, add, measure(G - 7200), measure(G - 6300));
    expect(accepted.code, 'both measures of a listed meter').toBe(0);
  });

  it('keeps per-slot totals on each measure and shows a measure only to its account and the admin', async () => {
    const { chain, m, send } = await setup();
    const post = (
      signer: typeof keys.alice,
      meterId: string,
      tsStart: number,
      signal: string,
      value: number,
    ) => send(signer, m.msg.setEnergyMeasure, { meterId, tsStart, tsEnd: tsStart + 900, signal, value });
    expect((await post(keys.alice, 'm1', G - 7200, 'consumption', 2500)).code).toBe(0);
    expect((await post(keys.bob, 'm2', G - 7200, 'production', 1400)).code).toBe(0);
    expect((await post(keys.bob, 'm2', G - 7200, 'consumption', 100)).code).toBe(0);
    expect((await post(keys.bob, 'm2', G - 6300, 'production', 700)).code).toBe(0);
    const totals = await chain.query('market', m.query.getTotalEnergy, { tsStart: G - 7200, count: 10 });
    expect(totals).toEqual([
      { tsStart: G - 7200, ec: 2600, ep: 1400, reporters: 2 },
      { tsStart: G - 6300, ec: 0, ep: 700, reporters: 1 },
      { tsStart: G - 5400, ec: 0, ep: 0, reporters: 0 },
      { tsStart: G - 4500, ec: 0, ep: 0, reporters: 0 },
    ]);
    const req = { meterId: 'm1', tsStart: G - 7200, signal: 'consumption' };
    expect(await chain.query('market', m.query.getEnergyMeasure, req, keys.alice)).toBe(2500);
    expect(await chain.query('market', m.query.getEnergyMeasure, req, keys.admin)).toBe(2500);
    expect(
      await chain.query('market', m.query.getEnergyMeasure, { ...req, signal: 'production' }, keys.alice),
    ).toBeNull();
    await expect(chain.query('market', m.query.getEnergyMeasure, req, keys.bob)).rejects.toMatchObject({
      code: 'MARKET_NOT_METER_OWNER',
    });
    // A meter's measures of a range of slots: the same rule, the slots it reported only.
    const range = { meterId: 'm2', tsStart: G - 7200, count: 4 };
    const m2 = [
      { tsStart: G - 7200, cons: 100, prod: 1400 },
      { tsStart: G - 6300, cons: null, prod: 700 },
    ];
    expect(await chain.query('market', m.query.getMeterMeasures, range, keys.bob)).toEqual(m2);
    expect(await chain.query('market', m.query.getMeterMeasures, range, keys.admin)).toEqual(m2);
    await expect(chain.query('market', m.query.getMeterMeasures, range, keys.alice)).rejects.toMatchObject({
      code: 'MARKET_NOT_METER_OWNER',
    });
    await expect(
      chain.query('market', m.query.getMeterMeasures, { ...range, count: 0 }, keys.bob),
    ).rejects.toMatchObject({ code: 'MARKET_BAD_QUERY' });
    // Unsigned, an authenticated query is refused by the framework.
    await expect(chain.query('market', m.query.getEnergyMeasure, req)).rejects.toMatchObject({
      code: 'QUERY_UNAUTHENTICATED',
    });
    // Measure events never carry the value.
    const r = await post(keys.alice, 'm1', G - 6300, 'consumption', 123);
    expect(r.events.find((e) => e.type === 'market.measure')?.attributes.map((a) => a.key)).toEqual([
      'meterId',
      'tsStart',
      'signal',
    ]);
  });
});
