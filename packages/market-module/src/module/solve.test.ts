import { type AppEvent, encode } from '@joule/consensus';
import { txMessage } from '@joule/state';
import { describe, expect, it } from 'vitest';
import { formatRational } from '../settlement/rational.js';
import { addr, bech, blocksUntil, G, keys, marketChain, paperPrices } from '../testkit/fixture.js';
import { minSolveBudget } from './budget.js';
import type { MarketModule } from './market.js';

const enc = (m: MarketModule, tsStart: number): Uint8Array => encode(m.msg.solveMarkets.codec, { tsStart });

const P = G - 7200; // a period of 4 slots that has ended at genesis

async function algorithm1() {
  const f = await marketChain();
  const { m, send } = f;
  await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm1', account: addr(keys.alice) });
  await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm2', account: addr(keys.bob) });
  await send(keys.admin, m.msg.setMarketParameters, {
    tsStart: P,
    tsEnd: P + 3600,
    slotSeconds: 900,
    ...paperPrices,
  });
  const measure = (meterId: string, signal: string, value: number) => ({
    meterId,
    tsStart: P,
    tsEnd: P + 900,
    signal,
    value,
  });
  expect((await send(keys.alice, m.msg.setEnergyMeasure, measure('m1', 'consumption', 2500))).code).toBe(0);
  expect((await send(keys.bob, m.msg.setEnergyMeasure, measure('m2', 'production', 1400))).code).toBe(0);
  return { ...f, measure };
}

