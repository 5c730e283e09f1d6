import { treeDepthNibbles, treeRadix } from '../constants.js';
import { StoreCorruptionError } from '../errors.js';
import { bytesId } from '../keys.js';
import type { BatchArena } from './arena.js';
import { bytesEqual, digest, leafHash, nibbleAt } from './hashing.js';
import {
  type LeafSlot,
  makeNode,
  type NodePlace,
  type NodeSlot,
  nodeKey,
  nodeKeyBytes,
  placeOf,
  type Slot,
  type TreeNode,
  valueKeyBytes,
  writeNodeKey,
  writeValueKey,
} from './node.js';
import { StaleList } from './pruning.js';

/** Where committed nodes come from: a cache, then the database. */
export interface NodeSource {
  /** The node `version` wrote at `place` if it is in memory. */
  cached(place: NodePlace, version: number): TreeNode | undefined;
  /** Reads these nodes (keys, and their places) from the database (one batched read), in order. */
  loadMany(keys: readonly Uint8Array[], places: readonly NodePlace[]): Promise<TreeNode[]>;
}

/** One key's change in a version: a new value, or `null` to delete. Changes are sorted by `keyHash`. */
export interface TreeChange {
  /** The application key as a string (`nodeId`), for the caches. */
  readonly id: string;
  readonly keyHash: Uint8Array;
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  /** `value` as the batch writes it (`BatchArena.small`). */
  readonly stored: Uint8Array | null;
}

/** What one version writes: its root, its new nodes and values, and the records it made stale. */
export interface TreeWrite {
  readonly root: Slot | null;
  /** New nodes, with their database keys and places at the same index. */
  readonly nodes: readonly TreeNode[];
  readonly nodeKeys: readonly Uint8Array[];
  readonly places: readonly NodePlace[];
  /** New value records: full database keys (table 0x24) and values. */
  readonly values: readonly (readonly [Uint8Array, Uint8Array])[];
  /** The nodes and value records that no version from this one on reaches. */
  readonly stale: StaleList;
}

/** A key as a map key. */
export function nodeId(key: Uint8Array): string {
  return bytesId(key);
}

/**
 * Applies sorted changes to the tree rooted at `root`, writing new nodes under `version`. First the
 * nodes on the changed paths are read, one batched database read per depth for those not in
 * memory; then the tree is rebuilt synchronously: O(k log16 n) nodes for k changes in n keys, each
 * new node hashed once however many changes pass through it.
 */
export async function applyChanges(
  source: NodeSource,
  root: Slot | null,
  version: number,
  changes: readonly TreeChange[],
  arena: BatchArena,
): Promise<TreeWrite> {
  const update = new TreeUpdate(changes, version, arena);
  await update.preload(source, root);
  const newRoot = update.update(root, 0, 0, changes.length);
  return {
    root: newRoot,
    nodes: update.nodes,
    nodeKeys: update.nodeKeys,
    places: update.places,
    values: update.values,
    stale: update.stale,
  };
}

interface Visit {
  readonly version: number;
  readonly depth: number;
  readonly lo: number;
  readonly hi: number;
}

class TreeUpdate {
  readonly nodes: TreeNode[] = [];
  readonly nodeKeys: Uint8Array[] = [];
  readonly places: NodePlace[] = [];
  readonly values: (readonly [Uint8Array, Uint8Array])[] = [];
  readonly stale = new StaleList();
  /**
   * The committed nodes on the changed paths, read by `preload`, by position: a node's position is
   * named by its depth and the index of the first change under it (`lo * 64 + depth`).
   */
  private readonly loaded = new Map<number, TreeNode>();

  constructor(
    private readonly changes: readonly TreeChange[],
    private readonly version: number,
    private readonly arena: BatchArena,
  ) {}

