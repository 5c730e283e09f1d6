import { describe, expect, it } from 'vitest';
import { compareByClass, instanceLengths, parseHeapSnapshot, retainersOf, summary } from './heap-snapshot.js';

const meta = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  node_types: [
    ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'],
    'string',
  ],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string'],
};
const strings = ['', 'Map', 'Leaky', 'table', 'cache'];
const text = (nodes: number[], edges: number[]) =>
  JSON.stringify({ snapshot: { meta }, nodes, edges, strings });

// Before: a root holds a Map whose table holds one Leaky.
const start = parseHeapSnapshot(
  text(
    [9, 0, 1, 0, 1, 0, 0, 3, 1, 3, 32, 1, 0, 0, 1, 0, 5, 40, 1, 0, 0, 3, 2, 7, 24, 0, 0, 0],
    [1, 1, 7, 2, 3, 14, 1, 0, 21],
  ),
);
// After: the table holds a second Leaky, the Map's `cache` a third, which the root also reaches weakly.
const end = parseHeapSnapshot(
  text(
    [
      9, 0, 1, 0, 2, 0, 0, 3, 1, 3, 32, 2, 0, 0, 1, 0, 5, 56, 2, 0, 0, 3, 2, 7, 24, 0, 0, 0, 3, 2, 9, 24, 0,
      0, 0, 3, 2, 11, 24, 0, 0, 0,
    ],
    [6, 0, 35, 1, 1, 7, 2, 3, 14, 2, 4, 35, 1, 0, 21, 1, 1, 28],
  ),
);

describe('heap snapshot', () => {
  it('counts objects and self bytes per constructor, others by type', () => {
    const s = summary(end);
    expect(s.get('Leaky')).toEqual({ count: 3, bytes: 72 });
    expect(s.get('Map')).toEqual({ count: 1, bytes: 32 });
    expect(s.get('(array)')).toEqual({ count: 1, bytes: 56 });
    expect(s.get('(synthetic)')).toEqual({ count: 1, bytes: 0 });
  });

  it('sorts classes by growth and tells the objects the first snapshot did not hold', () => {
    const [first, second] = compareByClass(start, end);
    expect(first).toEqual({
      name: 'Leaky',
      startCount: 1,
      endCount: 3,
      startBytes: 24,
      endBytes: 72,
      newCount: 2,
      newBytes: 48,
    });
    expect(second?.name).toBe('(array)');
    expect(second?.newCount).toBe(0);
  });

  it('names the strong retainers of the new objects, not the weak ones', () => {
    expect(retainersOf(start, end, 'Leaky')).toEqual([
      { path: 'Map.table → (array).[]', count: 1 },
      { path: '(synthetic).[] → Map.cache', count: 1 },
    ]);
  });

  it('tells the length of an array field of every instance in both snapshots, by id', () => {
    expect(instanceLengths(start, end, 'Map', 'table')).toEqual([
      { holder: '(synthetic).[]', start: 1, end: 2 },
    ]);
  });

  it('refuses a snapshot whose nodes own more edges than it has', () => {
    expect(() => parseHeapSnapshot(text([9, 0, 1, 0, 2, 0, 0], [1, 0, 0]))).toThrow(/own 2 edges/);
  });
});
