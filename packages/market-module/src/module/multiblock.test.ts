import { coreModules } from '@joule/state';
import { TestChain } from '@joule/state/testkit';
import { describe, expect, it } from 'vitest';
import {
  addr,
  bech,
  G,
  keys,
  marketChain,
  paperPrices,
  periodGenesis,
  pureSettlement,
} from '../testkit/fixture.js';
import { minSolveBudget } from './budget.js';
import { market } from './market.js';

const slots = 1_100; // two passes (1 024 slots and 76)
const P = G - slots * 900;
const meterCount = 40;
// The least budget: a few meters per block, so the solve spans many blocks.
const budget = minSolveBudget;
const owners = [keys.alice, keys.bob, keys.carol, keys.dave];

/** A seeded community: 24 meters of 4 accounts; each meter reports, or not, each signal of each slot. */
function community(seed: number) {
  let x = seed >>> 0;
  const next = (n: number): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
  const measures: { meterId: string; tsStart: number; cons: number | null; prod: number | null }[] = [];
  for (let s = 0; s < slots; s++) {
    for (let i = 0; i < meterCount; i++) {
      if (next(10) < 2) continue; // missing
      const cons = next(3) === 0 ? null : next(3000);
      const prod = i % 2 === 0 || next(2) === 0 ? next(2000) : null;
      if (cons === null && prod === null) continue; // a measure has at least one signal
      measures.push({ meterId: `m${i}`, tsStart: P + s * 900, cons, prod });
    }
  }
  return measures;
}

describe('market: a long period solved over many blocks', () => {
  it('spreads the work within the hook budget and moves balances exactly as the pure function', async () => {
    const measures = community(20251127);
    const params = { tsStart: P, tsEnd: G, slotSeconds: 900, ...paperPrices, beta: 2_000n };
    const f = await marketChain({
      market: periodGenesis(measures, owners, params, meterCount),
      funds: 10n ** 13n,
      app: { hookWorkBudget: budget },
    });
    const { chain, m, send, balance, supply } = f;
    await chain.block(); // queries see genesis once block 1 is committed
    const before = await Promise.all([...owners, keys.admin].map((k) => balance(k)));
    const supply0 = await supply();
    expect((await send(keys.carol, m.msg.solveMarkets, { tsStart: P })).code).toBe(0);
    let blocks = 1;
    const failures: string[] = [];
    for (let i = 0; i < 3; i++, blocks++) await chain.block();
    const midSolve = await chain.app.exportGenesis(); // a solve in progress, exported
    while ((await chain.query('market', m.query.getReceipt, { tsStart: P })) === null && blocks < 2000) {
      const r = await chain.block();
      for (const e of r.events)
        if (e.type === 'hook.failed' || e.type === 'market.solve_stalled') failures.push(JSON.stringify(e));
      blocks++;
    }
    expect(failures).toEqual([]);
    expect(blocks, `solved in ${blocks} blocks`).toBeGreaterThan(4);
    // The pure function on the same data.
    const expected = pureSettlement(measures, owners, params, slots, meterCount);
    const after = await Promise.all([...owners, keys.admin].map((k) => balance(k)));
    owners.forEach((k, i) => {
      expect(after[i]! - before[i]!, bech(k)).toBe(expected.deltas.get(bech(k)));
    });
    expect(after[4]! - before[4]!, 'admin').toBe(expected.admin);
    expect((await supply()) - supply0, 'supply').toBe(-expected.gridFlow);
    const receipt = await chain.query('market', m.query.getReceipt, { tsStart: P });
    expect(receipt).toMatchObject({
      adminDelta: expected.admin,
      gridFlow: expected.gridFlow,
      missing: expected.missing,
    });
    const rows = await chain.query('market', m.query.getReceiptSlots, { tsStart: P + 900 * 130, count: 5 });
    rows.forEach((row, i) => {
      const pricing = expected.slots[130 + i]!.pricing;
      expect([BigInt(row.ec), BigInt(row.ep), row.gridFlow, row.pbNum]).toEqual([
        pricing.ec,
        pricing.ep,
        pricing.gridFlow,
        pricing.pb?.num ?? null,
      ]);
    });

    // Genesis export and import give back the same market state.
    const exported = await chain.app.exportGenesis();
    const core = coreModules();
    const again = await TestChain.create({
      modules: [...core.modules, market({}, { bank: core.bank.keeper })],
      accounts: core.accounts,
      genesis: exported,
    });
    await again.block();
    expect((await again.app.exportGenesis()).market).toEqual(exported.market);
    expect(
      await again.query(
        'market',
        m.query.getEnergyMeasure,
        { meterId: 'm0', tsStart: P, signal: 'production' },
        keys.admin,
      ),
    ).toBe(measures.find((x) => x.meterId === 'm0' && x.tsStart === P)?.prod ?? null);
    expect(addr(keys.admin)).toHaveLength(20);

    // A chain started from the mid-solve export finishes the solve with the same receipt.
    const core2 = coreModules();
    const resumed = await TestChain.create({
      modules: [...core2.modules, market({}, { bank: core2.bank.keeper })],
      accounts: core2.accounts,
      genesis: midSolve,
      app: { hookWorkBudget: budget },
    });
    expect((midSolve.market as { progress: unknown[] }).progress).toHaveLength(1);
    for (
      let i = 0;
      i < 200 && (await resumed.query('market', m.query.getReceipt, { tsStart: P })) === null;
      i++
    )
      await resumed.block();
    const resumedReceipt = await resumed.query('market', m.query.getReceipt, { tsStart: P });
    expect({ ...resumedReceipt, solvedHeight: 0 }).toEqual({ ...receipt, solvedHeight: 0 });
  });
});
