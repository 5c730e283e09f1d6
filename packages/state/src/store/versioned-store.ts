import {
  defaultNodeCacheBytes,
  defaultValueCacheBytes,
  emptyRangeCacheEntries,
  maxIterateEntries,
  maxKeyBytes,
  maxValueBytes,
  nodeCacheEntries,
  nodeCacheNodeOverheadBytes,
  valueCacheEntries,
  valueCacheOverheadBytes,
} from '../constants.js';
import {
  StoreCorruptionError,
  StoreLimitError,
  StoreStateError,
  VersionUnavailableError,
} from '../errors.js';
import { concatBytes, metaKey, metaKeys, prefixEnd, prefixed, prefixes, readU64, u64 } from '../keys.js';
import { type KvOp, type KvStore, WriteBatch } from '../kv/kv-store.js';
import { BatchArena } from './arena.js';
import { EmptyRanges } from './empty-ranges.js';
import { bytesEqual, digest, emptyHash, keyHashOf } from './hashing.js';
import {
  decodeNode,
  decodeRoot,
  encodeRoot,
  type NodePlace,
  placeOfKey,
  type Slot,
  type TreeNode,
  valueKey,
  versionOfKey,
} from './node.js';
import { LruCache, NodeCache } from './node-cache.js';
import type { StoreProof } from './proof.js';
import { pruneTree } from './pruning.js';
import { applyChanges, type NodeSource, nodeId, type TreeChange, walk } from './tree.js';

export interface VersionedStoreOptions {
  /** Memory of the node cache, bytes (default `defaultNodeCacheBytes`); see `nodeBytes`. */
  readonly nodeCacheBytes?: number;
  /** Most tree nodes kept in memory for reads (default `nodeCacheEntries`), next to the bytes. */
  readonly nodeCacheEntries?: number;
  /** Memory of the cache of latest values, bytes (default `defaultValueCacheBytes`; 0: none). */
  readonly valueCacheBytes?: number;
}

/** A version computed by `prepare` and not yet written: `commit` makes it durable. */
export interface PreparedVersion {
  readonly version: number;
  readonly rootHash: Uint8Array;
  readonly ops: readonly KvOp[];
  readonly root: Slot | null;
  readonly base: Slot | null;
  /** The new nodes, and their places at the same index: the node cache takes them on commit. */
  readonly nodes: readonly TreeNode[];
  readonly places: readonly NodePlace[];
  /** The latest values it writes (null: deleted), for the value cache. */
  readonly values: readonly TreeChange[];
}

/**
 * The authenticated, versioned key-value store: a 16-ary sparse Merkle tree over SHA-256(key) with
 * leaves in the shallowest slot where they are alone, whose nodes are keyed by (version, position)
 * and never rewritten (the Jellyfish Merkle tree's scheme). A leaf lives in its parent's slot; the
 * value it commits to is a record keyed by (version, SHA-256(key)). Each committed version has a
 * root, whose hash is that height's app hash; older versions stay readable, with proofs, until
 * pruned. A flat table of the latest values serves fast reads and prefix iteration.
 */
export class VersionedStore {
  private readonly kv: KvStore;
  /** The latest tree's nodes (and others read) by place, with the version that wrote each. */
  private readonly cache: NodeCache<CachedNode>;
  /** Latest values by key (`null`: absent), current as of `latest`. */
  private readonly values: LruCache<LatestValue>;
  private latest: number | undefined;
  /**
   * Gaps of the latest state known to hold no entry: `entries` answers a range inside one without a
   * LevelDB iterator. A commit takes each written key out of its gap before it writes.
   */
  private readonly emptyRanges = new EmptyRanges(emptyRangeCacheEntries);
  /** Counts commits' starts and ends: odd while a commit writes. */
  private commitEdges = 0;
  private oldest = 0;
  private root: Slot | null = null;
  private started = false;
  private readonly source: NodeSource = {
    cached: (place, version) => {
      const hit = this.cache.get(place);
      return hit !== undefined && hit.version === version ? hit.node : undefined;
    },
    loadMany: (keys, places) => this.loadNodes(keys, places),
  };

