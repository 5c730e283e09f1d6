import { hashBytes } from '@joule/consensus';
import { treeRadix } from '../constants.js';
import { StoreCorruptionError } from '../errors.js';
import { prefixes } from '../keys.js';
import { digest, hashScratch, NODE_TAG } from './hashing.js';

/** A key's leaf, kept in its parent's slot: SHA-256 of its key, its hash, the version of its value. */
export interface LeafSlot {
  readonly leaf: true;
  readonly keyHash: Uint8Array;
  readonly hash: Uint8Array;
  /** The version that wrote the value: the value record is (version, keyHash). */
  readonly version: number;
}

/** A child node: its hash and the version that wrote it (with its position, its node key). */
export interface NodeSlot {
  readonly leaf: false;
  readonly hash: Uint8Array;
  readonly version: number;
}

export type Slot = LeafSlot | NodeSlot;

/**
 * An internal node, kept as its encoding (what LevelDB stores) with the offset of each slot: about
 * its encoded size in memory (at most 1 076 bytes) rather than an object per slot. `slot(n)`
 * builds a slot's object when it is asked for.
 */
export class TreeNode {
  readonly occupied: number;
  readonly leaves: number;
  /** Start of slot `n` at `[n]` and its end at `[16 + n]`; -1 for an empty slot. */
  private readonly offsets: Int16Array;

  /**
   * Parses `bytes`; throws `StoreCorruptionError` when they are not a node. `offsets` are given
   * only by `makeNode`, which has just laid the slots out.
   */
  constructor(
    readonly bytes: Uint8Array,
    offsets?: Int16Array,
  ) {
    if (bytes.length < 4) throw new StoreCorruptionError('truncated tree node', { length: bytes.length });
    this.occupied = ((bytes[0] as number) << 8) | (bytes[1] as number);
    this.leaves = ((bytes[2] as number) << 8) | (bytes[3] as number);
    if (offsets !== undefined) {
      this.offsets = offsets;
      return;
    }
    if ((this.leaves & ~this.occupied) !== 0) throw new StoreCorruptionError('bad tree node maps');
    this.offsets = new Int16Array(2 * treeRadix).fill(-1);
    let at = 4;
    for (let n = 0; n < treeRadix; n++) {
      const bit = 0x8000 >>> n;
      if ((this.occupied & bit) === 0) continue;
      const end = at + ((this.leaves & bit) !== 0 ? 2 * hashBytes : hashBytes);
      if (end >= bytes.length) throw new StoreCorruptionError('truncated tree node');
      this.offsets[n] = at;
      at = skipVarint(bytes, end);
      this.offsets[treeRadix + n] = at;
    }
    if (at !== bytes.length) throw new StoreCorruptionError('trailing bytes after tree node');
  }

  has(n: number): boolean {
    return (this.occupied & (0x8000 >>> n)) !== 0;
  }

  isLeaf(n: number): boolean {
    return (this.leaves & (0x8000 >>> n)) !== 0;
  }

  /** Slot `n`'s hash (a view of the node's bytes); the slot must be occupied. */
  hashAt(n: number): Uint8Array {
    const start = this.offsets[n] as number;
    return this.bytes.subarray(start, start + hashBytes);
  }

  /** The version of slot `n`'s child or value; the slot must be occupied. */
  versionAt(n: number): number {
    const start = this.offsets[n] as number;
    return readVarint(this.bytes, start + (this.isLeaf(n) ? 2 * hashBytes : hashBytes));
  }

  /** Slot `n` as an object, or `undefined` when it is empty. */
  slot(n: number): Slot | undefined {
    if (!this.has(n)) return undefined;
    const hash = this.hashAt(n);
    const version = this.versionAt(n);
    if (!this.isLeaf(n)) return { leaf: false, hash, version };
    const start = (this.offsets[n] as number) + hashBytes;
    return { leaf: true, keyHash: this.bytes.subarray(start, start + hashBytes), hash, version };
  }

  /** Where slot `n`'s encoding starts in `bytes`; the slot must be occupied. */
  slotStart(n: number): number {
    return this.offsets[n] as number;
  }

  /** Where slot `n`'s encoding ends in `bytes`; the slot must be occupied. */
  slotEnd(n: number): number {
    return this.offsets[treeRadix + n] as number;
  }
}

/**
 * A node from `base` (or from nothing) with some slots replaced: `fresh[n]` is the new slot `n`,
 * `null` to empty it, `undefined` to keep base's. Returns the node and its hash, encoding it and
 * building the hash input in one pass. A kept slot is copied byte by byte: a node keeps ~15 of its
 * 16 slots, and a view per slot (`subarray`) cost more than the copy.
 */