  /** Reads every committed node the changes pass through, depth by depth. */
  async preload(source: NodeSource, root: Slot | null): Promise<void> {
    if (root === null || root.leaf || this.changes.length === 0) return;
    let frontier: Visit[] = [{ version: root.version, depth: 0, lo: 0, hi: this.changes.length }];
    while (frontier.length > 0) {
      const missing: Uint8Array[] = [];
      const missingPlaces: NodePlace[] = [];
      const missingAt: number[] = [];
      for (const v of frontier) {
        const path = (this.changes[v.lo] as TreeChange).keyHash;
        const place = placeOf(v.depth, path, 0);
        const cached = source.cached(place, v.version);
        if (cached !== undefined) this.loaded.set(position(v.depth, v.lo), cached);
        else {
          const key = this.arena.take(nodeKeyBytes(v.depth));
          writeNodeKey(key, 0, v.version, v.depth, path);
          missing.push(key);
          missingPlaces.push(place);
          missingAt.push(position(v.depth, v.lo));
        }
      }
      if (missing.length > 0) {
        const read = await source.loadMany(missing, missingPlaces);
        for (let i = 0; i < read.length; i++) this.loaded.set(missingAt[i] as number, read[i] as TreeNode);
      }
      const next: Visit[] = [];
      for (const v of frontier) {
        if (v.depth + 1 >= treeDepthNibbles) throw new StoreCorruptionError('tree deeper than 64 nibbles');
        const node = this.loaded.get(position(v.depth, v.lo)) as TreeNode;
        for (let lo = v.lo; lo < v.hi; ) {
          const n = nibbleAt((this.changes[lo] as TreeChange).keyHash, v.depth);
          const hi = this.groupEnd(v.depth, n, lo + 1, v.hi);
          if (node.has(n) && !node.isLeaf(n))
            next.push({ version: node.versionAt(n), depth: v.depth + 1, lo, hi });
          lo = hi;
        }
      }
      frontier = next;
    }
  }

  /** The slot that replaces `slot` (at `depth`) after changes `[lo, hi)`; `slot` itself if unchanged. */
  update(slot: Slot | null, depth: number, lo: number, hi: number): Slot | null {
    if (lo === hi) return slot;
    if (slot === null || slot.leaf) return this.build(depth, this.inserts(lo, hi, slot));
    return this.updateNode(slot.version, depth, lo, hi) ?? slot;
  }

  /**
   * The slot that replaces the node `version` wrote at `depth` after changes `[lo, hi)`, or
   * `undefined` if it is unchanged. A child node is followed by its version alone: only a leaf's
   * slot is built as an object.
   */
  private updateNode(version: number, depth: number, lo: number, hi: number): Slot | null | undefined {
    const node = this.loaded.get(position(depth, lo));
    if (node === undefined) throw new StoreCorruptionError('a tree node was not loaded', { depth });
    let fresh: (Slot | null | undefined)[] | undefined;
    for (let glo = lo; glo < hi; ) {
      const n = nibbleAt((this.changes[glo] as TreeChange).keyHash, depth);
      const ghi = this.groupEnd(depth, n, glo + 1, hi);
      let next: Slot | null | undefined;
      if (!node.has(n)) next = this.build(depth + 1, this.inserts(glo, ghi, null)) ?? undefined;
      else if (node.isLeaf(n)) {
        const old = node.slot(n) as LeafSlot;
        const built = this.build(depth + 1, this.inserts(glo, ghi, old));
        next = built === old ? undefined : built;
      } else next = this.updateNode(node.versionAt(n), depth + 1, glo, ghi);
      if (next !== undefined) {
        fresh ??= new Array<Slot | null | undefined>(treeRadix).fill(undefined);
        fresh[n] = next;
      }
      glo = ghi;
    }
    if (fresh === undefined) return undefined;
    this.stale.node(version, depth, (this.changes[lo] as TreeChange).keyHash);
    return this.finish(depth, lo, node, fresh);
  }

  /**
   * The leaves under a slot after changes `[lo, hi)`, sorted by key hash: the new and changed keys'
   * leaves, and `leaf` (the slot's present leaf) unless it is changed or deleted. A change that
   * leaves a value as it was keeps the old leaf.
   */
  private inserts(lo: number, hi: number, leaf: LeafSlot | null): LeafSlot[] {
    const out: LeafSlot[] = [];
    let placed = leaf === null;
    for (let i = lo; i < hi; i++) {
      const c = this.changes[i] as TreeChange;
      const own = leaf !== null && bytesEqual(c.keyHash, leaf.keyHash);
      if (!placed && !own && Buffer.compare(c.keyHash, (leaf as LeafSlot).keyHash) > 0) {
        out.push(leaf as LeafSlot);
        placed = true;
      }
      if (own) placed = true;
      if (c.value === null) {
        if (own) this.staleValue(leaf);
        continue;
      }
      const hash = leafHash(c.keyHash, digest(c.value));
      if (own && bytesEqual(hash, leaf.hash)) {
        out.push(leaf);
        continue;
      }
      if (own) this.staleValue(leaf);
      const key = this.arena.take(valueKeyBytes);
      writeValueKey(key, 0, this.version, c.keyHash);
      this.values.push([key, c.stored as Uint8Array]);
      out.push({ leaf: true, keyHash: c.keyHash, hash, version: this.version });
    }
    if (!placed) out.push(leaf as LeafSlot);
    return out;
  }