  constructor(options: VersionedStoreOptions, dependencies: { readonly kv: KvStore }) {
    this.kv = dependencies.kv;
    this.cache = new NodeCache({
      maxEntries: options.nodeCacheEntries ?? nodeCacheEntries,
      maxBytes: options.nodeCacheBytes ?? defaultNodeCacheBytes,
    });
    this.values = new LruCache(
      { maxEntries: valueCacheEntries, maxBytes: options.valueCacheBytes ?? defaultValueCacheBytes },
      (v) => valueCacheOverheadBytes + (v.value?.length ?? 0),
    );
  }

  /** Loads the last committed version; the key-value store must be started. Idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    this.emptyRanges.clear();
    const version = await this.kv.get(metaKey(metaKeys.storeVersion));
    const base = await this.kv.get(metaKey(metaKeys.storeBase));
    const layout = await this.kv.get(metaKey(metaKeys.storeLayout));
    if (version !== undefined && (layout?.length !== 1 || layout[0] !== storeLayout)) {
      throw new StoreCorruptionError(
        `the state was written by another store layout (${layout === undefined ? 'none' : layout[0]}, this is ${storeLayout}): sync the node again from genesis`,
        { layout: layout?.[0], expected: storeLayout },
      );
    }
    this.latest = version === undefined ? undefined : readU64(version);
    this.oldest = base === undefined ? 0 : readU64(base);
    this.root = this.latest === undefined ? null : await this.loadRoot(this.latest);
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  /** The last committed version, `undefined` before the first commit. */
  version(): number | undefined {
    return this.latest;
  }

  /** The lowest version still readable. */
  base(): number {
    return this.oldest;
  }

  /** Bytes held by the node cache (at most `nodeCacheBytes`). */
  get cacheBytes(): number {
    return this.cache.bytes;
  }

  /** Bytes held by the cache of latest values (at most `valueCacheBytes`). */
  get valueCacheBytes(): number {
    return this.values.bytes;
  }

  /** The app hash of the last committed version (zeros for an empty tree). */
  rootHash(): Uint8Array {
    return this.root?.hash ?? emptyHash;
  }

  /** A version's app hash; throws `VersionUnavailableError` when it is pruned or unknown. */
  async rootHashAt(version: number): Promise<Uint8Array> {
    return (await this.rootAt(version))?.hash ?? emptyHash;
  }

  /**
   * The latest committed value of `key` if the cache of latest values holds it (`null`: known
   * absent), else `undefined` (as before `start`); `id` is `nodeId(key)`. Synchronous, for
   * readers that skip the promise of `get` when they can.
   */
  cachedValue(id: string): Uint8Array | null | undefined {
    // A store not started has nothing cached: `get` gives its error.
    if (!this.started) return undefined;
    return this.values.get(id)?.value;
  }