export function makeNode(
  base: TreeNode | null,
  fresh: readonly (Slot | null | undefined)[],
): { node: TreeNode; hash: Uint8Array } {
  let occupied = 0;
  let leaves = 0;
  let size = 4;
  let count = 0;
  for (let n = 0; n < treeRadix; n++) {
    const f = fresh[n];
    const bit = 0x8000 >>> n;
    if (f === undefined) {
      if (base === null || !base.has(n)) continue;
      size += base.slotEnd(n) - base.slotStart(n);
      if (base.isLeaf(n)) leaves |= bit;
    } else if (f === null) continue;
    else {
      size += slotBytes(f);
      if (f.leaf) leaves |= bit;
    }
    occupied |= bit;
    count++;
  }
  const out = new Uint8Array(size);
  const offsets = new Int16Array(2 * treeRadix).fill(-1);
  out[0] = occupied >>> 8;
  out[1] = occupied & 0xff;
  out[2] = leaves >>> 8;
  out[3] = leaves & 0xff;
  const input = hashScratch;
  input[0] = NODE_TAG;
  input[1] = occupied >>> 8;
  input[2] = occupied & 0xff;
  const from = base?.bytes;
  // Kept slots that follow each other in `base` are copied as one run, when a fresh slot or the end comes.
  let runStart = 0;
  let runEnd = 0;
  let runAt = 4;
  let at = 4;
  let h = 3;
  for (let n = 0; n < treeRadix; n++) {
    if ((occupied & (0x8000 >>> n)) === 0) continue;
    offsets[n] = at;
    const f = fresh[n];
    if (f === undefined || f === null) {
      const start = (base as TreeNode).slotStart(n);
      const end = (base as TreeNode).slotEnd(n);
      for (let i = 0; i < hashBytes; i++) input[h + i] = (from as Uint8Array)[start + i] as number;
      if (start !== runEnd) {
        copyRun(out, runAt, from, runStart, runEnd);
        runStart = start;
        runAt = at;
      }
      runEnd = end;
      at += end - start;
    } else {
      copyRun(out, runAt, from, runStart, runEnd);
      runStart = runEnd = -1;
      input.set(f.hash, h);
      at = writeSlot(out, at, f);
    }
    offsets[treeRadix + n] = at;
    h += hashBytes;
  }
  copyRun(out, runAt, from, runStart, runEnd);
  return { node: new TreeNode(out, offsets), hash: digest(input.subarray(0, 3 + count * hashBytes)) };
}

/** Copies `from[start, end)` to `out` at `at` (nothing when the run is empty). */
function copyRun(
  out: Uint8Array,
  at: number,
  from: Uint8Array | undefined,
  start: number,
  end: number,
): void {
  if (end > start) out.set((from as Uint8Array).subarray(start, end), at);
}

/** A node of `slots` (`undefined`: empty): its bytes are what LevelDB stores. */
export function encodeNode(slots: readonly (Slot | undefined)[]): Uint8Array {
  return makeNode(
    null,
    slots.map((s) => s ?? null),
  ).node.bytes;
}

export function decodeNode(bytes: Uint8Array): TreeNode {
  return new TreeNode(bytes);
}

/**
 * A node's database key (table 0x20): the version that wrote it, its depth in nibbles and the first
 * `depth` nibbles of its path, packed two to a byte (a last odd nibble in the high half). Nodes are
 * never rewritten: a change writes new nodes under the new version and lists the replaced ones as stale.
 */
export function nodeKey(version: number, depth: number, path: Uint8Array): Uint8Array {
  const key = new Uint8Array(nodeKeyBytes(depth));
  writeNodeKey(key, 0, version, depth, path);
  return key;
}

/** The length of a node key at `depth`. */
export function nodeKeyBytes(depth: number): number {
  return 10 + ((depth + 1) >> 1);
}

/** Writes `nodeKey(version, depth, path)` into `out` at `at`; returns where it ends. */
export function writeNodeKey(
  out: Uint8Array,
  at: number,
  version: number,
  depth: number,
  path: Uint8Array,
): number {
  const bytes = (depth + 1) >> 1;
  out[at] = prefixes.treeNode;
  writeU64(out, at + 1, version);
  out[at + 9] = depth;
  for (let i = 0; i < bytes; i++) out[at + 10 + i] = path[i] as number;
  if ((depth & 1) === 1) out[at + 9 + bytes] = (out[at + 9 + bytes] as number) & 0xf0;
  return at + 10 + bytes;
}

/** A value record's database key (table 0x24): the version that wrote the value, then SHA-256 of the key. */
export function valueKey(version: number, keyHash: Uint8Array): Uint8Array {
  const key = new Uint8Array(valueKeyBytes);
  writeValueKey(key, 0, version, keyHash);
  return key;
}

/** The length of a value record's key. */
export const valueKeyBytes = 9 + hashBytes;

/** Writes `valueKey(version, keyHash)` into `out` at `at`; returns where it ends. */
export function writeValueKey(out: Uint8Array, at: number, version: number, keyHash: Uint8Array): number {
  out[at] = prefixes.treeValue;
  writeU64(out, at + 1, version);
  out.set(keyHash, at + 9);
  return at + valueKeyBytes;
}

/**
 * A node's place — its depth and path, whatever version wrote it — as the node cache's key: the
 * latest tree has one node at a place, so a new version's node replaces the one it supersedes with
 * one map operation. A number (the place's index in level order) for the top
 * `numericPlaceDepth` levels, which hold every node of a tree below 16^13 keys; a string below.
 * The path is the nibbles of `path` from byte `offset` on (a key hash, or a node key's packed path).
 */
