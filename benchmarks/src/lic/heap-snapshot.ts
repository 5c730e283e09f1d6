import { readFileSync } from 'node:fs';

/**
 * A V8 heap snapshot (`.heapsnapshot`, as `--heapsnapshot-signal` or `v8.writeHeapSnapshot` writes
 * it), read by its own description: `snapshot.meta.node_fields` and `edge_fields` name the columns
 * of the flat `nodes` and `edges` arrays, `node_types[0]` and `edge_types[0]` the type numbers, and
 * `strings` the names. Node ids are stable for the life of a process, so two snapshots of one
 * process tell which objects are new.
 */
export interface HeapSnapshot {
  readonly nodeCount: number;
  /** Per node: its class (see `className`), self size, id, first edge. */
  readonly classOf: Int32Array;
  readonly selfSize: Float64Array;
  readonly id: Float64Array;
  readonly firstEdge: Uint32Array;
  /** Per edge: its type, its name (a string index for named edges, else the element index), target node. */
  readonly edgeType: Uint8Array;
  readonly edgeName: Uint32Array;
  readonly edgeTo: Uint32Array;
  readonly edgeTypes: readonly string[];
  readonly strings: readonly string[];
  /** Class names, indexed by `classOf`. */
  readonly classes: readonly string[];
}

interface RawSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
      readonly edge_fields: readonly string[];
      readonly edge_types: readonly [readonly string[], ...unknown[]];
    };
  };
  readonly nodes: readonly number[];
  readonly edges: readonly number[];
  readonly strings: readonly string[];
}

/**
 * The class a node is counted under, as DevTools' summary groups them: an object, a closure's
 * function or a native object by its constructor's (or function's) name; everything else by its
 * type in parentheses — `(string)`, `(array)`, `(compiled code)`, `(system)`…
 */
function className(type: string, name: string): string {
  switch (type) {
    case 'object':
    case 'native':
      return name === '' ? '(anonymous object)' : name;
    case 'closure':
      return '(closure)';
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(string)';
    case 'code':
      return '(compiled code)';
    case 'hidden':
      return '(system)';
    default:
      return `(${type})`;
  }
}

export function parseHeapSnapshot(text: string): HeapSnapshot {
  const raw = JSON.parse(text) as RawSnapshot;
  const meta = raw.snapshot.meta;
  const nf = meta.node_fields;
  const ef = meta.edge_fields;
  const col = (fields: readonly string[], name: string): number => {
    const i = fields.indexOf(name);
    if (i < 0) throw new Error(`heap snapshot: no "${name}" field`);
    return i;
  };
  const [nType, nName, nId, nSize, nEdges] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) =>
    col(nf, f),
  ) as [number, number, number, number, number];
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => col(ef, f)) as [
    number,
    number,
    number,
  ];
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const nodeCount = raw.nodes.length / nf.length;
  const edgeCount = raw.edges.length / ef.length;
  const classOf = new Int32Array(nodeCount);
  const selfSize = new Float64Array(nodeCount);
  const id = new Float64Array(nodeCount);
  const firstEdge = new Uint32Array(nodeCount + 1);
  const classes: string[] = [];
  const classIndex = new Map<string, number>();
  let edge = 0;
  for (let i = 0; i < nodeCount; i++) {
    const o = i * nf.length;
    const name = className(
      nodeTypes[raw.nodes[o + nType] as number] ?? 'unknown',
      raw.strings[raw.nodes[o + nName] as number] ?? '',
    );
    let c = classIndex.get(name);
    if (c === undefined) {
      c = classes.length;
      classes.push(name);
      classIndex.set(name, c);
    }
    classOf[i] = c;
    selfSize[i] = raw.nodes[o + nSize] as number;
    id[i] = raw.nodes[o + nId] as number;
    firstEdge[i] = edge;
    edge += raw.nodes[o + nEdges] as number;
  }
  firstEdge[nodeCount] = edge;
  if (edge !== edgeCount)
    throw new Error(`heap snapshot: nodes own ${edge} edges, the array has ${edgeCount}`);
  const edgeType = new Uint8Array(edgeCount);
  const edgeName = new Uint32Array(edgeCount);
  const edgeTo = new Uint32Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    const o = e * ef.length;
    edgeType[e] = raw.edges[o + eType] as number;
    edgeName[e] = raw.edges[o + eName] as number;
    // to_node is an offset into `nodes`, not a node index.
    edgeTo[e] = (raw.edges[o + eTo] as number) / nf.length;
  }
  return {
    nodeCount,
    classOf,
    selfSize,
    id,
    firstEdge,
    edgeType,
    edgeName,
    edgeTo,
    edgeTypes,
    strings: raw.strings,
    classes,
  };
}

