import { formatAddress } from '@joule/consensus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { metersPerPage, slotsPerPass } from '../constants.js';
import { type MeterReading, settlePeriod } from '../settlement/period.js';
import { bech, blocksUntil, G, keys, marketChain, paperPrices } from '../testkit/fixture.js';
import { minSolveBudget } from './budget.js';

const owners = [keys.alice, keys.bob, keys.carol, keys.dave];

interface Community {
  readonly meters: number;
  readonly slots: number;
  readonly measures: { meterId: string; slot: number; cons: number | null; prod: number | null }[];
  /** Multiple of the least solve budget the chain runs at. */
  readonly budgetTimes: number;
}

/**
 * Sparse communities of up to 80 meters over up to two passes: enough meters for two meter pages
 * and many range reads, enough slots for a second pass, at budgets from the least to 40 times it.
 */
const community: fc.Arbitrary<Community> = fc
  .record({
    meters: fc.oneof(
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: metersPerPage, max: metersPerPage + 16 }),
    ),
    slots: fc.oneof(
      fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: slotsPerPass, max: slotsPerPass + 40 }),
    ),
    budgetTimes: fc.integer({ min: 1, max: 40 }),
  })
  .chain(({ meters, slots, budgetTimes }) =>
    fc
      .uniqueArray(
        fc.record({
          meter: fc.nat(meters - 1),
          slot: fc.nat(slots - 1),
          cons: fc.option(fc.nat(5_000)),
          prod: fc.option(fc.nat(5_000)),
        }),
        { maxLength: 300, selector: (x) => `${x.meter}/${x.slot}` },
      )
      .map((rows) => ({
        meters,
        slots,
        budgetTimes,
        measures: rows
          .filter((r) => r.cons !== null || r.prod !== null)
          .map((r) => ({ meterId: `m${r.meter}`, slot: r.slot, cons: r.cons, prod: r.prod })),
      })),
  );

describe('market: the on-chain solve equals the pure function', () => {
  it('gives every account, the admin and the grid the pure settlement, to the uECT', async () => {
    await fc.assert(
      fc.asyncProperty(community, async (c) => {
        const P = G - c.slots * 900;
        const params = { tsStart: P, tsEnd: G, slotSeconds: 900, ...paperPrices, beta: 3_000n };
        const accountOf = (i: number): string => bech(owners[i % owners.length]!);
        const f = await marketChain({
          market: {
            graceSlots: 0, // the period ends at genesis: solvable at once
            meters: Array.from({ length: c.meters }, (_, i) => ({ meterId: `m${i}`, account: accountOf(i) })),
            periods: [
              Object.fromEntries(
                Object.entries(params).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v]),
              ),
            ],
            measures: c.measures.map((x) => ({ ...x, slot: undefined, tsStart: P + x.slot * 900 })),
          },
          funds: 10n ** 13n,
          app: { hookWorkBudget: c.budgetTimes * minSolveBudget },
        });
        const { chain, m, send } = f;
        await chain.block();
        expect((await send(keys.carol, m.msg.solveMarkets, { tsStart: P })).code).toBe(0);
        await blocksUntil(
          chain,
          async () => (await chain.query('market', m.query.getReceipt, { tsStart: P })) !== null,
          5_000,
        );
        const bySlot = new Map<number, MeterReading[]>();
        for (const x of c.measures) {
          const list = bySlot.get(x.slot) ?? [];
          list.push({
            meter: x.meterId,
            account: accountOf(Number(x.meterId.slice(1))),
            cons: BigInt(x.cons ?? 0),
            prod: BigInt(x.prod ?? 0),
          });
          bySlot.set(x.slot, list);
        }
        const expected = settlePeriod({
          prices: params,
          slots: Array.from({ length: c.slots }, (_, s) => ({
            tsStart: P + s * 900,
            readings: bySlot.get(s) ?? [],
          })),
          expectedMeters: c.meters,
        });
        const receipt = await chain.query('market', m.query.getReceipt, { tsStart: P });
        const what = `${c.meters} meters, ${c.slots} slots, ${c.measures.length} measures, budget ×${c.budgetTimes}`;
        expect(receipt, what).toMatchObject({
          adminDelta: expected.admin,
          gridFlow: expected.gridFlow,
          missing: expected.missing,
        });
        const page = await chain.query('market', m.query.getReceiptDeltas, {
          tsStart: P,
          start: 0,
          limit: 100,
        });
        const got = new Map(page.deltas.map((d) => [formatAddress(d.account, 'joule'), d.delta]));
        expect(got, what).toEqual(expected.deltas);
        // Each meter's measures, by range query (the admin's view), are the ones it sent.
        for (let i = 0; i < c.meters; i++) {
          const rows = [];
          // 700 slots a query: the second one spans the passes' boundary at slot 1 024.
          for (let slot = 0; slot < c.slots; slot += 700)
            rows.push(
              ...(await chain.query(
                'market',
                m.query.getMeterMeasures,
                { meterId: `m${i}`, tsStart: P + slot * 900, count: 700 },
                keys.admin,
              )),
            );
          const sent = c.measures
            .filter((x) => x.meterId === `m${i}`)
            .sort((a, b) => a.slot - b.slot)
            .map((x) => ({ tsStart: P + x.slot * 900, cons: x.cons, prod: x.prod }));
          expect(rows, `${what}: m${i}'s measures`).toEqual(sent);
        }
      }),
      { numRuns: 16, seed: 20251206 },
    );
  });
});
