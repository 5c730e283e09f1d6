import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
});