export function readHeapSnapshot(file: string): HeapSnapshot {
  return parseHeapSnapshot(readFileSync(file, 'utf8'));
}

/** Objects and self bytes per class of one snapshot. */
export function summary(s: HeapSnapshot): Map<string, { count: number; bytes: number }> {
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.nodeCount; i++) {
    const name = s.classes[s.classOf[i] as number] as string;
    const row = out.get(name) ?? { count: 0, bytes: 0 };
    row.count++;
    row.bytes += s.selfSize[i] as number;
    out.set(name, row);
  }
  return out;
}

/** One class's change between two snapshots of a process. */
export interface ClassGrowth {
  readonly name: string;
  readonly startCount: number;
  readonly endCount: number;
  readonly startBytes: number;
  readonly endBytes: number;
  /** Objects of the end snapshot that the start snapshot did not hold (new ids), and their bytes. */
  readonly newCount: number;
  readonly newBytes: number;
}

/** Every class of either snapshot, by growth of self bytes (largest first). */
export function compareByClass(start: HeapSnapshot, end: HeapSnapshot): ClassGrowth[] {
  const a = summary(start);
  const b = summary(end);
  const before = new Set<number>();
  for (let i = 0; i < start.nodeCount; i++) before.add(start.id[i] as number);
  const fresh = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < end.nodeCount; i++) {
    if (before.has(end.id[i] as number)) continue;
    const name = end.classes[end.classOf[i] as number] as string;
    const row = fresh.get(name) ?? { count: 0, bytes: 0 };
    row.count++;
    row.bytes += end.selfSize[i] as number;
    fresh.set(name, row);
  }
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names]
    .map((name) => ({
      name,
      startCount: a.get(name)?.count ?? 0,
      endCount: b.get(name)?.count ?? 0,
      startBytes: a.get(name)?.bytes ?? 0,
      endBytes: b.get(name)?.bytes ?? 0,
      newCount: fresh.get(name)?.count ?? 0,
      newBytes: fresh.get(name)?.bytes ?? 0,
    }))
    .sort((x, y) => y.endBytes - y.startBytes - (x.endBytes - x.startBytes) || y.endCount - x.endCount);
}

/**
 * Who holds the objects of class `name` that the start snapshot did not have: for each such object,
 * its first strong retainer and that one's (`GrandClass.edge → Class.edge`), counted; the most
 * frequent `limit` paths. Weak edges and the synthetic roots' shortcuts are not retainers.
 */
export function retainersOf(
  start: HeapSnapshot,
  end: HeapSnapshot,
  name: string,
  limit = 3,
): { path: string; count: number }[] {
  const before = new Set<number>();
  for (let i = 0; i < start.nodeCount; i++) before.add(start.id[i] as number);
  const { parent, label } = firstRetainers(end);
  const target = end.classes.indexOf(name);
  const counts = new Map<string, number>();
  for (let n = 0; n < end.nodeCount; n++) {
    if (end.classOf[n] !== target || before.has(end.id[n] as number)) continue;
    const p = parent[n] as number;
    const g = p >= 0 ? (parent[p] as number) : -1;
    const cls = (i: number) => end.classes[end.classOf[i] as number] as string;
    const path = p < 0 ? '(root)' : `${g >= 0 ? `${cls(g)}.${label[p]} → ` : ''}${cls(p)}.${label[n]}`;
    counts.set(path, (counts.get(path) ?? 0) + 1);
  }
  return [...counts]
    .map(([path, count]) => ({ path, count }))
    .sort((a, b) => b.count - a.count)
    .slice(0, limit);
}

