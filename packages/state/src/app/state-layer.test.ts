import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreLimitError } from '../errors.js';
import { bytesId } from '../keys.js';
import { StateLayer, type StateReader } from './state-layer.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function reader(map: Map<string, Uint8Array>): StateReader {
  const sorted = () => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    get: async (key) => map.get(hex(key)),
    entries: async (prefix, limit) =>
      sorted()
        .filter(([k]) => k.startsWith(hex(prefix)))
        .slice(0, limit)
        .map(([k, v]) => [Buffer.from(k, 'hex'), v] as [Uint8Array, Uint8Array]),
  };
}

describe('StateLayer', () => {
  it('iterates the merge of its writes over its parent, in key order, within the limit', async () => {
    const op = fc.tuple(fc.nat(30), fc.option(fc.nat(255)));
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 30 }),
        fc.array(op, { maxLength: 30 }),
        fc.integer({ min: 1, max: 40 }),
        async (base, writes, limit) => {
          const committed = new Map<string, Uint8Array>();
          for (const [k, v] of base)
            if (v !== null) committed.set(hex(new Uint8Array([1, k])), new Uint8Array([v]));
          const model = new Map(committed);
          const layer = new StateLayer(reader(committed));
          for (const [k, v] of writes) {
            const key = new Uint8Array([1, k]);
            if (v === null) {
              layer.delete(key);
              model.delete(hex(key));
            } else {
              layer.set(key, new Uint8Array([v]));
              model.set(hex(key), new Uint8Array([v]));
            }
          }
          const expected = [...model].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, limit);
          const got = await layer.entries(new Uint8Array([1]), limit);
          expect(got.map(([k, v]) => [hex(k), v])).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("moves a flushed layer's writes into its target: last write wins, order kept, maxKeys held", async () => {
    const block = new StateLayer(reader(new Map()), 3);
    block.set(new Uint8Array([1]), new Uint8Array([10]));
    const tx = new StateLayer(block);
    const value = new Uint8Array([20]);
    tx.set(new Uint8Array([2]), value);
    tx.set(new Uint8Array([1]), new Uint8Array([11]));
    tx.delete(new Uint8Array([3]));
    value[0] = 99; // the layer copied it when it was set
    expect(tx.fitsInto(block)).toBe(true);
    tx.flushInto(block);
    expect(tx.size).toBe(0);
    expect(block.changes().map(([k, v]) => [hex(k), v === null ? null : hex(v)])).toEqual([
      ['01', '0b'],
      ['02', '14'],
      ['03', null],
    ]);
    expect(await block.get(new Uint8Array([2]))).toEqual(new Uint8Array([20]));
    const over = new StateLayer(block);
    over.set(new Uint8Array([4]), new Uint8Array([1]));
    expect(over.fitsInto(block)).toBe(false);
    expect(() => over.flushInto(block)).toThrow(StoreLimitError);
  });
});

describe('bytesId', () => {
  it('is the latin1 string of the bytes, short or long', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const bytes of [
      new Uint8Array(0),
      all,
      new Uint8Array(1024).fill(0xe9),
      new Uint8Array(5000).fill(7),
    ])
      expect(bytesId(bytes)).toBe(Buffer.from(bytes).toString('latin1'));
    expect(bytesId(all.subarray(250, 253))).toBe('\xfa\xfb\xfc');
  });
});