  /** The latest committed value of `key`. */
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.assertStarted();
    const id = nodeId(key);
    const cached = this.values.get(id);
    if (cached !== undefined) return cached.value ?? undefined;
    const version = this.latest;
    const value = await this.kv.getBlocking(prefixed(prefixes.latestState, key));
    // A commit while the read was in flight may have changed the key: cache only a current answer.
    if (version === this.latest) this.values.set(id, new LatestValue(value ?? null));
    return value;
  }

  /** The value of `key` at `version`, read through that version's tree. */
  async getAt(key: Uint8Array, version: number): Promise<Uint8Array | undefined> {
    const root = await this.rootAt(version);
    const keyHash = keyHashOf(key);
    const { leaf } = await walk((k) => this.loadNode(k), root, keyHash);
    if (leaf === null || !bytesEqual(leaf.keyHash, keyHash)) return undefined;
    return this.loadValue(leaf.version, keyHash);
  }

  /** The value of `key` at `version` (or `null`) and its proof against that version's app hash. */
  async prove(key: Uint8Array, version: number): Promise<{ value: Uint8Array | null; proof: StoreProof }> {
    const root = await this.rootAt(version);
    const keyHash = keyHashOf(key);
    const { leaf, levels } = await walk((k) => this.loadNode(k), root, keyHash);
    if (leaf === null) return { value: null, proof: { leaf: null, levels } };
    // The leaf's value: this key's, or the neighbour's whose hash proves this key absent.
    const stored = await this.loadValue(leaf.version, leaf.keyHash);
    const proof = { leaf: { keyHash: leaf.keyHash, valueHash: digest(stored) }, levels };
    return { value: bytesEqual(leaf.keyHash, keyHash) ? stored : null, proof };
  }

  /**
   * Latest committed entries whose key starts with `prefix` (and is greater than `after`, when
   * given), in key order, at most `limit` (callers bound it).
   */
  async entries(
    prefix: Uint8Array,
    limit = maxIterateEntries,
    after?: Uint8Array,
  ): Promise<[Uint8Array, Uint8Array][]> {
    this.assertStarted();
    const start = prefixed(prefixes.latestState, prefix);
    // The smallest key greater than `after` is `after ‖ 0x00`.
    const next = after === undefined ? start : prefixed(prefixes.latestState, concatBytes(after, zeroByte));
    const gte = Buffer.compare(next, start) > 0 ? next : start;
    if (!(limit > 0)) return this.list(gte, prefixEnd(start), limit);
    // The range in state keys (copied now: the caller's arrays may change while the listing waits),
    // `end` null when no key is past every key with the prefix.
    const from = gte.slice(1);
    const end = stateKeyEnd(prefix);
    if (this.emptyRanges.covers(from, end)) return [];
    // One key past the range too: when the range is empty, everything before that key is a gap.
    const edges = this.commitEdges;
    const out: [Uint8Array, Uint8Array][] = [];
    let beyond: Uint8Array | null = null;
    for await (const [key, value] of this.kv.entries({ gte, lt: latestStateEnd, limit: limit + 1 })) {
      const stateKey = key.subarray(1);
      if ((end !== null && Buffer.compare(stateKey, end) >= 0) || out.length === limit) {
        beyond = stateKey;
        break;
      }
      out.push([stateKey, value]);
    }
    // Remembered only if no commit started or ended meanwhile (the iterator may have seen either
    // side), and not with keys longer than a key and its successor's zero (a bound on the cache).
    if (
      out.length === 0 &&
      edges === this.commitEdges &&
      edges % 2 === 0 &&
      from.length <= maxKeyBytes + 1 &&
      (beyond === null || beyond.length <= maxKeyBytes + 1)
    )
      this.emptyRanges.add(from, beyond);
    return out;
  }

  /** Latest-state entries `gte <= key < lt`, at most `limit`, without the state prefix. */
  private async list(gte: Uint8Array, lt: Uint8Array, limit: number): Promise<[Uint8Array, Uint8Array][]> {
    const out: [Uint8Array, Uint8Array][] = [];
    for await (const [key, value] of this.kv.entries({ gte, lt, limit })) out.push([key.subarray(1), value]);
    return out;
  }

  /**
   * Computes `version` from the last committed one plus `changes` (key → value, or `null` to
   * delete), without writing: the root hash and the batch `commit` will write. Pure with respect to
   * the store, so a prepared version may be dropped.
   */
  async prepare(
    version: number,
    changes: Iterable<readonly [Uint8Array, Uint8Array | null]>,
  ): Promise<PreparedVersion> {
    this.assertStarted();
    if (this.latest !== undefined && version !== this.latest + 1) {
      throw new StoreStateError(`version ${version} does not follow ${this.latest}`, { version });
    }
    const arena = new BatchArena();
    const sorted = sortChanges(changes, arena);
    const write = await applyChanges(this.source, this.root, version, sorted, arena);
    const batch = new WriteBatch();
    for (let i = 0; i < write.nodes.length; i++)
      batch.put(write.nodeKeys[i] as Uint8Array, (write.nodes[i] as TreeNode).bytes);
    for (const [key, value] of write.values) batch.put(key, value);
    if (write.stale.count > 0)
      batch.put(prefixed(prefixes.staleRecords, u64(version)), write.stale.encoded());
    batch.put(prefixed(prefixes.treeRoot, u64(version)), encodeRoot(write.root));
    for (const c of sorted) {
      const key = arena.take(1 + c.key.length);
      key[0] = prefixes.latestState;
      key.set(c.key, 1);
      if (c.stored === null) batch.del(key);
      else batch.put(key, c.stored);
    }
    batch.put(metaKey(metaKeys.storeVersion), u64(version));
    if (this.latest === undefined) {
      batch.put(metaKey(metaKeys.storeBase), u64(version));
      batch.put(metaKey(metaKeys.storeLayout), new Uint8Array([storeLayout]));
    }
    return {
      version,
      rootHash: write.root?.hash ?? emptyHash,
      ops: batch.ops,
      root: write.root,
      base: this.root,
      nodes: write.nodes,
      places: write.places,
      values: sorted,
    };
  }

  /** Writes a prepared version, with `extra` operations, as one synced batch. */
  async commit(prepared: PreparedVersion, extra: readonly KvOp[] = []): Promise<void> {
    this.assertStarted();
    if (prepared.base !== this.root || (this.latest !== undefined && prepared.version !== this.latest + 1)) {
      throw new StoreStateError(`prepared version ${prepared.version} is not based on the committed one`);
    }
    if (this.emptyRanges.size > 0)
      for (const c of prepared.values) if (c.stored !== null) this.emptyRanges.fill(c.key);
    this.commitEdges++;
    try {
      await this.kv.write(extra.length === 0 ? prepared.ops : [...prepared.ops, ...extra], { sync: true });
    } finally {
      this.commitEdges++;
    }
    if (this.latest === undefined) this.oldest = prepared.version;
    this.latest = prepared.version;
    this.root = prepared.root;
    // The cache holds the latest tree: a new node takes its place from the node it replaces (older
    // versions read that one from disk).
    const { nodes, places } = prepared;
    const version = prepared.version;
    for (let i = 0; i < nodes.length; i++)
      this.cache.set(places[i] as NodePlace, cachedNode(version, nodes[i] as TreeNode));
    // A value too large for the cache is not cached, and the old one leaves it (`LruCache.set`).
    for (const { id, value } of prepared.values) this.values.set(id, new LatestValue(value));
  }

  /**
   * Forgets versions below `retainVersion`: deletes their roots and every node no retained version
   * reaches, then compacts the key ranges it emptied so LevelDB gives the disk space back. Returns
   * the nodes deleted. Reading a pruned version gives `STORE_VERSION_PRUNED`.
   */
  async prune(retainVersion: number): Promise<number> {
    this.assertStarted();
    if (this.latest === undefined || retainVersion <= this.oldest) return 0;
    const retain = Math.min(retainVersion, this.latest);
    await this.kv.write([{ type: 'put', key: metaKey(metaKeys.storeBase), value: u64(retain) }], {
      sync: true,
    });
    this.oldest = retain;
    return pruneTree(this.kv, retain, (key) => {
      const place = placeOfKey(key);
      if (this.cache.get(place)?.version === versionOfKey(key)) this.cache.delete(place);
    });
  }

  private async rootAt(version: number): Promise<Slot | null> {
    this.assertStarted();
    if (this.latest === undefined || version > this.latest) {
      throw new VersionUnavailableError('STORE_VERSION_UNKNOWN', `version ${version} was never committed`, {
        version,
        latest: this.latest,
      });
    }
    if (version < this.oldest) {
      throw new VersionUnavailableError(
        'STORE_VERSION_PRUNED',
        `version ${version} is pruned; the oldest kept is ${this.oldest}`,
        { version, base: this.oldest },
      );
    }
    return version === this.latest ? this.root : this.loadRoot(version);
  }

  private async loadRoot(version: number): Promise<Slot | null> {
    const bytes = await this.kv.get(prefixed(prefixes.treeRoot, u64(version)));
    if (bytes === undefined)
      throw new StoreCorruptionError(`no root record for version ${version}`, { version });
    return decodeRoot(bytes);
  }

  /**
   * A node of any version (a read at an older height, a proof): cached unless its place holds a
   * node of a later version, which is more likely the latest tree's.
   */
  private async loadNode(key: Uint8Array): Promise<TreeNode> {
    const place = placeOfKey(key);
    const version = versionOfKey(key);
    const cached = this.cache.get(place);
    if (cached !== undefined && cached.version === version) return cached.node;
    const bytes = await this.kv.getBlocking(key);
    if (bytes === undefined) throw new StoreCorruptionError('a tree node is missing', { node: key });
    const node = decodeNode(owned(bytes));
    if (cached === undefined || cached.version < version) this.cache.set(place, cachedNode(version, node));
    return node;
  }

  /** Reads nodes of the latest tree that are not in the cache, in one batched read, and caches them. */
  private async loadNodes(keys: readonly Uint8Array[], places: readonly NodePlace[]): Promise<TreeNode[]> {
    const read = await this.kv.getMany(keys);
    return read.map((bytes, i) => {
      const key = keys[i] as Uint8Array;
      if (bytes === undefined) throw new StoreCorruptionError('a tree node is missing', { node: key });
      const node = decodeNode(owned(bytes));
      this.cache.set(places[i] as NodePlace, cachedNode(versionOfKey(key), node));
      return node;
    });
  }

  private async loadValue(version: number, keyHash: Uint8Array): Promise<Uint8Array> {
    const value = await this.kv.getBlocking(valueKey(version, keyHash));
    if (value === undefined) throw new StoreCorruptionError('a tree value is missing', { version, keyHash });
    return value;
  }

  private assertStarted(): void {
    if (!this.started) throw new StoreStateError('the versioned store is not started');
  }
}

