import { describe, expect, it } from 'vitest';
import { fileReferencedOf, holdersOf, samplesOf } from './memory.js';

describe('working set from smaps', () => {
  it('counts referenced file pages once, not the anonymous pages of a mapping', () => {
    const smaps = [
      '00400000-00500000 r-xp 00000000 08:01 1 /usr/bin/node',
      'Rss:                 800 kB',
      'Referenced:          300 kB',
      'Anonymous:             0 kB',
      '00600000-00700000 rw-p 00000000 08:01 1 /usr/bin/node',
      'Referenced:           40 kB',
      'Anonymous:            30 kB',
      '7f0000000000-7f0000100000 rw-p 00000000 00:00 0',
      'Referenced:          500 kB',
      'Anonymous:           900 kB',
    ].join('\n');
    expect(fileReferencedOf(smaps)).toBe((300 + 10) * 1024);
  });
});

describe("holders from a node's Prometheus text", () => {
  const text = [
    '# HELP joule_memory_budget_bytes Memory budget per component of the "board" profile',
    '# TYPE joule_memory_budget_bytes gauge',
    'joule_memory_budget_bytes{component="v8_old_space"} 134217728',
    'joule_memory_budget_bytes{component="mempool"} 4194304',
    'joule_memory_budget_bytes{component="state_node_cache"} 1.2e+06',
    'joule_memory_budget_bytes{component="p2p_stream_buffers"} 1048576',
    '# TYPE joule_memory_used_bytes gauge',
    'joule_memory_used_bytes{component="v8_old_space"} 16777216',
    'joule_memory_used_bytes{component="mempool"} 0',
    'joule_memory_used_bytes{node="node1",component="state_node_cache"} 3.5E+05',
    'joule_memory_used_bytes{ component = "verified_tx_cache" , profile="board" } 2048 1700000000000',
    'joule_memory_used_bytes_total{component="mempool"} 99',
    'nodejs_heap_space_bytes{space="old_space",kind="used"} 1e+07',
    'nodejs_heap_space_bytes{kind="committed",space="old_space"} 12000000',
    'nodejs_heap_space_bytes{space="new_space",kind="committed"} 1048576',
    'nodejs_heap_space_bytes{space="new_space",kind="used"} 500000',
    'nodejs_heap_space_bytes{space="code_space",kind="used"} 2.5e6',
    'nodejs_heap_space_bytes{space="code_space",kind="committed"} 3000000',
    'process_external_memory_bytes 3.25e+06',
    'process_array_buffers_bytes 1000000',
  ].join('\n');

  it('reads every component of the budget gauges, labels in any order, exponents and all', () => {
    expect(holdersOf(text).components).toEqual({
      v8_old_space: { used: 16_777_216, budget: 134_217_728 },
      mempool: { used: 0, budget: 4_194_304 },
      state_node_cache: { used: 350_000, budget: 1_200_000 },
      verified_tx_cache: { used: 2048 },
      p2p_stream_buffers: { budget: 1_048_576 },
    });
  });

  it('reads the V8 heap by space whatever the order of its labels', () => {
    const h = holdersOf(text);
    expect(h.v8Committed).toBe(12_000_000 + 1_048_576 + 3_000_000);
    expect(h.v8Young).toBe(1_048_576);
    expect(h.v8Code).toBe(2_500_000);
    expect(h.v8Used).toBe(10_000_000);
    expect(h.external).toBe(3_250_000);
    expect(h.arrayBuffers).toBe(1_000_000);
  });

  it('leaves the components out for a node without the gauges, and survives JSON', () => {
    const old = holdersOf('process_external_memory_bytes 1\n');
    expect('components' in old).toBe(false);
    expect(Number.isNaN(old.arrayBuffers)).toBe(true);
    const h = holdersOf(text);
    expect(JSON.parse(JSON.stringify(h)).components).toEqual(h.components);
  });

  it('reads label escapes, special values, and not a metric whose name only begins the same', () => {
    const samples = samplesOf(
      [
        'm{a="x\\"y",b="1\\\\2"} +Inf',
        'm -Inf',
        'm{a="z"} NaN',
        'm_other 5',
        'm{a="w"} 1.5e-3',
        'm{a="v"} oops',
      ].join('\n'),
      'm',
    );
    expect(samples.map((s) => s.labels)).toEqual([
      { a: 'x"y', b: '1\\2' },
      {},
      { a: 'z' },
      { a: 'w' },
      { a: 'v' },
    ]);
    expect(samples.map((s) => s.value)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      0.0015,
      Number.NaN,
    ]);
  });
});
