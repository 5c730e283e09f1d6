import { txMessage } from '@joule/state';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxSlotsPerMeasures } from '../constants.js';
import { addr, blocksUntil, G, keys, marketChain, paperPrices } from '../testkit/fixture.js';

/** Slots of the test's past period: 40 (2½ measure records a meter), ended before genesis. */
const periodSlots = 40;
const P = G - (periodSlots + 4) * 900;

async function setup() {
  const f = await marketChain();
  const { m, send } = f;
  await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm1', account: addr(keys.alice) });
  await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm2', account: addr(keys.bob) });
  await send(keys.admin, m.msg.addMeterFromList, { meterId: 'gone', account: addr(keys.bob) });
  await send(keys.admin, m.msg.removeMeterFromList, { meterId: 'gone' });
  await send(keys.admin, m.msg.setMarketParameters, {
    tsStart: P,
    tsEnd: P + periodSlots * 900,
    slotSeconds: 900,
    ...paperPrices,
  });
  // A period that holds the current block time, for a slot that has not ended.
  await send(keys.admin, m.msg.setMarketParameters, {
    tsStart: G - 900,
    tsEnd: G + 3600,
    slotSeconds: 900,
    ...paperPrices,
  });
  return f;
}

type Values = (number | null)[];

describe('market: measures of many slots in one message', () => {
  it('refuses what set_energy_measure refuses, with the same codes, and a malformed batch', async () => {
    const { m, send } = await setup();
    const ok = {
      meterId: 'm1',
      tsStart: P,
      consumption: [10, 20] as Values,
      production: [null, 5] as Values,
    };
    const code = async (over: Partial<typeof ok> = {}, signer = keys.alice) =>
      (await send(signer, m.msg.setEnergyMeasures, { ...ok, ...over })).codespace;
    expect(await code({ production: [1] })).toBe('MARKET_BAD_BATCH');
    expect(await code({ consumption: [], production: [] })).toBe('MARKET_BAD_BATCH');
    expect(await code({ consumption: [null, null], production: [null, null] })).toBe('MARKET_BAD_BATCH');
    expect(await code({ consumption: [10, -1] })).toBe('MARKET_NEGATIVE_VALUE');
    expect(await code({ production: [null, 100_001] })).toBe('MARKET_VALUE_TOO_LARGE');
    expect(await code({ meterId: 'm9' })).toBe('MARKET_UNKNOWN_METER');
    expect(await code({ meterId: 'gone' }, keys.bob)).toBe('MARKET_METER_REMOVED');
    expect(await code({}, keys.bob)).toBe('MARKET_NOT_METER_OWNER');
    expect(await code({ tsStart: P - 3600 })).toBe('MARKET_NO_PERIOD');
    expect(await code({ tsStart: P + 60 })).toBe('MARKET_SLOT_MISALIGNED');
    // The last two slots of the period and one past its end.
    const pastEnd = { tsStart: P + (periodSlots - 2) * 900, consumption: [1, 2, 3], production: [1, 2, 3] };
    expect(await code(pastEnd)).toBe('MARKET_BAD_BATCH');
    expect(await code({ tsStart: G - 900, consumption: [1, 2], production: [1, 2] })).toBe(
      'MARKET_SLOT_NOT_ENDED',
    );
    expect(await code()).toBe('');
    expect(await code({ tsStart: P + 900, consumption: [7], production: [null] })).toBe(
      'MARKET_DUPLICATE_MEASURE',
    );
    // The production of the first slot was null: it can still come, once.
    const first = { meterId: 'm1', tsStart: P, tsEnd: P + 900, signal: 'production', value: 3 };
    expect((await send(keys.alice, m.msg.setEnergyMeasure, first)).codespace).toBe('');
    expect((await send(keys.alice, m.msg.setEnergyMeasure, first)).codespace).toBe(
      'MARKET_DUPLICATE_MEASURE',
    );
    // A refused batch writes nothing: its first slot stays open.
    const refused = { tsStart: P + 2 * 900, consumption: [4, 5], production: [null, null] };
    expect(await code({ ...refused, production: [null, 100_001] })).toBe('MARKET_VALUE_TOO_LARGE');
    expect(await code(refused)).toBe('');
  });

  it('bounds a message at a day of slots in its codec', async () => {
    const { m } = await setup();
    const long = Array.from({ length: maxSlotsPerMeasures + 1 }, () => 1);
    expect(() =>
      txMessage(m.msg.setEnergyMeasures, { meterId: 'm1', tsStart: P, consumption: long, production: long }),
    ).toThrow(/96/);
  });

  it('leaves the same measures and slot totals as the same measures sent one message each', async () => {
    const value = fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: null, freq: 2 });
    const batch = fc.record({
      meter: fc.constantFrom<'m1' | 'm2'>('m1', 'm2'),
      first: fc.integer({ min: 0, max: periodSlots - 1 }),
      // At most 16 slots: their single messages fit one transaction, all or nothing like the batch.
      values: fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 16 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 8 }), async (batches) => {
        const one = await setup();
        const many = await setup();
        for (const b of batches) {
          const signer = b.meter === 'm1' ? keys.alice : keys.bob;
          const values = b.values.slice(0, periodSlots - b.first);
          const tsStart = P + b.first * 900;
          const consumption = values.map(([c]) => c);
          const production = values.map(([, p]) => p);
          const r = await one.send(signer, one.m.msg.setEnergyMeasures, {
            meterId: b.meter,
            tsStart,
            consumption,
            production,
          });
          const singles = values.flatMap(([c, p], k) =>
            (
              [
                ['consumption', c],
                ['production', p],
              ] as const
            )
              .filter(([, v]) => v !== null)
              .map(([signal, v]) =>
                txMessage(many.m.msg.setEnergyMeasure, {
                  meterId: b.meter,
                  tsStart: tsStart + k * 900,
                  tsEnd: tsStart + (k + 1) * 900,
                  signal,
                  value: v as number,
                }),
              ),
          );
          // One transaction of single messages for the batch (atomic like it), or none if empty.
          if (singles.length === 0) {
            expect(r.codespace).toBe('MARKET_BAD_BATCH');
            continue;
          }
          const s = await many.chain.deliver(signer, ...singles);
          // Both refuse a duplicate, and write nothing.
          expect(s.codespace).toBe(r.codespace);
        }
        const totals = { tsStart: P, count: periodSlots };
        expect(await one.chain.query('market', one.m.query.getTotalEnergy, totals)).toEqual(
          await many.chain.query('market', many.m.query.getTotalEnergy, totals),
        );
        for (const [meterId, k] of [
          ['m1', keys.alice],
          ['m2', keys.bob],
        ] as const) {
          const range = { meterId, tsStart: P, count: periodSlots };
          expect(await one.chain.query('market', one.m.query.getMeterMeasures, range, k)).toEqual(
            await many.chain.query('market', many.m.query.getMeterMeasures, range, k),
          );
        }
      }),
      { numRuns: 25 },
    );
  });

  it('emits one event without values', async () => {
    const { m, send } = await setup();
    const r = await send(keys.alice, m.msg.setEnergyMeasures, {
      meterId: 'm1',
      tsStart: P,
      consumption: [1, null, 3],
      production: [2, 2, null],
    });
    expect(r.code).toBe(0);
    const e = r.events.find((x) => x.type === 'market.measures');
    expect(e?.attributes).toEqual([
      { key: 'meterId', value: 'm1' },
      { key: 'tsStart', value: String(P) },
      { key: 'slots', value: '3' },
      { key: 'measures', value: '4' },
    ]);
  });

  it('crosses 16-slot records and a 1 024-slot pass as the single messages do, up to the solve', async () => {
    const slots = 1_100;
    const start = G - (slots + 4) * 900;
    const chainOf = async () => {
      const f = await marketChain();
      await f.send(keys.admin, f.m.msg.addMeterFromList, { meterId: 'm1', account: addr(keys.alice) });
      await f.send(keys.admin, f.m.msg.addMeterFromList, { meterId: 'm2', account: addr(keys.bob) });
      const r = await f.send(keys.admin, f.m.msg.setMarketParameters, {
        tsStart: start,
        tsEnd: start + slots * 900,
        slotSeconds: 900,
        ...paperPrices,
      });
      expect(r.codespace).toBe('');
      return f;
    };
    const batch = await chainOf();
    const singles = await chainOf();
    const asSingles = (meterId: string, tsStart: number, cons: Values, prod: Values) =>
      cons.flatMap((c, k) =>
        (
          [
            ['consumption', c],
            ['production', prod[k] ?? null],
          ] as const
        )
          .filter(([, v]) => v !== null)
          .map(([signal, value]) =>
            txMessage(singles.m.msg.setEnergyMeasure, {
              meterId,
              tsStart: tsStart + k * 900,
              tsEnd: tsStart + (k + 1) * 900,
              signal,
              value: value as number,
            }),
          ),
      );
    const post = async (
      signer: typeof keys.alice,
      meterId: string,
      tsStart: number,
      cons: Values,
      prod: Values,
    ) => {
      const r = await batch.send(signer, batch.m.msg.setEnergyMeasures, {
        meterId,
        tsStart,
        consumption: cons,
        production: prod,
      });
      expect(r.codespace).toBe('');
      const messages = asSingles(meterId, tsStart, cons, prod);
      for (let i = 0; i < messages.length; i += 32)
        expect((await singles.chain.deliver(signer, ...messages.slice(i, i + 32))).codespace).toBe('');
    };
    // Slots 1 000–1 095: records 62–68 of pass 0 and the first of pass 1.
    await post(
      keys.alice,
      'm1',
      start + 1_000 * 900,
      Array.from({ length: 96 }, (_, k) => (k % 5 === 0 ? null : 100 + k)),
      Array.from({ length: 96 }, (_, k) => (k % 3 === 0 ? 7 * k : null)),
    );
    // Production alone, then the consumption of the same slots: the meter counts once a slot.
    const none = Array.from({ length: 40 }, () => null);
    await post(
      keys.bob,
      'm2',
      start + 1_010 * 900,
      none,
      Array.from({ length: 40 }, (_, k) => k),
    );
    await post(
      keys.bob,
      'm2',
      start + 1_010 * 900,
      Array.from({ length: 40 }, (_, k) => 3 * k),
      none,
    );
    const totals = { tsStart: start + 990 * 900, count: 110 };
    expect(await batch.chain.query('market', batch.m.query.getTotalEnergy, totals)).toEqual(
      await singles.chain.query('market', singles.m.query.getTotalEnergy, totals),
    );
    expect((await batch.chain.app.exportGenesis()).market).toEqual(
      (await singles.chain.app.exportGenesis()).market,
    );
    for (const f of [batch, singles]) {
      expect((await f.send(keys.carol, f.m.msg.solveMarkets, { tsStart: start })).codespace).toBe('');
      await blocksUntil(
        f.chain,
        async () => (await f.chain.query('market', f.m.query.getReceipt, { tsStart: start })) !== null,
        200,
      );
    }
    const receipt = async (f: typeof batch) => ({
      ...(await f.chain.query('market', f.m.query.getReceipt, { tsStart: start })),
      solvedHeight: 0,
    });
    expect(await receipt(batch)).toEqual(await receipt(singles));
    for (const k of [keys.alice, keys.bob]) expect(await batch.balance(k)).toBe(await singles.balance(k));
    const late = { meterId: 'm1', tsStart: start, consumption: [1], production: [null] };
    expect((await batch.send(keys.alice, batch.m.msg.setEnergyMeasures, late)).codespace).toBe(
      'MARKET_PERIOD_SOLVED',
    );
  });
});
