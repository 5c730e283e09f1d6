import { sha256 } from '@joule/consensus';
import { treeDepthBits } from '../constants.js';
import { StoreCorruptionError } from '../errors.js';
import { bitAt, bytesEqual, emptyHash, internalHash, leafHash } from './hashing.js';
import { type InternalNode, type LeafNode, type NodeRef, nodeKey, type TreeNode } from './node.js';
import type { StoreProof } from './proof.js';

/** Where committed nodes come from (the database, through a cache). */
export interface NodeSource {
  load(key: Uint8Array): Promise<TreeNode>;
}

/** One key's change in a version: a new value, or `null` to delete. Changes are sorted by `keyHash`. */
export interface TreeChange {
  readonly keyHash: Uint8Array;
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** What one version writes: its root, its new nodes, and the committed nodes it made stale. */
export interface TreeWrite {
  readonly root: NodeRef | null;
  readonly nodes: ReadonlyMap<string, { readonly key: Uint8Array; readonly node: TreeNode }>;
  readonly stale: readonly Uint8Array[];
}

interface Entry {
  readonly keyHash: Uint8Array;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** A node key as a map key. */
export function nodeId(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
}

/**
 * Applies sorted changes to the tree rooted at `root`, writing new nodes under `version`. Work is
 * O(k log n) for k changes in a tree of n keys: only the paths of the changed keys are loaded,
 * rebuilt and hashed, and each new node is hashed once however many changes pass through it.
 */
export async function applyChanges(
  source: NodeSource,
  root: NodeRef | null,
  version: number,
  changes: readonly TreeChange[],
): Promise<TreeWrite> {
  const update = new TreeUpdate(source, version);
  const newRoot = await update.update(root, 0, changes);
  return { root: newRoot, nodes: update.nodes, stale: update.stale };
}

class TreeUpdate {
  readonly nodes = new Map<string, { key: Uint8Array; node: TreeNode }>();
  readonly stale: Uint8Array[] = [];

  constructor(
    private readonly source: NodeSource,
    private readonly version: number,
  ) {}

  async update(ref: NodeRef | null, depth: number, changes: readonly TreeChange[]): Promise<NodeRef | null> {
    const first = changes[0];
    if (first === undefined) return ref;
    const path = first.keyHash;
    if (ref === null) return this.build(depth, inserts(changes));
    if (ref.leaf) {
      const leaf = (await this.load(ref, depth, path)) as LeafNode;
      const own = changes.find((c) => bytesEqual(c.keyHash, leaf.keyHash));
      if (own === undefined && changes.every((c) => c.value === null)) return ref;
      if (changes.length === 1 && own?.value != null && bytesEqual(own.value, leaf.value)) return ref;
      const entries = inserts(changes);
      if (own === undefined) entries.push(leaf);
      entries.sort((a, b) => Buffer.compare(a.keyHash, b.keyHash));
      this.retire(ref, depth, path);
      return this.build(depth, entries);
    }
    if (depth >= treeDepthBits) throw new StoreCorruptionError('tree deeper than 256 levels');
    const node = (await this.load(ref, depth, path)) as InternalNode;
    const split = splitIndex(changes, depth);
    // The two subtrees are disjoint, so their node loads may run concurrently (LevelDB reads in a pool).
    const [left, right] = await Promise.all([
      this.update(node.left, depth + 1, changes.slice(0, split)),
      this.update(node.right, depth + 1, changes.slice(split)),
    ]);
    if (left === node.left && right === node.right) return ref;
    this.retire(ref, depth, path);
    return this.join(depth, path, left, right);
  }

  /** A node at (depth, path) over two rebuilt children, collapsing a lone leaf upwards. */
  private async join(
    depth: number,
    path: Uint8Array,
    left: NodeRef | null,
    right: NodeRef | null,
  ): Promise<NodeRef | null> {
    if (left === null && right === null) return null;
    if (left === null && right?.leaf) return this.moveUp(right, depth, withBit(path, depth, 1));
    if (right === null && left?.leaf) return this.moveUp(left, depth, withBit(path, depth, 0));
    const hash = internalHash(left?.hash ?? emptyHash, right?.hash ?? emptyHash);
    return this.put(depth, path, { kind: 'internal', left, right }, hash);
  }

