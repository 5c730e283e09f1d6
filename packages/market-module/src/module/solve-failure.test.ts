import { describe, expect, it } from 'vitest';
import { maxSolveAttempts } from '../constants.js';
import { bech, G, keys, marketChain, paperPrices } from '../testkit/fixture.js';

const P1 = G - 7200;
const P2 = G - 3600;
const prices = Object.fromEntries(Object.entries(paperPrices).map(([k, v]) => [k, String(v)]));

describe('market: a solve that fails deterministically', () => {
  it('marks the period FAILED with a reason after a few blocks and lets later periods solve', async () => {
    // P1 is SOLVING from genesis with a grid flow the bank cannot mint (beyond 2^64 − 1): its
    // solve step throws in every block.
    const { chain, m, send } = await marketChain({
      market: {
        graceSlots: 0,
        meters: [{ meterId: 'm1', account: bech(keys.alice) }],
        periods: [
          { tsStart: P1, tsEnd: P2, slotSeconds: 900, ...prices, state: 'SOLVING' },
          { tsStart: P2, tsEnd: G, slotSeconds: 900, ...prices },
        ],
        measures: [{ meterId: 'm1', tsStart: P2, cons: 2500, prod: null }],
        progress: [
          {
            tsStart: P1,
            phase: 0,
            pass: 1,
            meter: 0,
            seq: 0,
            meters: 1,
            active: 1,
            admin: bech(keys.admin),
            sumDeltas: '0',
            gridFlow: String(-(2n ** 64n)),
            missing: 0,
            deltas: [],
          },
        ],
      },
    });
    const failed: string[] = [];
    const solveFailed: Record<string, string>[] = [];
    const watch = (r: Awaited<ReturnType<typeof chain.block>>) => {
      for (const e of r.events) {
        if (e.type === 'hook.failed') failed.push(e.attributes.find((a) => a.key === 'module')?.value ?? '');
        if (e.type === 'market.solve_failed')
          solveFailed.push(Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
      }
    };
    expect((await send(keys.carol, m.msg.solveMarkets, { tsStart: P2 })).code, 'P2 queued behind P1').toBe(0);
    for (let n = 0; n < 20; n++) {
      watch(await chain.block());
      if ((await chain.query('market', m.query.getReceipt, { tsStart: P2 })) !== null) break;
    }
    expect(await chain.query('market', m.query.getReceipt, { tsStart: P2 }), 'P2 solved').not.toBeNull();
    // The first failed attempt is in the block of the solve tx (not watched).
    expect(failed.length + 1, 'the failed attempts').toBe(maxSolveAttempts);
    expect(failed.every((mod) => mod === 'market')).toBe(true);
    expect(solveFailed).toHaveLength(1);
    expect(solveFailed[0]).toMatchObject({ tsStart: String(P1), failures: String(maxSolveAttempts) });
    const status = await chain.query('market', m.query.getSolveStatus, { tsStart: P1 });
    expect(status?.state).toBe('FAILED');
    expect(status?.reason).toMatch(/failed in 3 blocks in a row/);
    expect(status?.failedHeight).toBeGreaterThan(0);
    expect(await chain.query('market', m.query.getSolveStatus, { tsStart: P2 })).toEqual({
      state: 'SOLVED',
      failedHeight: null,
      reason: null,
    });
    // A failed period stays closed, and the chain exports (and so can restart from) the failure.
    expect((await send(keys.carol, m.msg.solveMarkets, { tsStart: P1 })).codespace).toBe(
      'MARKET_PERIOD_FAILED',
    );
    const exported = (await chain.app.exportGenesis()).market as { failures: unknown[]; periods: unknown[] };
    expect(exported.failures).toEqual([
      { tsStart: P1, height: status?.failedHeight, reason: status?.reason },
    ]);
    expect(exported.periods[0]).toMatchObject({ state: 'FAILED' });
  });
});