  /** A subtree at `depth` holding exactly `leaves` (sorted): nothing, one leaf, or a new node. */
  private build(depth: number, leaves: readonly LeafSlot[]): Slot | null {
    const first = leaves[0];
    if (first === undefined) return null;
    if (leaves.length === 1) return first;
    if (depth >= treeDepthNibbles) throw new StoreCorruptionError('two keys with the same SHA-256');
    const slots = new Array<Slot | null>(treeRadix).fill(null);
    let start = 0;
    while (start < leaves.length) {
      const n = nibbleAt((leaves[start] as LeafSlot).keyHash, depth);
      let end = start + 1;
      while (end < leaves.length && nibbleAt((leaves[end] as LeafSlot).keyHash, depth) === n) end++;
      slots[n] = this.build(depth + 1, leaves.slice(start, end));
      start = end;
    }
    return this.put(depth, first.keyHash, null, slots);
  }

  /** A rebuilt node's slot: nothing when empty, its lone leaf moved up, or the new node. */
  private finish(
    depth: number,
    lo: number,
    base: TreeNode,
    fresh: readonly (Slot | null | undefined)[],
  ): Slot | null {
    let count = 0;
    let last = -1;
    for (let n = 0; n < treeRadix; n++) {
      const f = fresh[n];
      if (f === undefined ? base.has(n) : f !== null) {
        count++;
        last = n;
      }
    }
    if (count === 0) return null;
    if (count === 1) {
      const lone = fresh[last] ?? base.slot(last);
      if (lone?.leaf === true) return lone;
    }
    return this.put(depth, (this.changes[lo] as TreeChange).keyHash, base, fresh);
  }

  private put(
    depth: number,
    path: Uint8Array,
    base: TreeNode | null,
    fresh: readonly (Slot | null | undefined)[],
  ): NodeSlot {
    const { node, hash } = makeNode(base, fresh);
    this.nodes.push(node);
    const key = this.arena.take(nodeKeyBytes(depth));
    writeNodeKey(key, 0, this.version, depth, path);
    this.nodeKeys.push(key);
    this.places.push(placeOf(depth, path, 0));
    return { leaf: false, hash, version: this.version };
  }

  private staleValue(leaf: LeafSlot): void {
    this.stale.value(leaf.version, leaf.keyHash);
  }

  /** The end of the run of changes from `from` (below `hi`) whose nibble at `depth` is `n`. */
  private groupEnd(depth: number, n: number, from: number, hi: number): number {
    let end = from;
    while (end < hi && nibbleAt((this.changes[end] as TreeChange).keyHash, depth) === n) end++;
    return end;
  }
}

/** A node's position in one update: its depth and the index of the first change under it. */
function position(depth: number, lo: number): number {
  return lo * 64 + depth;
}

/** One node on a key's path, as a proof shows it: its occupied map and the other slots' hashes. */
export interface PathLevel {
  readonly bitmap: number;
  readonly siblings: readonly Uint8Array[];
}

/**
 * Walks the path of `keyHash` from `root`: the leaf it ends at (this key's or another's) or `null`
 * for an empty slot, with each node passed on the way as a proof level.
 */
export async function walk(
  load: (key: Uint8Array) => Promise<TreeNode>,
  root: Slot | null,
  keyHash: Uint8Array,
): Promise<{ leaf: LeafSlot | null; levels: PathLevel[] }> {
  const levels: PathLevel[] = [];
  let slot = root;
  let depth = 0;
  while (slot !== null && !slot.leaf) {
    if (depth >= treeDepthNibbles) throw new StoreCorruptionError('tree deeper than 64 nibbles');
    const node = await load(nodeKey(slot.version, depth, keyHash));
    const own = nibbleAt(keyHash, depth);
    const siblings: Uint8Array[] = [];
    for (let n = 0; n < treeRadix; n++) if (n !== own && node.has(n)) siblings.push(node.hashAt(n));
    levels.push({ bitmap: node.occupied, siblings });
    slot = node.slot(own) ?? null;
    depth++;
  }
  return { leaf: slot, levels };
}
