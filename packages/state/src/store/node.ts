import { hashBytes } from '@joule/consensus';
import { StoreCorruptionError } from '../errors.js';
import { concatBytes, readU64, u64 } from '../keys.js';

/** A pointer from a parent (or a version's root record) to a child node. */
export interface NodeRef {
  /** Version that wrote the child; with the child's position it names the child's node key. */
  readonly version: number;
  readonly hash: Uint8Array;
  readonly leaf: boolean;
}

export interface LeafNode {
  readonly kind: 'leaf';
  readonly keyHash: Uint8Array;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface InternalNode {
  readonly kind: 'internal';
  readonly left: NodeRef | null;
  readonly right: NodeRef | null;
}

export type TreeNode = LeafNode | InternalNode;

/**
 * A node's key: the version that wrote it, its depth and the first `depth` bits of its path (bits
 * past the depth are zero). Nodes are never rewritten in place: a change writes new nodes under the
 * new version, and the replaced ones are recorded as stale for pruning (as Jellyfish Merkle trees).
 */
export function nodeKey(version: number, depth: number, path: Uint8Array): Uint8Array {
  const bytes = (depth + 7) >> 3;
  const key = new Uint8Array(10 + bytes);
  const high = Math.floor(version / 0x1_0000_0000);
  const low = version >>> 0;
  key[0] = high >>> 24;
  key[1] = (high >>> 16) & 0xff;
  key[2] = (high >>> 8) & 0xff;
  key[3] = high & 0xff;
  key[4] = low >>> 24;
  key[5] = (low >>> 16) & 0xff;
  key[6] = (low >>> 8) & 0xff;
  key[7] = low & 0xff;
  key[8] = depth >> 8;
  key[9] = depth & 0xff;
  for (let i = 0; i < bytes; i++) key[10 + i] = path[i] as number;
  if ((depth & 7) !== 0) key[9 + bytes] = (key[9 + bytes] as number) & (0xff << (8 - (depth & 7)));
  return key;
}

const LEAF = 0x00;
const INTERNAL = 0x01;

/** Binary layout: leaf = 0x00 ‖ keyHash ‖ u16 key length ‖ key ‖ value; internal = 0x01 ‖ flags ‖ children. */
export function encodeNode(node: TreeNode): Uint8Array {
  if (node.kind === 'leaf') {
    const length = new Uint8Array([node.key.length >> 8, node.key.length & 0xff]);
    return concatBytes(new Uint8Array([LEAF]), node.keyHash, length, node.key, node.value);
  }
  return concatBytes(new Uint8Array([INTERNAL]), encodeChildren(node.left, node.right));
}

export function decodeNode(bytes: Uint8Array): TreeNode {
  if (bytes[0] === LEAF && bytes.length >= 1 + hashBytes + 2) {
    const keyLength = ((bytes[1 + hashBytes] as number) << 8) | (bytes[2 + hashBytes] as number);
    const keyStart = 3 + hashBytes;
    if (keyStart + keyLength <= bytes.length) {
      return {
        kind: 'leaf',
        keyHash: bytes.subarray(1, 1 + hashBytes),
        key: bytes.subarray(keyStart, keyStart + keyLength),
        value: bytes.subarray(keyStart + keyLength),
      };
    }
  }
  if (bytes[0] === INTERNAL) {
    const [left, right] = decodeChildren(bytes.subarray(1));
    return { kind: 'internal', left, right };
  }
  throw new StoreCorruptionError('undecodable tree node', { length: bytes.length });
}

const REF_BYTES = 8 + hashBytes;

/** flags (bit 0/1: left present/leaf, bit 2/3: right present/leaf) ‖ each present ref: u64 version ‖ hash. */
export function encodeChildren(left: NodeRef | null, right: NodeRef | null): Uint8Array {
  const flags = flagsOf(left) | (flagsOf(right) << 2);
  const parts: Uint8Array[] = [new Uint8Array([flags])];
  for (const ref of [left, right]) if (ref !== null) parts.push(u64(ref.version), ref.hash);
  return concatBytes(...parts);
}

export function decodeChildren(bytes: Uint8Array): [NodeRef | null, NodeRef | null] {
  const flags = bytes[0];
  if (flags === undefined || flags > 0x0f) throw new StoreCorruptionError('bad tree node flags');
  let at = 1;
  const read = (bits: number): NodeRef | null => {
    if ((bits & 1) === 0) return null;
    if (at + REF_BYTES > bytes.length) throw new StoreCorruptionError('truncated tree node');
    const ref = {
      version: readU64(bytes, at),
      hash: bytes.subarray(at + 8, at + REF_BYTES),
      leaf: (bits & 2) !== 0,
    };
    at += REF_BYTES;
    return ref;
  };
  const left = read(flags & 3);
  const right = read(flags >> 2);
  if (at !== bytes.length) throw new StoreCorruptionError('trailing bytes after tree node');
  return [left, right];
}

function flagsOf(ref: NodeRef | null): number {
  return ref === null ? 0 : ref.leaf ? 3 : 1;
}

/** A version's root record: the root reference, or no bytes for an empty tree. */
export function encodeRoot(ref: NodeRef | null): Uint8Array {
  return ref === null ? new Uint8Array(0) : encodeChildren(ref, null);
}

export function decodeRoot(bytes: Uint8Array): NodeRef | null {
  return bytes.length === 0 ? null : decodeChildren(bytes)[0];
}