  /** Moves the leaf at (depth + 1, childPath) up to `depth`: its hash does not change. */
  private async moveUp(ref: NodeRef, depth: number, childPath: Uint8Array): Promise<NodeRef> {
    const leaf = await this.load(ref, depth + 1, childPath);
    this.retire(ref, depth + 1, childPath);
    return this.put(depth, childPath, leaf, ref.hash);
  }

  private build(depth: number, entries: readonly Entry[]): NodeRef | null {
    const first = entries[0];
    if (first === undefined) return null;
    if (entries.length === 1) {
      const leaf: LeafNode = { kind: 'leaf', keyHash: first.keyHash, key: first.key, value: first.value };
      return this.put(depth, first.keyHash, leaf, leafHash(first.keyHash, sha256(first.value)));
    }
    if (depth >= treeDepthBits) throw new StoreCorruptionError('two keys with the same SHA-256');
    const split = splitIndex(entries, depth);
    const left = this.build(depth + 1, entries.slice(0, split));
    const right = this.build(depth + 1, entries.slice(split));
    const hash = internalHash(left?.hash ?? emptyHash, right?.hash ?? emptyHash);
    return this.put(depth, first.keyHash, { kind: 'internal', left, right }, hash);
  }

  private async load(ref: NodeRef, depth: number, path: Uint8Array): Promise<TreeNode> {
    const key = nodeKey(ref.version, depth, path);
    if (ref.version === this.version) {
      const fresh = this.nodes.get(nodeId(key));
      if (fresh !== undefined) return fresh.node;
    }
    return this.source.load(key);
  }

  /** A node leaves the tree: never written if it is this version's, else stale from this version on. */
  private retire(ref: NodeRef, depth: number, path: Uint8Array): void {
    const key = nodeKey(ref.version, depth, path);
    if (ref.version === this.version) this.nodes.delete(nodeId(key));
    else this.stale.push(key);
  }

  private put(depth: number, path: Uint8Array, node: TreeNode, hash: Uint8Array): NodeRef {
    const key = nodeKey(this.version, depth, path);
    this.nodes.set(nodeId(key), { key, node });
    return { version: this.version, hash, leaf: node.kind === 'leaf' };
  }
}

function inserts(changes: readonly TreeChange[]): Entry[] {
  const out: Entry[] = [];
  for (const c of changes) if (c.value !== null) out.push({ keyHash: c.keyHash, key: c.key, value: c.value });
  return out;
}

/** Index of the first item whose key hash has bit `depth` set (items are sorted by key hash). */
function splitIndex(items: readonly { keyHash: Uint8Array }[], depth: number): number {
  let i = 0;
  while (i < items.length && bitAt((items[i] as { keyHash: Uint8Array }).keyHash, depth) === 0) i++;
  return i;
}

function withBit(path: Uint8Array, depth: number, bit: 0 | 1): Uint8Array {
  const out = path.slice();
  const mask = 0x80 >> (depth & 7);
  out[depth >> 3] = bit === 1 ? (out[depth >> 3] as number) | mask : (out[depth >> 3] as number) & ~mask;
  return out;
}

/**
 * Walks the path of `keyHash` from `root`: the leaf it ends at (this key's or another's) or `null`
 * for an empty subtree, with the sibling hashes passed on the way — which is the proof.
 */
export async function walk(
  source: NodeSource,
  root: NodeRef | null,
  keyHash: Uint8Array,
): Promise<{ leaf: LeafNode | null; proof: StoreProof }> {
  const siblings: Uint8Array[] = [];
  let ref = root;
  let depth = 0;
  while (ref !== null) {
    const node = await source.load(nodeKey(ref.version, depth, keyHash));
    if (node.kind === 'leaf') {
      return {
        leaf: node,
        proof: { leaf: { keyHash: node.keyHash, valueHash: sha256(node.value) }, siblings },
      };
    }
    if (depth >= treeDepthBits) throw new StoreCorruptionError('tree deeper than 256 levels');
    const goRight = bitAt(keyHash, depth) === 1;
    siblings.push((goRight ? node.left : node.right)?.hash ?? emptyHash);
    ref = goRight ? node.right : node.left;
    depth++;
  }
  return { leaf: null, proof: { leaf: null, siblings } };
}
