import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LicLoadRun } from '../lic/load.js';
import type { AnonymousHolders, ComponentMemory, NodeMemory } from '../lic/memory.js';
import { budgetedMemoryRows, memoryByTenth, partialStatement, soakResult } from './soak-report.js';
import type { SoakRun } from './soak-run.js';

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

/**
 * A run of node0 (validator, heap snapshots), node1 (validator) and node2 (full node) at ×60 (a tick
 * every 15 s): sampled every 10 s from 0 to `loadEnd`, the load from 100 s, RSS rising 1 MB an hour.
 */
function run(ticks: number, loadEnd: number): LicLoadRun {
  const times = Array.from({ length: Math.floor(loadEnd / 10) + 1 }, (_, i) => i * 10);
  const nodes = [
    ['node0', true],
    ['node1', true],
    ['node2', false],
  ] as const;
  return {
    samples: nodes.map(([name, validator]) => ({
      name,
      validator,
      samples: times.map((t) => ({
        t,
        rssBytes: 80 * MB + (t / 3_600) * MB,
        heapBytes: 20 * MB,
        cpuSeconds: t / 100,
        cpuPercent: 1,
        diskBytes: MB + t * 100,
        bytesIn: t * 50,
        bytesOut: t * 50,
      })),
    })),
    memory: nodes.map(([name]) => ({
      name,
      anonymous: times.map((t) => [t, 30 * MB] as const),
      workingSet: [],
      holders: [],
    })),
    heights: times.map((t) => [t, t / 2] as const),
    loadStart: 100,
    loadEnd,
    ticks,
    txs: ticks * 19,
    refused: 0,
    compress: 60,
    node0Disk: null,
    node0Height: loadEnd / 2,
  };
}

const soakRun = (partial: SoakRun['partial'], snapshots: Partial<SoakRun['snapshots']> = {}): SoakRun => ({
  run: partial === undefined ? run(96, 100 + 96 * 15) : run(partial.ticksDone, 100 + partial.ticksDone * 15),
  snapshots: { node: 'node0', start: null, end: null, ...snapshots },
  launch: 'the bundle',
  retainBlocks: 400,
  ...(partial === undefined ? {} : { partial }),
});
const stopped = { ticksDone: 40, ticksPlanned: 96, writtenAt: '2026-01-02T03:04:05.000Z', reason: 'SIGTERM' };

describe('a partial run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'joule-soak-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says how far it got: the ticks, why, the real time and simulated days it covers of those planned', () => {
    expect(partialStatement(soakRun(stopped))).toBe(
      'partial run: stopped after 40 of 96 ticks (SIGTERM); 10 min 00 s of load in real time of the 24 min 00 s planned, 0.42 of 1.00 simulated days; every figure is of that span',
    );
    expect(partialStatement(soakRun({ ...stopped, reason: 'checkpoint' }))).toContain(
      'stopped after 40 of 96 ticks (last checkpoint, written 2026-01-02T03:04:05.000Z while the load ran)',
    );
    expect(partialStatement(soakRun(undefined))).toBeNull();
  });

  it('says so first in its rows and in every figure, and is reported over what it covers', () => {
    const result = soakResult(soakRun(stopped), dir);
    expect(result.rows[0]).toEqual({
      'partial run': 'stopped after 40 of 96 ticks',
      reason: 'SIGTERM',
      writtenAt: '2026-01-02T03:04:05.000Z',
      realMinutesOfLoad: 10,
      realMinutesPlanned: 24,
    });
    const figures = result.figures ?? [];
    expect(figures.length).toBeGreaterThan(5);
    for (const f of figures)
      expect(f.note, f.name).toMatch(/^partial run: stopped after 40 of 96 ticks \(SIGTERM\);/);
    // The lic table's simulated days and the fits are those of the ten minutes, not of the day planned.
    expect(result.rows.find((r) => 'simDays' in r && 'ticks' in r)).toMatchObject({
      ticks: 40,
      simDays: 0.42,
    });
    const slope = result.rows.find((r) => r['slopes per real day'] === 'node1');
    expect(slope?.fittedMinutes).toBe(9);
    const rss = figures.find((f) => f.name === 'RSS growth of a validator, per real day');
    expect(rss?.note).toContain('to the last sample before the stop');
  });

  it('a complete run says nothing of the kind', () => {
    const result = soakResult(soakRun(undefined), dir);
    expect(result.rows.some((r) => 'partial run' in r)).toBe(false);
    for (const f of result.figures ?? []) expect(f.note ?? '').not.toContain('partial run');
    expect(result.rows.find((r) => 'simDays' in r && 'ticks' in r)).toMatchObject({ ticks: 96, simDays: 1 });
  });

  it('compares the warm-up snapshot with the latest one when there is no end snapshot, and says so', () => {
    writeFileSync(join(dir, 'soak-start.heapsnapshot'), heapText(1));
    writeFileSync(join(dir, 'soak-latest.heapsnapshot'), heapText(3));
    const start = { t: 200, done: 205, file: '/elsewhere/soak-start.heapsnapshot' };
    const latest = { t: 560, done: 565, file: '/elsewhere/soak-latest.heapsnapshot' };
    const result = soakResult(soakRun(stopped, { start, latest }), dir);
    const table = 'heap of node0 by class (after the warm-up → latest snapshot, no end snapshot)';
    expect(result.rows.find((r) => r[table] === 'Leaky')).toMatchObject({ startCount: 1, endCount: 3 });
    const heap = result.figures?.find((f) => f.name === 'V8 live heap growth (heap snapshots), per real day');
    expect(heap?.note).toContain('in the latest snapshot (no end snapshot: the run stopped before it');
    expect(heap?.measured).not.toBeNull();
    // With an end snapshot, the end one is compared, under the usual heading.
    writeFileSync(join(dir, 'soak-end.heapsnapshot'), heapText(2));
    const end = { t: 700, done: 705, file: '/elsewhere/soak-end.heapsnapshot' };
    const ended = soakResult(soakRun(stopped, { start, latest, end }), dir);
    expect(ended.rows.find((r) => r['heap of node0 by class'] === 'Leaky')).toMatchObject({ endCount: 2 });
    expect(ended.rows.some((r) => table in r)).toBe(false);
    const endNote = ended.figures?.find((f) => f.name === heap?.name)?.note;
    expect(endNote).toContain('MB at the stop, 8.33 min apart');
  });
});

/** A heap snapshot of a root holding `leaky` objects of class Leaky (ids 3, 5, …). */
function heapText(leaky: number): string {
  const meta = {
    node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
    node_types: [
      ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'],
      'string',
    ],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string'],
  };
  const nodes = [9, 0, 1, 0, leaky, 0, 0];
  const edges: number[] = [];
  for (let i = 0; i < leaky; i++) {
    nodes.push(3, 1, 3 + 2 * i, 24, 0, 0, 0);
    edges.push(1, i, 7 * (i + 1));
  }
  return JSON.stringify({ snapshot: { meta }, nodes, edges, strings: ['', 'Leaky'] });
}