const zeroByte = new Uint8Array([0]);

/**
 * The layout of the state: 3 is the 16-slot tree of this file holding module-scoped application
 * keys (a length-prefixed module name first, `app/layout.ts`); 2 was the same tree with `<module>/`
 * keys. A database written by another layout (the binary tree of earlier releases had none) is
 * refused at start rather than misread: its modules would find none of their keys.
 */
export const storeLayout = 3;

/** `bytes` in a buffer of their own, so that a cached node never holds a larger buffer alive. */
function owned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/** A node in the cache: a place holds one node, of the version named. */
interface CachedNode {
  readonly version: number;
  readonly node: TreeNode;
  /** What it costs: its encoding, and a fixed overhead for the objects, its offsets and its place. */
  readonly bytes: number;
}

/**
 * A key's latest value in the cache (`null`: absent). A class, not an object literal, so that V8
 * allocates it young: a literal's site whose objects mostly survive a scavenge (these live a block
 * or more) is allocated in old space from then on, and a dead one there keeps the value array it
 * points to alive through every scavenge until the next full collection (see `PendingWrite` in
 * the state layer).
 */
class LatestValue {
  constructor(readonly value: Uint8Array | null) {}
}

function cachedNode(version: number, node: TreeNode): CachedNode {
  return { version, node, bytes: nodeCacheNodeOverheadBytes + node.bytes.length };
}

