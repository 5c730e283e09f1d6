import { uint } from '@joule/consensus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreLimitError } from '../errors.js';
import { bytesId } from '../keys.js';
import { GasMeter } from './gas.js';
import { MeteredState, ModuleState, StoreKey, Table } from './state.js';
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

describe('reads answered from a cache', () => {
  /** `reader` over `map` that also knows, synchronously, the keys of `known` (absent ones as null). */
  function caching(map: Map<string, Uint8Array>, known: ReadonlySet<string>): StateReader {
    return {
      ...reader(map),
      cached: (key, id) => {
        expect(id, 'the id handed down is the key').toBe(bytesId(key));
        return known.has(hex(key)) ? (map.get(hex(key)) ?? null) : undefined;
      },
    };
  }
  const keys = new Map([['m', new StoreKey('m')]]);
  const table = new Table('m', 't', (k: number) => new Uint8Array([k]), uint());
  /** Module `m`'s state over `layer`, metered by `gas`. */
  const scoped = (layer: StateLayer, gas = new GasMeter(1e9)) =>
    new ModuleState(new MeteredState(layer, gas), 'm', keys);

  it('give the values, gas and out-of-gas of the reads that wait for the store', async () => {
    const step = fc.record({ key: fc.nat(7), write: fc.option(fc.nat(300)), viaTable: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(7), fc.nat(300)), { maxLength: 8 }),
        fc.array(fc.nat(7), { maxLength: 8 }),
        fc.array(step, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 3000 }),
        async (stored, cachedKeys, steps, limit) => {
          // The committed values, as the table encodes them, under the application's full keys.
          const setup = new StateLayer(reader(new Map()));
          for (const [k, v] of stored) table.set(scoped(setup), k, v);
          const committed = new Map<string, Uint8Array>();
          for (const [key, value] of setup.changes()) if (value !== null) committed.set(hex(key), value);
          const run = async (known: ReadonlySet<string>) => {
            const gas = new GasMeter(limit);
            const state = scoped(new StateLayer(new StateLayer(caching(committed, known))), gas);
            const seen: unknown[] = [];
            for (const s of steps) {
              try {
                if (s.write !== null) table.set(state, s.key, s.write);
                else if (s.viaTable) seen.push(await table.get(state, s.key));
                // The same key through the module's state: its table prefix, then the key.
                else seen.push(await state.get(table.key(s.key).subarray(2)));
              } catch (error) {
                seen.push(`refused: ${(error as { code?: string }).code}`);
                break;
              }
            }
            return { seen, gas: gas.used };
          };
          const cold = await run(new Set());
          const warm = await run(new Set(cachedKeys.map((k) => hex(table.key(k)))));
          expect(warm, 'a read answered from the cache is the read it replaces').toEqual(cold);
        },
      ),
      { numRuns: 300 },
    );
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
