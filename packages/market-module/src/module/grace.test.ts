import { describe, expect, it } from 'vitest';
import { defaultGraceSlots } from '../constants.js';
import { addr, blocksUntil, G, keys, marketChain, paperPrices } from '../testkit/fixture.js';

/** A period of two one-minute slots ending at genesis: its grace window is four minutes. */
const P = G - 120;

describe('market: the solve grace window', () => {
  it('refuses a solve while the last measures may still come in, and accepts them', async () => {
    const { chain, m, send } = await marketChain();
    await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm1', account: addr(keys.alice) });
    await send(keys.admin, m.msg.addMeterFromList, { meterId: 'm2', account: addr(keys.bob) });
    await send(keys.admin, m.msg.setMarketParameters, {
      tsStart: P,
      tsEnd: G,
      slotSeconds: 60,
      ...paperPrices,
    });
    const measure = (meterId: string, tsStart: number) => ({
      meterId,
      tsStart,
      tsEnd: tsStart + 60,
      signal: 'consumption',
      value: 100,
    });
    for (const ts of [P, P + 60]) await send(keys.alice, m.msg.setEnergyMeasure, measure('m1', ts));
    await send(keys.bob, m.msg.setEnergyMeasure, measure('m2', P));
    // Carol, who has no meter, tries to close the period before Bob's last slot is in.
    const early = await send(keys.carol, m.msg.solveMarkets, { tsStart: P });
    expect(early.codespace, early.log).toBe('MARKET_SOLVE_GRACE');
    expect((await send(keys.bob, m.msg.setEnergyMeasure, measure('m2', P + 60))).code).toBe(0);
    // Blocks are one second apart from genesis time: run past the window.
    for (let s = 0; s < defaultGraceSlots * 60; s++) await chain.block();
    expect((await send(keys.carol, m.msg.solveMarkets, { tsStart: P })).code).toBe(0);
    await blocksUntil(
      chain,
      async () => (await chain.query('market', m.query.getReceipt, { tsStart: P })) !== null,
    );
    const receipt = await chain.query('market', m.query.getReceipt, { tsStart: P });
    expect(receipt?.missing, 'every last-slot measure counted').toBe(0);
  });

  it('takes the window from genesis, bounded, and exports it', async () => {
    await expect(marketChain({ market: { graceSlots: 97 } })).rejects.toThrow(/market.graceSlots/);
    await expect(marketChain({ market: { graceSlots: -1 } })).rejects.toThrow(/market.graceSlots/);
    const { chain, m, send } = await marketChain({ market: { graceSlots: 0 } });
    await send(keys.admin, m.msg.setMarketParameters, {
      tsStart: P,
      tsEnd: G,
      slotSeconds: 60,
      ...paperPrices,
    });
    expect((await send(keys.carol, m.msg.solveMarkets, { tsStart: P })).code, 'no window').toBe(0);
    expect((await chain.app.exportGenesis()).market).toMatchObject({ graceSlots: 0 });
    const defaults = await marketChain();
    expect((await defaults.chain.app.exportGenesis()).market).toMatchObject({
      graceSlots: defaultGraceSlots,
    });
  });
});