/** Checks limits, hashes keys and sorts by key hash; the last change of a key wins. */
function sortChanges(
  changes: Iterable<readonly [Uint8Array, Uint8Array | null]>,
  arena: BatchArena,
): TreeChange[] {
  const byKey = new Map<string, RankedChange>();
  for (const [key, value] of changes) {
    if (key.length === 0 || key.length > maxKeyBytes)
      throw new StoreLimitError(`key of ${key.length} bytes is outside 1..${maxKeyBytes}`);
    if (value !== null && value.length > maxValueBytes)
      throw new StoreLimitError(`value of ${value.length} bytes exceeds ${maxValueBytes}`);
    const id = nodeId(key);
    const keyHash = keyHashOf(key);
    const stored = value === null ? null : arena.small(value);
    byKey.set(id, new RankedChange(id, keyHash, key, value, stored));
  }
  return [...byKey.values()].sort((a, b) => a.rank - b.rank || Buffer.compare(a.keyHash, b.keyHash));
}

/**
 * A change with the first 48 bits of its key hash (`rank`), which orders changes without a call
 * into `Buffer.compare`. A class, not a literal: a block's changes live until its commit, and a
 * literal's site whose objects survive a scavenge is allocated in V8's old space, where a dead
 * change keeps its key and value arrays alive through scavenges until a full collection (see
 * `LatestValue`).
 */
class RankedChange implements TreeChange {
  readonly rank: number;
  constructor(
    readonly id: string,
    readonly keyHash: Uint8Array,
    readonly key: Uint8Array,
    readonly value: Uint8Array | null,
    readonly stored: Uint8Array | null,
  ) {
    this.rank = rankOf(keyHash);
  }
}

function rankOf(h: Uint8Array): number {
  const high = (((h[0] as number) << 16) | ((h[1] as number) << 8) | (h[2] as number)) * 0x100_0000;
  return high + (((h[3] as number) << 16) | ((h[4] as number) << 8) | (h[5] as number));
}

/** The end of the latest-state key space (every state key is below it). */
const latestStateEnd = prefixEnd(new Uint8Array([prefixes.latestState]));

/** The smallest state key past every key with `prefix`; null when there is none (all 0xff, or empty). */
function stateKeyEnd(prefix: Uint8Array): Uint8Array | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if ((prefix[i] as number) < 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i] = (end[i] as number) + 1;
      return end;
    }
  }
  return null;
}
