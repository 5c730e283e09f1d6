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

  /** Parses `bytes`; throws `StoreCorruptionError` when they are not a node. */
  constructor(readonly bytes: Uint8Array) {
    if (bytes.length < 4) throw new StoreCorruptionError('truncated tree node', { length: bytes.length });
    this.occupied = ((bytes[0] as number) << 8) | (bytes[1] as number);
    this.leaves = ((bytes[2] as number) << 8) | (bytes[3] as number);
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

  /** Slot `n`'s encoding; the slot must be occupied. */
  rawSlot(n: number): Uint8Array {
    return this.bytes.subarray(this.offsets[n] as number, this.offsets[treeRadix + n] as number);
  }
}

/**
 * A node from `base` (or from nothing) with some slots replaced: `fresh[n]` is the new slot `n`,
 * `null` to empty it, `undefined` to keep base's. Returns the node and its hash, encoding it and
 * building the hash input in one pass (a kept slot is copied as bytes).
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
      size += base.rawSlot(n).length;
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
  out[0] = occupied >>> 8;
  out[1] = occupied & 0xff;
  out[2] = leaves >>> 8;
  out[3] = leaves & 0xff;
  const input = hashScratch;
  input[0] = NODE_TAG;
  input[1] = occupied >>> 8;
  input[2] = occupied & 0xff;
  let at = 4;
  let h = 3;
  for (let n = 0; n < treeRadix; n++) {
    if ((occupied & (0x8000 >>> n)) === 0) continue;
    const f = fresh[n];
    if (f === undefined || f === null) {
      const raw = (base as TreeNode).rawSlot(n);
      out.set(raw, at);
      input.set(raw.subarray(0, hashBytes), h);
      at += raw.length;
    } else {
      input.set(f.hash, h);
      at = writeSlot(out, at, f);
    }
    h += hashBytes;
  }
  return { node: new TreeNode(out), hash: digest(input.subarray(0, 3 + count * hashBytes)) };
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
  const bytes = (depth + 1) >> 1;
  const key = new Uint8Array(10 + bytes);
  key[0] = prefixes.treeNode;
  writeU64(key, 1, version);
  key[9] = depth;
  for (let i = 0; i < bytes; i++) key[10 + i] = path[i] as number;
  if ((depth & 1) === 1) key[9 + bytes] = (key[9 + bytes] as number) & 0xf0;
  return key;
}

/** A value record's database key (table 0x24): the version that wrote the value, then SHA-256 of the key. */
export function valueKey(version: number, keyHash: Uint8Array): Uint8Array {
  const key = new Uint8Array(9 + hashBytes);
  key[0] = prefixes.treeValue;
  writeU64(key, 1, version);
  key.set(keyHash, 9);
  return key;
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