/** The first strong retainer of every node (an object before a root) and the name of its edge. */
function firstRetainers(s: HeapSnapshot): { parent: Int32Array; label: string[] } {
  const weak = s.edgeTypes.indexOf('weak');
  const shortcut = s.edgeTypes.indexOf('shortcut');
  const synthetic = s.classes.indexOf('(synthetic)');
  const parent = new Int32Array(s.nodeCount).fill(-1);
  const label = new Array<string>(s.nodeCount);
  for (const roots of [false, true])
    for (let n = 0; n < s.nodeCount; n++) {
      if ((s.classOf[n] === synthetic) !== roots) continue;
      for (let e = s.firstEdge[n] as number; e < (s.firstEdge[n + 1] as number); e++) {
        const t = s.edgeType[e] as number;
        if (t === weak || t === shortcut) continue;
        const to = s.edgeTo[e] as number;
        if ((parent[to] as number) >= 0) continue;
        parent[to] = n;
        const type = s.edgeTypes[t];
        const name =
          type === 'element' || type === 'hidden' ? '' : (s.strings[s.edgeName[e] as number] ?? '?');
        label[to] = name === '' || /^[0-9]+$/.test(name) ? '[]' : name.slice(0, 40);
      }
    }
  return { parent, label };
}

/**
 * Elements of the array in field `field` of node `n` that are not V8's oddballs (undefined, holes,
 * booleans); with no `field`, the most elements of any of its fields. A bundle minified with its
 * identifiers renames private fields (`#keys` becomes `#o`), so a caller that cannot know the name
 * takes the largest: for a `BoundedCache`, its keys' or its values' array (its sizes are small
 * integers, which a snapshot does not show as objects, and its `Map` has no elements of its own).
 * Null if the field is not there (or the node has no fields).
 */
function elementsOf(s: HeapSnapshot, n: number, field?: string): number | null {
  const element = s.edgeTypes.indexOf('element');
  const weak = s.edgeTypes.indexOf('weak');
  const hidden = s.classes.indexOf('(system)');
  let most: number | null = null;
  for (let e = s.firstEdge[n] as number; e < (s.firstEdge[n + 1] as number); e++) {
    if (s.edgeType[e] === element || s.edgeType[e] === weak) continue;
    if (field !== undefined && s.strings[s.edgeName[e] as number] !== field) continue;
    const array = s.edgeTo[e] as number;
    let count = 0;
    for (let f = s.firstEdge[array] as number; f < (s.firstEdge[array + 1] as number); f++)
      if (s.edgeType[f] === element && s.classOf[s.edgeTo[f] as number] !== hidden) count++;
    if (field !== undefined) return count;
    most = Math.max(most ?? 0, count);
  }
  return most;
}

/** One instance of a class in both snapshots: who holds it, and the length of an array field of it. */
export interface InstanceLength {
  /** Its holders: `Holder.field → Owner.field` (a module's variable shows as `system / Context.name`). */
  readonly holder: string;
  readonly start: number | null;
  readonly end: number | null;
}

/**
 * Every instance of `className` in the end snapshot (matched to the start one by id), with the
 * number of elements of its array field `field` in each, or with no `field` the most elements of
 * any of its fields: e.g. the entries of every `BoundedCache`, to tell a cache that fills towards
 * its cap from one that is full.
 */
export function instanceLengths(
  start: HeapSnapshot,
  end: HeapSnapshot,
  className: string,
  field?: string,
): InstanceLength[] {
  const byId = new Map<number, number>();
  const startClass = start.classes.indexOf(className);
  for (let n = 0; n < start.nodeCount; n++)
    if (start.classOf[n] === startClass) byId.set(start.id[n] as number, n);
  const endClass = end.classes.indexOf(className);
  const { parent, label } = firstRetainers(end);
  const out: InstanceLength[] = [];
  for (let n = 0; n < end.nodeCount; n++) {
    if (end.classOf[n] !== endClass) continue;
    const p = parent[n] as number;
    const g = p >= 0 ? (parent[p] as number) : -1;
    const cls = (i: number) => end.classes[end.classOf[i] as number] as string;
    const holder = p < 0 ? '(root)' : `${g >= 0 ? `${cls(g)}.${label[p]} → ` : ''}${cls(p)}.${label[n]}`;
    const before = byId.get(end.id[n] as number);
    out.push({
      holder,
      start: before === undefined ? null : elementsOf(start, before, field),
      end: elementsOf(end, n, field),
    });
  }
  return out.sort((a, b) => (b.end ?? 0) - (a.end ?? 0));
}