describe('market: solving a period on chain', () => {
  it('settles Algorithm 1 exactly: balances move as the pure function says, once', async () => {
    const { chain, m, send, balance, supply, measure } = await algorithm1();
    const before = {
      alice: await balance(keys.alice),
      bob: await balance(keys.bob),
      admin: await balance(keys.admin),
      supply: await supply(),
    };
    expect((await send(keys.carol, m.msg.solveMarkets, { tsStart: P + 900 })).codespace).toBe(
      'MARKET_UNKNOWN_PERIOD',
    );
    await send(keys.admin, m.msg.setMarketParameters, {
      tsStart: G - 900,
      tsEnd: G + 900,
      slotSeconds: 900,
      ...paperPrices,
    });
    expect((await send(keys.carol, m.msg.solveMarkets, { tsStart: G - 900 })).codespace).toBe(
      'MARKET_PERIOD_NOT_ENDED',
    );
    // In one block: a solve, then a late measure and a second solve, both refused while SOLVING.
    const response = await chain.block([
      await chain.tx(keys.carol, [{ type: m.msg.solveMarkets.type, value: enc(m, P) }]),
      await chain.tx(keys.alice, [txMessage(m.msg.setEnergyMeasure, measure('m1', 'production', 1))]),
      await chain.tx(keys.dave, [{ type: m.msg.solveMarkets.type, value: enc(m, P) }]),
    ]);
    expect(response.txResults.map((r) => r.codespace)).toEqual([
      '',
      'MARKET_PERIOD_SOLVING',
      'MARKET_PERIOD_SOLVING',
    ]);
    const solved = response.events.filter((e: AppEvent) => e.type === 'market.solved');
    expect(solved).toHaveLength(1); // a 4-slot period fits in one block's budget
    expect([
      (await balance(keys.alice)) - before.alice,
      (await balance(keys.bob)) - before.bob,
      (await balance(keys.admin)) - before.admin,
      (await supply()) - before.supply,
    ]).toEqual([-45_500_000n, 12_600_000n, 9_800_000n, -23_100_000n]);
    const receipt = await chain.query('market', m.query.getReceipt, { tsStart: P });
    expect(receipt).toMatchObject({
      state: 'SOLVED',
      adminDelta: 9_800_000n,
      gridFlow: 23_100_000n,
      accounts: 2,
      slots: 4,
    });
    expect(receipt?.missing).toBe(2 + 2 + 2 + 2 - 2); // 2 meters × 4 slots, 2 meter-slots reported
    const slots = await chain.query('market', m.query.getReceiptSlots, { tsStart: P, count: 2 });
    expect(slots[0]).toMatchObject({ ec: 2500, ep: 1400, e: 1100, gridFlow: 23_100_000n });
    expect(formatRational({ num: slots[0]?.pbNum ?? 0n, den: slots[0]?.pbDen ?? 1n })).toBe('18200000');
    expect(slots[1]).toMatchObject({ ec: 0, ep: 0, pbNum: null, psNum: null });
    const deltas = await chain.query('market', m.query.getReceiptDeltas, { tsStart: P, start: 0, limit: 10 });
    expect(deltas).toEqual({
      deltas: [
        { account: addr(keys.alice), delta: -45_500_000n },
        { account: addr(keys.bob), delta: 12_600_000n },
      ],
      next: null,
    });
    // Idempotent after SOLVED: a second solve and late changes are refused, balances stay.
    expect((await send(keys.carol, m.msg.solveMarkets, { tsStart: P })).codespace).toBe(
      'MARKET_PERIOD_SOLVED',
    );
    expect((await send(keys.alice, m.msg.setEnergyMeasure, measure('m1', 'production', 1))).codespace).toBe(
      'MARKET_PERIOD_SOLVED',
    );
    expect(
      (
        await send(keys.admin, m.msg.setMarketParameters, {
          tsStart: P,
          tsEnd: P + 3600,
          slotSeconds: 900,
          ...paperPrices,
        })
      ).codespace,
    ).toBe('MARKET_PERIOD_SOLVED');
    await chain.block();
    expect((await balance(keys.alice)) - before.alice).toBe(-45_500_000n);
  });

  it('never fails for lack of funds: shortfalls become debts, repaid first from the next top-up', async () => {
    // The smallest hook budget the solve accepts: the shortfall path (debts, repayments) must fit it.
    const f = await marketChain({
      balances: { alice: 10n, admin: 0n },
      app: { hookWorkBudget: minSolveBudget },
    });
    const { chain, m, send, balance, core } = f;
    await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm1', account: addr(keys.alice) });
    await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm2', account: addr(keys.bob) });
    await send(keys.admin, m.msg.setMarketParameters, {
      tsStart: P,
      tsEnd: P + 900,
      slotSeconds: 900,
      ...paperPrices,
    });
    await send(keys.alice, m.msg.setEnergyMeasure, {
      meterId: 'm1',
      tsStart: P,
      tsEnd: P + 900,
      signal: 'consumption',
      value: 2500,
    });
    await send(keys.bob, m.msg.setEnergyMeasure, {
      meterId: 'm2',
      tsStart: P,
      tsEnd: P + 900,
      signal: 'production',
      value: 1400,
    });
    const bob0 = await balance(keys.bob);
    expect((await send(keys.carol, m.msg.solveMarkets, { tsStart: P })).code).toBe(0);
    for (
      let i = 0;
      i < 5 && (await chain.query('market', m.query.getReceipt, { tsStart: P })) === null;
      i++
    ) {
      const r = await chain.block();
      expect(r.events.filter((e) => e.type === 'hook.failed')).toEqual([]);
    }
    expect(await chain.query('market', m.query.getReceipt, { tsStart: P })).toMatchObject({
      state: 'SOLVED',
    });
    expect(await balance(keys.alice)).toBe(0n);
    expect((await balance(keys.bob)) - bob0).toBe(10n);
    const debts = (k: typeof keys.alice) => chain.query('market', m.query.getDebts, { debtor: addr(k) });
    expect(await debts(keys.alice)).toEqual([{ creditor: addr(keys.admin), amount: 45_499_990n }]);
    expect(await debts(keys.admin)).toEqual([
      { creditor: null, amount: 23_100_000n },
      { creditor: addr(keys.bob), amount: 12_599_990n },
    ]);
    // Alice is topped up; a repayDebts (anyone may send it) pays her debt first, and the admin's in turn.
    const send20 = { to: addr(keys.alice), denom: 'uect', amount: 20_000_000n };
    expect((await send(keys.carol, core.bank.msg.send, send20)).code).toBe(0);
    expect((await send(keys.dave, m.msg.repayDebts, { debtor: addr(keys.alice) })).code).toBe(0);
    expect(await balance(keys.alice)).toBe(0n);
    expect(await debts(keys.alice)).toEqual([{ creditor: addr(keys.admin), amount: 25_499_990n }]);
    // A repayment that would move nothing (no balance left, or no debt) is refused, in checkTx too.
    const noop = async (debtor: Uint8Array) =>
      (await chain.check(await chain.tx(keys.dave, [txMessage(m.msg.repayDebts, { debtor })]))).codespace;
    expect(await noop(addr(keys.alice)), 'no balance').toBe('MARKET_NOTHING_TO_REPAY');
    expect(await noop(addr(keys.carol)), 'no debt').toBe('MARKET_NOTHING_TO_REPAY');
    expect((await send(keys.dave, m.msg.repayDebts, { debtor: addr(keys.carol) })).codespace).toBe(
      'MARKET_NOTHING_TO_REPAY',
    );
    // The admin received 20 ECT: the end-block sweep repays its own debts with it (the grid's first).
    await blocksUntil(chain, async () => (await debts(keys.admin))[0]?.amount === 3_100_000n, 300);
    expect(await balance(keys.admin)).toBe(0n);
    await send(keys.carol, core.bank.msg.send, { ...send20, amount: 30_000_000n });
    await blocksUntil(chain, async () => (await debts(keys.alice)).length === 0, 300);
    await blocksUntil(chain, async () => (await debts(keys.admin)).length === 0, 300);
    // Everyone ends where a solvent settlement would have put them; the admin keeps its 9.8 ECT.
    expect([await balance(keys.alice), await balance(keys.admin), (await balance(keys.bob)) - bob0]).toEqual([
      30_000_000n + 20_000_000n + 10n - 45_500_000n,
      9_800_000n,
      12_600_000n,
    ]);
    expect(bech(keys.alice)).toMatch(/^joule1/);
  });
});
