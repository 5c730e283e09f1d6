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

/** A snapshot from a list of nodes, each `[type, name, id, edges]`, an edge `[type, name or index, to]`. */
type Edge = readonly [type: string, nameOrIndex: string | number, to: number];
function build(nodes: [string, string, number, readonly Edge[]][]): string {
  const nodeTypes = meta.node_types[0] as string[];
  const edgeTypes = meta.edge_types[0] as string[];
  const names = [''];
  const str = (x: string) => (names.includes(x) ? names.indexOf(x) : names.push(x) - 1);
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  for (const [type, name, id, edges] of nodes) {
    flatNodes.push(nodeTypes.indexOf(type), str(name), id, 16, edges.length, 0, 0);
    for (const [t, n, to] of edges)
      flatEdges.push(edgeTypes.indexOf(t), typeof n === 'number' ? n : str(n), to * meta.node_fields.length);
  }
  return JSON.stringify({ snapshot: { meta }, nodes: flatNodes, edges: flatEdges, strings: names });
}

// A cache as a minified bundle has it: its private fields renamed (`#keys` is `#o`, `#values`
// `#s`), its values oddballs (`true`), its sizes small integers (no objects), its `Map` of slots
// holding the keys through its table, not as elements of its own.
const cache = (keys: number, second: boolean) =>
  parseHeapSnapshot(
    build([
      ['synthetic', '', 1, [['element', 1, 1], ...(second ? [['element', 2, 10] as const] : [])]],
      ['object', 'Gossip', 3, [['property', '#e', 2]]],
      [
        'object',
        'BoundedCache',
        5,
        [
          ['property', '#n', 3],
          ['property', '#o', 4],
          ['property', '#s', 5],
          ['property', '#a', 6],
          ['internal', 'map', 7],
        ],
      ],
      ['object', 'Map', 7, [['internal', 'table', 8]]],
      ['object', 'Array', 9, Array.from({ length: keys }, (_, i) => ['element', i, 9] as Edge)],
      ['object', 'Array', 11, Array.from({ length: keys }, (_, i) => ['element', i, 11] as Edge)],
      ['object', 'Array', 13, []],
      ['hidden', 'system / Map', 15, []],
      ['array', '', 17, Array.from({ length: keys }, (_, i) => ['internal', String(i), 9] as Edge)],
      ['string', 'key', 19, []],
      // A second cache, empty, new in the end snapshot (another id).
      ['object', 'BoundedCache', second ? 21 : 27, [['property', '#o', 12]]],
      ['hidden', 'true', 23, []],
      ['object', 'Array', 25, []],
    ]),
  );

describe('entries of an instance whose fields are renamed', () => {
  const before = cache(2, false);
  const after = cache(3, true);

  it('takes the array field with the most elements that are not oddballs', () => {
    expect(instanceLengths(before, after, 'BoundedCache')).toEqual([
      { holder: '(synthetic).[] → Gossip.#e', start: 2, end: 3 },
      { holder: '(synthetic).[]', start: null, end: 0 },
    ]);
  });

  it('finds nothing by the source name of a renamed field', () => {
    expect(instanceLengths(before, after, 'BoundedCache', '#keys')).toEqual([
      { holder: '(synthetic).[] → Gossip.#e', start: null, end: null },
      { holder: '(synthetic).[]', start: null, end: null },
    ]);
  });
});
