import { describe, expect, it } from 'vitest';
import type { LicLoadRun } from '../lic/load.js';
import type { AnonymousHolders, ComponentMemory, NodeMemory } from '../lic/memory.js';
import { budgetedMemoryRows, memoryByTenth } from './soak-report.js';

const MB = 2 ** 20;
/** Bytes a second that make `mbPerDay` MB per real day. */
const rate = (mbPerDay: number) => (mbPerDay * MB) / 86_400;

/** A node read once a minute for an hour, its budgeted components given by `at(t)`. */
function node(at: (t: number) => Record<string, ComponentMemory> | undefined): NodeMemory {
  const holders: AnonymousHolders[] = [];
  for (let t = 0; t <= 3_600; t += 60) {
    const components = at(t);
    holders.push({
      t,
      anonymous: 30 * MB,
      v8Committed: 20 * MB,
      v8Young: MB,
      v8Code: MB,
      v8Used: 16 * MB,
      external: MB,
      arrayBuffers: MB / 2,
      ...(components === undefined ? {} : { components }),
    });
  }
  return { name: 'node1', holders, anonymous: [], workingSet: [] };
}

describe('budgeted memory of a node', () => {
  // Fitted from the end of the warm-up (600 s) to the end of the load (3 000 s): 41 samples.
  const from = 600;
  const to = 3_000;
  const run = node((t) => ({
    v8_old_space: { used: (t < from ? 40 : 16) * MB, budget: 128 * MB },
    mempool: { used: 0, budget: MB },
    // A cache filling at 2 MB a day towards its cap, and a full one (one reading lost).
    state_node_cache: { used: 500_000 + rate(2) * t, budget: 600_000 },
    verified_tx_cache: { used: t === 1_200 ? Number.NaN : 100_000, budget: 200_000 },
    // Budgeted, not measured: no row.
    p2p_stream_buffers: { budget: 6 * MB },
  }));
  const rows = budgetedMemoryRows(run, from, to);

  it('gives each measured component its use after the warm-up and at the end, its budget and its slope', () => {
    expect(rows.map((r) => r['budgeted memory of node1'])).toEqual([
      'v8_old_space',
      'mempool',
      'state_node_cache',
      'verified_tx_cache',
      'caches (2: all but v8_* and mempool)',
    ]);
    expect(rows[0]).toEqual({
      'budgeted memory of node1': 'v8_old_space',
      windows: 41,
      usedAfterWarmupMb: 16,
      usedAtEndMb: 16,
      budgetMb: 128,
      budgetShareAtEndPct: 12.5,
      growthMbPerDay: '0 ± 0',
    });
    expect(rows[2]).toEqual({
      'budgeted memory of node1': 'state_node_cache',
      windows: 41,
      usedAfterWarmupMb: 0.491,
      usedAtEndMb: 0.546,
      budgetMb: 0.572,
      budgetShareAtEndPct: 95.5,
      growthMbPerDay: '2 ± 0',
    });
    expect(rows[3]).toMatchObject({ windows: 40, usedAtEndMb: 0.095, budgetShareAtEndPct: 50 });
  });

  it('sums the caches, not V8 nor the mempool, on the samples that have them all', () => {
    expect(rows[4]).toEqual({
      'budgeted memory of node1': 'caches (2: all but v8_* and mempool)',
      windows: 40,
      usedAfterWarmupMb: 0.586,
      usedAtEndMb: 0.642,
      budgetMb: 0.763,
      budgetShareAtEndPct: 84.1,
      growthMbPerDay: '2 ± 0',
    });
  });

  it('has no rows for a run saved before the metrics were read', () => {
    expect(
      budgetedMemoryRows(
        node(() => undefined),
        from,
        to,
      ),
    ).toEqual([]);
  });
});

describe('memory by tenth of the load', () => {
  // 1 000 s of load at ×864: each tenth is one simulated day. Anonymous memory rises 1 MB a tenth
  // for the first half, then holds; RSS is 40 MB above it.
  const at = (t: number) => (20 + Math.min(t, 500) / 100) * MB;
  const points = Array.from({ length: 1_001 }, (_, t) => [t, at(t)] as const);
  const run = {
    loadStart: 0,
    loadEnd: 1_000,
    compress: 864,
    memory: [{ name: 'node1', anonymous: points, holders: [], workingSet: [] }],
    samples: [
      { name: 'node1', validator: true, samples: points.map(([t, b]) => ({ t, rssBytes: b + 40 * MB })) },
    ],
  } as unknown as LicLoadRun;
  const rows = memoryByTenth(run);

  it('gives each node its mean in each tenth, headed by the simulated days', () => {
    const anonymous = rows.find((r) => r['anonymous memory by tenth of the load, MB'] === 'node1');
    expect(anonymous?.['0.0–1.0 d']).toBeCloseTo(20.5, 1);
    expect(anonymous?.['4.0–5.0 d']).toBeCloseTo(24.5, 1);
    expect(anonymous?.['5.0–6.0 d']).toBe(25);
    expect(anonymous?.['9.0–10.0 d']).toBe(25);
    const rss = rows.find((r) => r['RSS by tenth of the load, MB'] === 'node1');
    expect(rss?.['9.0–10.0 d']).toBe(65);
  });

  it('gives no rows for a run without a load span', () => {
    expect(memoryByTenth({ ...run, loadEnd: 0 } as LicLoadRun)).toEqual([]);
  });
});
