import { txMessage } from '@joule/state';
import { testKey } from '@joule/state/testkit';
import { describe, expect, it } from 'vitest';
import {
  maxPaymentsPerBlock,
  slotsPerPass,
  solveMeterSlotsPerBlock,
  solveMinMeterSlots,
  solvePricingMeterSlots,
} from '../constants.js';
import {
  bech,
  G,
  keys,
  marketChain,
  paperPrices,
  periodGenesis,
  pureSettlement,
} from '../testkit/fixture.js';

const slots = 1_100; // two passes: 1 024 slots and 76
const P = G - slots * 900;
const owners = [keys.alice, keys.bob, keys.carol, keys.dave];
const meters = 50;
const stringPrices = Object.fromEntries(Object.entries(paperPrices).map(([k, v]) => [k, String(v)]));

describe('market: the meter-slots a block settles', () => {
  it('prices a pass only with room left to settle a meter of it, so a pass is priced and begun in one block', () => {
    // A step that priced a pass (and counted its grid flow and missing reports) always settles
    // that pass's first meter in the same block: the counts are added once.
    expect(solvePricingMeterSlots + slotsPerPass).toBeLessThanOrEqual(solveMeterSlotsPerBlock);
    expect(solveMinMeterSlots).toBeLessThanOrEqual(slotsPerPass);
  });

  it('bound each step however large the hook budget, and the solve still settles as the pure function', async () => {
    // A few measures: a meter counts its pass's slots whether it reported in them or not.
    const measures = [];
    for (let s = 0; s < slots; s += 97)
      for (let i = 0; i < meters; i += 7)
        measures.push({
          meterId: `m${i}`,
          tsStart: P + s * 900,
          cons: (i * 13 + s) % 500,
          prod: i % 2 ? 40 : null,
        });
    const params = { tsStart: P, tsEnd: G, slotSeconds: 900, ...paperPrices, beta: 2_000n };
    const f = await marketChain({
      market: periodGenesis(measures, owners, params, meters),
      funds: 10n ** 13n,
      app: { hookWorkBudget: 100_000_000 },
    });
    const { chain, m, balance } = f;
    await chain.block();
    const before = await Promise.all([...owners, keys.admin].map((k) => balance(k)));
    const solve = await chain.tx(keys.carol, [txMessage(m.msg.solveMarkets, { tsStart: P })]);
    const progress: { pass: string | undefined; meter: string | undefined }[] = [];
    for (
      let n = 0;
      n < 20 && (await chain.query('market', m.query.getReceipt, { tsStart: P })) === null;
      n++
    ) {
      const r = await chain.block(n === 0 ? [solve] : []);
      if (n === 0) expect(r.txResults[0]?.code).toBe(0);
      const e = r.events.find((x) => x.type === 'market.solve_progress');
      if (e !== undefined)
        progress.push({
          pass: e.attributes.find((a) => a.key === 'pass')?.value,
          meter: e.attributes.find((a) => a.key === 'meter')?.value,
        });
    }
    // Block 1 prices the first pass (counted as 24 576 meter-slots) and settles 8 meters of it
    // (8 × 1 024); block 2 the next 32; block 3 the other 10, but not the second pass, whose pricing
    // would pass the bound; block 4 prices it and settles 32 of its meters — a pass of 76 slots
    // counts each meter as `solveMinMeterSlots` (256) — and block 5 the other 18.
    const first = (solveMeterSlotsPerBlock - solvePricingMeterSlots) / slotsPerPass;
    expect([first, solveMeterSlotsPerBlock / slotsPerPass]).toEqual([8, 32]);
    expect((solveMeterSlotsPerBlock - solvePricingMeterSlots) / solveMinMeterSlots).toBe(32);
    expect(progress.slice(0, 4)).toEqual([
      { pass: '0', meter: '8' },
      { pass: '0', meter: '40' },
      { pass: '1', meter: '0' },
      { pass: '1', meter: '32' },
    ]);
    expect(progress[4]?.pass).not.toBe('1');

    const expected = pureSettlement(measures, owners, params, slots, meters);
    const after = await Promise.all([...owners, keys.admin].map((k) => balance(k)));
    owners.forEach((k, i) => {
      expect(after[i]! - before[i]!, bech(k)).toBe(expected.deltas.get(bech(k)));
    });
    expect(after[4]! - before[4]!, 'admin').toBe(expected.admin);
    expect(await chain.query('market', m.query.getReceipt, { tsStart: P })).toMatchObject({
      adminDelta: expected.admin,
      gridFlow: expected.gridFlow,
      missing: expected.missing,
    });
  });
});

describe('market: the payment phases', () => {
  it('pay at most 32 accounts a block, passing over those the phase does not pay without counting them', async () => {
    const accounts = 70;
    const owner = (i: number) => testKey(200 + i);
    const measures = [];
    for (let s = 0; s < 8; s++)
      for (let i = 0; i < accounts; i++)
        measures.push(
          i % 10 === 0
            ? { meterId: `m${i}`, tsStart: P + s * 900, cons: null, prod: 900 }
            : { meterId: `m${i}`, tsStart: P + s * 900, cons: 100 + i, prod: null },
        );
    const f = await marketChain({
      market: {
        graceSlots: 0,
        meters: Array.from({ length: accounts }, (_, i) => ({ meterId: `m${i}`, account: bech(owner(i)) })),
        periods: [{ tsStart: P, tsEnd: G, slotSeconds: 900, ...stringPrices }],
        measures,
      },
      app: { hookWorkBudget: 100_000_000 },
    });
    const { chain, m } = f;
    await chain.block();
    const solve = await chain.tx(keys.carol, [txMessage(m.msg.solveMarkets, { tsStart: P })]);
    const paid: number[] = [];
    for (
      let n = 0;
      n < 20 && (await chain.query('market', m.query.getReceipt, { tsStart: P })) === null;
      n++
    ) {
      const r = await chain.block(n === 0 ? [solve] : []);
      const settled = r.events.filter((e) => e.type === 'market.settled').length;
      if (settled > 0) paid.push(settled);
    }
    // 63 accounts owe and 7 are owed: 32 + 31 debits, then the 7 credits past 63 passed over — in 3
    // blocks, where counting every account looked at as a payment took 5 (140 accounts / 32).
    expect(paid.reduce((a, b) => a + b, 0)).toBe(accounts);
    expect(Math.max(...paid)).toBe(maxPaymentsPerBlock);
    expect(paid).toHaveLength(3);
  });
});
