import { hashBytes } from '@joule/consensus';
import { treeRadix } from '../constants.js';
import { StoreCorruptionError } from '../errors.js';
import { prefixes } from '../keys.js';

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

/** An internal node: 16 slots (nibble 0..15 of the key hash at the node's depth), each empty, a leaf or a node. */
export interface TreeNode {
  readonly slots: readonly (Slot | undefined)[];
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

/**
 * Binary layout: occupied map (u16, slot 0 the most significant bit) ‖ leaf map (u16) ‖ for each
 * occupied slot in order: hash ‖ (a leaf's) keyHash ‖ version (unsigned LEB128: 3 bytes below
 * 2 097 152, at most 8 for a safe integer).
 */
export function encodeNode(node: TreeNode): Uint8Array {
  let occupied = 0;
  let leaves = 0;
  let size = 4;
  for (let n = 0; n < treeRadix; n++) {
    const slot = node.slots[n];
    if (slot === undefined) continue;
    occupied |= 0x8000 >>> n;
    if (slot.leaf) leaves |= 0x8000 >>> n;
    size += slotBytes(slot);
  }
  const out = new Uint8Array(size);
  out[0] = occupied >>> 8;
  out[1] = occupied & 0xff;
  out[2] = leaves >>> 8;
  out[3] = leaves & 0xff;
  let at = 4;
  for (let n = 0; n < treeRadix; n++) {
    const slot = node.slots[n];
    if (slot !== undefined) at = writeSlot(out, at, slot);
  }
  return out;
}

export function decodeNode(bytes: Uint8Array): TreeNode {
  if (bytes.length < 4) throw new StoreCorruptionError('truncated tree node', { length: bytes.length });
  const occupied = ((bytes[0] as number) << 8) | (bytes[1] as number);
  const leaves = ((bytes[2] as number) << 8) | (bytes[3] as number);
  if ((leaves & ~occupied) !== 0) throw new StoreCorruptionError('bad tree node maps');
  const slots: (Slot | undefined)[] = new Array(treeRadix).fill(undefined);
  const reader = { at: 4 };
  for (let n = 0; n < treeRadix; n++) {
    const bit = 0x8000 >>> n;
    if ((occupied & bit) !== 0) slots[n] = readSlot(bytes, reader, (leaves & bit) !== 0);
  }
  if (reader.at !== bytes.length) throw new StoreCorruptionError('trailing bytes after tree node');
  return { slots };
}

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
  let version = 0;
  let scale = 1;
  let at = end;
  for (let i = 0; ; i++) {
    const byte = bytes[at++];
    if (byte === undefined || i === 8) throw new StoreCorruptionError('bad version in tree node');
    version += (byte & 0x7f) * scale;
    scale *= 0x80;
    if (byte < 0x80) break;
  }
  reader.at = at;
  if (!leaf) return { leaf: false, hash, version };
  return { leaf: true, keyHash: bytes.subarray(start + hashBytes, end), hash, version };
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