export type NodePlace = number | string;

const numericPlaceDepth = 13;
/** Index of the first place at each depth in level order: (16^d − 1) / 15. */
const levelStart = Array.from({ length: numericPlaceDepth + 1 }, (_, d) => (16 ** d - 1) / 15);

export function placeOf(depth: number, path: Uint8Array, offset: number): NodePlace {
  if (depth <= numericPlaceDepth) {
    let index = 0;
    for (let i = 0; i < depth; i++) {
      const byte = path[offset + (i >> 1)] as number;
      index = index * 16 + ((i & 1) === 0 ? byte >>> 4 : byte & 0x0f);
    }
    return (levelStart[depth] as number) + index;
  }
  let id = `${depth}:`;
  for (let i = 0; i < depth; i++) {
    const byte = path[offset + (i >> 1)] as number;
    id += ((i & 1) === 0 ? byte >>> 4 : byte & 0x0f).toString(16);
  }
  return id;
}

/** The place of the node whose database key is `key`. */
export function placeOfKey(key: Uint8Array): NodePlace {
  return placeOf(key[9] as number, key, 10);
}

/** The version in a node key or a value record's key. */
export function versionOfKey(key: Uint8Array): number {
  let high = 0;
  for (let i = 1; i < 5; i++) high = high * 256 + (key[i] as number);
  let low = 0;
  for (let i = 5; i < 9; i++) low = low * 256 + (key[i] as number);
  return high * 0x1_0000_0000 + low;
}

/*
 * Binary layout of a node: occupied map (u16, slot 0 the most significant bit) ‖ leaf map (u16) ‖
 * for each occupied slot in order: hash ‖ (a leaf's) keyHash ‖ version (unsigned LEB128: 3 bytes
 * below 2 097 152, at most 8 for a safe integer).
 */

/** A version's root record: no bytes for an empty tree, else 0x00 (node) or 0x01 (leaf) ‖ the slot. */
export function encodeRoot(root: Slot | null): Uint8Array {
  if (root === null) return new Uint8Array(0);
  const out = new Uint8Array(1 + slotBytes(root));
  out[0] = root.leaf ? 1 : 0;
  writeSlot(out, 1, root);
  return out;
}

export function decodeRoot(bytes: Uint8Array): Slot | null {
  if (bytes.length === 0) return null;
  if ((bytes[0] as number) > 1) throw new StoreCorruptionError('bad root record', { length: bytes.length });
  const reader = { at: 1 };
  const slot = readSlot(bytes, reader, bytes[0] === 1);
  if (reader.at !== bytes.length) throw new StoreCorruptionError('trailing bytes after root record');
  return slot;
}

function slotBytes(slot: Slot): number {
  return (slot.leaf ? 2 * hashBytes : hashBytes) + varintBytes(slot.version);
}

function writeSlot(out: Uint8Array, at: number, slot: Slot): number {
  out.set(slot.hash, at);
  let end = at + hashBytes;
  if (slot.leaf) {
    out.set(slot.keyHash, end);
    end += hashBytes;
  }
  let n = slot.version;
  while (n >= 0x80) {
    out[end++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[end++] = n;
  return end;
}

function readSlot(bytes: Uint8Array, reader: { at: number }, leaf: boolean): Slot {
  const start = reader.at;
  const end = start + (leaf ? 2 * hashBytes : hashBytes);
  if (end >= bytes.length) throw new StoreCorruptionError('truncated tree node');
  const hash = bytes.subarray(start, start + hashBytes);
  const version = readVarint(bytes, end);
  reader.at = skipVarint(bytes, end);
  if (!leaf) return { leaf: false, hash, version };
  return { leaf: true, keyHash: bytes.subarray(start + hashBytes, end), hash, version };
}

/** The end of the LEB128 integer at `at`; throws on one that is cut or longer than 8 bytes. */
function skipVarint(bytes: Uint8Array, at: number): number {
  for (let i = 0; i < 8; i++) {
    const byte = bytes[at + i];
    if (byte === undefined) break;
    if (byte < 0x80) return at + i + 1;
  }
  throw new StoreCorruptionError('bad version in tree node');
}

function readVarint(bytes: Uint8Array, at: number): number {
  let version = 0;
  let scale = 1;
  for (let i = at; ; i++) {
    const byte = bytes[i] as number;
    version += (byte & 0x7f) * scale;
    if (byte < 0x80) return version;
    scale *= 0x80;
  }
}

function varintBytes(n: number): number {
  let bytes = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) bytes++;
  return bytes;
}

function writeU64(out: Uint8Array, at: number, n: number): void {
  const high = Math.floor(n / 0x1_0000_0000);
  const low = n >>> 0;
  out[at] = high >>> 24;
  out[at + 1] = (high >>> 16) & 0xff;
  out[at + 2] = (high >>> 8) & 0xff;
  out[at + 3] = high & 0xff;
  out[at + 4] = low >>> 24;
  out[at + 5] = (low >>> 16) & 0xff;
  out[at + 6] = (low >>> 8) & 0xff;
  out[at + 7] = low & 0xff;
}
