import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeHash } from './hashing.js';
import {
  decodeNode,
  decodeRoot,
  encodeNode,
  encodeRoot,
  makeNode,
  nodeKey,
  placeOf,
  placeOfKey,
  type Slot,
  valueKey,
  versionOfKey,
} from './node.js';
import { decodeStaleList, StaleList } from './pruning.js';

const arbHash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const arbVersion = fc.oneof(fc.nat(200), fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER));
const arbSlot: fc.Arbitrary<Slot> = fc.oneof(
  fc.record({ leaf: fc.constant(false as const), hash: arbHash, version: arbVersion }),
  fc.record({ leaf: fc.constant(true as const), keyHash: arbHash, hash: arbHash, version: arbVersion }),
);
const arbNode: fc.Arbitrary<(Slot | undefined)[]> = fc.array(fc.option(arbSlot, { nil: undefined }), {
  minLength: 16,
  maxLength: 16,
});
const slotsOf = (bytes: Uint8Array) => {
  const node = decodeNode(bytes);
  return Array.from({ length: 16 }, (_, n) => node.slot(n));
};

describe('tree node codec', () => {
  it('round-trips nodes and root slots, versions up to 2^53 - 1', () => {
    fc.assert(
      fc.property(arbNode, (slots) => {
        expect(slotsOf(encodeNode(slots))).toEqual(slots);
      }),
    );
    fc.assert(
      fc.property(fc.option(arbSlot, { nil: null }), (root) => {
        expect(decodeRoot(encodeRoot(root))).toEqual(root);
      }),
    );
  });

  it('builds a node from another with some slots replaced: the same bytes and hash as from scratch', () => {
    fc.assert(
      fc.property(
        arbNode,
        fc.array(fc.option(fc.option(arbSlot, { nil: null }), { nil: undefined }), {
          minLength: 16,
          maxLength: 16,
        }),
        (slots, fresh) => {
          const base = decodeNode(encodeNode(slots));
          const merged = slots.map((s, n) => (fresh[n] === undefined ? s : (fresh[n] ?? undefined)));
          const { node, hash } = makeNode(base, fresh);
          expect(node.bytes).toEqual(encodeNode(merged));
          expect(hash).toEqual(nodeHash(merged));
          // The offsets makeNode lays out are the ones a parse finds.
          expect(Array.from({ length: 16 }, (_, n) => node.slot(n))).toEqual(slotsOf(node.bytes));
          expect(node.occupied).toBe(
            merged.reduce((m, s, n) => (s === undefined ? m : m | (0x8000 >>> n)), 0),
          );
        },
      ),
    );
  });

  it('refuses truncated, padded or inconsistent bytes with STORE_CORRUPT', () => {
    fc.assert(
      fc.property(arbNode, fc.nat(), (node, cut) => {
        const bytes = encodeNode(node);
        const short = bytes.subarray(0, cut % bytes.length);
        expect(() => decodeNode(short), `cut at ${short.length} of ${bytes.length}`).toThrow(
          expect.objectContaining({ code: 'STORE_CORRUPT' }),
        );
        expect(() => decodeNode(new Uint8Array([...bytes, 0]))).toThrow(
          expect.objectContaining({ code: 'STORE_CORRUPT' }),
        );
      }),
    );
    // A leaf bit on an empty slot.
    expect(() => decodeNode(new Uint8Array([0, 0, 0x80, 0]))).toThrow(
      expect.objectContaining({ code: 'STORE_CORRUPT' }),
    );
    // A version of nine LEB128 bytes.
    const long = new Uint8Array([0x80, 0, 0, 0, ...new Uint8Array(32), ...new Uint8Array(8).fill(0x80), 1]);
    expect(() => decodeNode(long)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
    expect(() => decodeRoot(new Uint8Array([2]))).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
  });

  it('keys a node by version, depth and exactly `depth` nibbles of its path', () => {
    const path = new Uint8Array(32).fill(0xab);
    expect([...nodeKey(258, 3, path)]).toEqual([0x20, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0xab, 0xa0]);
    expect([...nodeKey(1, 0, path)]).toEqual([0x20, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(nodeKey(7, 2, path).length).toBe(11);
  });

  it("names a node key's place and version as the tree names them, one place per depth and path", () => {
    fc.assert(
      fc.property(arbHash, fc.nat(64), arbVersion, (path, depth, version) => {
        const key = nodeKey(version, depth, path);
        expect(placeOfKey(key), `depth ${depth}`).toBe(placeOf(depth, path, 0));
        expect(versionOfKey(key)).toBe(version);
        expect(versionOfKey(valueKey(version, path))).toBe(version);
      }),
    );
    const places = new Set<unknown>();
    const path = new Uint8Array(32);
    for (let depth = 0; depth <= 64; depth++) {
      for (const byte of [0x00, 0x0f, 0xf0, 0xff]) places.add(placeOf(depth, path.fill(byte), 0));
    }
    // Depth 0 has one place; depth 1, 2 nibbles of 0/f each; from depth 2 on, four paths each.
    expect(places.size).toBe(1 + 2 + 63 * 4);
  });
});

describe('stale list', () => {
  it('lists node and value keys as their own encodings, growing as needed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), arbHash, fc.nat(64), arbVersion), { maxLength: 200 }),
        (items) => {
          const list = new StaleList();
          const keys = items.map(([node, path, depth, version]) => {
            if (node) list.node(version, depth, path);
            else list.value(version, path);
            return node ? nodeKey(version, depth, path) : valueKey(version, path);
          });
          expect(list.count).toBe(keys.length);
          expect(decodeStaleList(list.encoded())).toEqual(keys);
        },
      ),
      { numRuns: 50 },
    );
  });
});
