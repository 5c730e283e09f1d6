import { describe, expect, it } from 'vitest';
import { bech, G, keys, marketChain, paperPrices } from '../testkit/fixture.js';
import { minSolveBudget } from './budget.js';

const slots = 1_100;
const P = G - slots * 900;
const owners = [keys.alice, keys.bob, keys.carol, keys.dave];
const meters = 60;

/** A chain of 60 meters whose every slot has measures `value(meter, slot)`, its solve requested. */
async function solvingChain(value: (meter: number, slot: number) => number) {
  const measures = [];
  for (let s = 0; s < slots; s += 2)
    for (let i = 0; i < meters; i++)
      measures.push({ meterId: `m${i}`, tsStart: P + s * 900, cons: value(i, s), prod: null });
  const params = { tsStart: P, tsEnd: G, slotSeconds: 900, ...paperPrices };
  const f = await marketChain({
    market: {
      graceSlots: 0, // the period ends at genesis: solvable at once
      meters: Array.from({ length: meters }, (_, i) => ({ meterId: `m${i}`, account: bech(owners[i % 4]!) })),
      periods: [
        Object.fromEntries(
          Object.entries(params).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v]),
        ),
      ],
      measures,
    },
    funds: 10n ** 13n,
    app: { hookWorkBudget: minSolveBudget },
  });
  await f.chain.block();
  expect((await f.send(keys.carol, f.m.msg.solveMarkets, { tsStart: P })).code).toBe(0);
  return f;
}

describe('market: the pricing memo', () => {
  it('leaves every block as it would be without it: a node that misses it computes the same state', async () => {
    const a = await solvingChain((i, s) => (i * 31 + s) % 700);
    const b = await solvingChain((i, s) => (i * 31 + s) % 700);
    // Same period and passes, other totals: run between b's blocks, it leaves b nothing to reuse.
    const other = await solvingChain((i, s) => (i * 17 + s) % 900);
    let steps = 0;
    for (let n = 0; n < 400; n++) {
      const ra = await a.chain.block();
      await other.chain.block();
      const rb = await b.chain.block();
      expect(a.chain.appHash, `block ${n}: app hash`).toEqual(b.chain.appHash);
      expect(ra.events, `block ${n}: events`).toEqual(rb.events);
      if (ra.events.some((e) => e.type === 'market.solve_progress')) steps++;
      if (ra.events.some((e) => e.type === 'market.solved')) break;
    }
    expect(steps, 'a solve spanning many blocks').toBeGreaterThan(2);
    expect(await a.chain.query('market', a.m.query.getReceipt, { tsStart: P })).not.toBeNull();
  });
});
