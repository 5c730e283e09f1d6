import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckTxRequest, CheckTxResponse } from '../app/application.js';
import { MempoolError, type MempoolErrorCode } from './errors.js';
import { Mempool } from './mempool.js';

const limits = { maxTxs: 5, maxBytes: 100, maxTxBytes: 40, cacheSize: 6 };
const refusals: readonly MempoolErrorCode[] = ['TX_TOO_LARGE', 'MEMPOOL_FULL', 'TX_IN_CACHE', 'TX_REJECTED'];

/** tx = [id, filler…]; gas = id % 4 + 1; id % 7 = 3 never passes; a recheck fails when (id + height) % 5 = 0. */
const makeTx = (id: number, size: number): Uint8Array => {
  const tx = new Uint8Array(size).fill(0xee);
  tx[0] = id;
  return tx;
};
const gasOf = (tx: Uint8Array): number => ((tx[0] as number) % 4) + 1;

type Op =
  | { kind: 'add'; id: number; size: number }
  | { kind: 'update'; picks: number[]; stranger: boolean }
  | { kind: 'reap'; maxBytes: number; maxGas: number };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      id: fc.integer({ min: 0, max: 20 }),
      size: fc.integer({ min: 1, max: 45 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      picks: fc.array(fc.nat(9), { maxLength: 4 }),
      stranger: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('reap' as const),
      maxBytes: fc.integer({ min: -1, max: 120 }),
      maxGas: fc.integer({ min: -1, max: 20 }),
    }),
  },
);

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('Mempool under random concurrent add/update/reap', () => {
  it('never exceeds its bounds, reaps FIFO prefixes within limits, and refuses only with its codes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(arbOp, { minLength: 1, maxLength: 4 }), { maxLength: 25 }),
        async (groups) => {
          let height = 0;
          const app = {
            checkTx: async ({ tx, kind }: CheckTxRequest): Promise<CheckTxResponse> => {
              const id = tx[0] as number;
              const bad = id % 7 === 3 || (kind === 'recheck' && (id + height) % 5 === 0);
              return { code: bad ? 1 : 0, codespace: bad ? 'TEST' : '', log: '', gasWanted: gasOf(tx) };
            },
          };
          const mp = new Mempool(limits, { app });
          const checkBounds = (when: string) => {
            const all = mp.reap(-1, -1);
            expect(mp.size(), `count bound ${when}`).toBeLessThanOrEqual(limits.maxTxs);
            expect(mp.bytes(), `byte bound ${when}`).toBeLessThanOrEqual(limits.maxBytes);
            expect(all.length, `size() agrees with contents ${when}`).toBe(mp.size());
            expect(sum(all.map((t) => t.length)), `bytes() agrees with contents ${when}`).toBe(mp.bytes());
          };
          for (const group of groups) {
            const running: Promise<unknown>[] = [];
            let lastCommitted: Uint8Array[] | null = null;
            for (const op of group) {
              if (op.kind === 'add') {
                lastCommitted = null;
                running.push(
                  mp.add(makeTx(op.id, op.size)).catch((error: unknown) => {
                    expect(error, 'refusals are MempoolErrors').toBeInstanceOf(MempoolError);
                    expect(refusals, 'refusal code').toContain((error as MempoolError).code);
                  }),
                );
              } else if (op.kind === 'update') {
                const held = mp.reap(-1, -1);
                const committed = op.picks.flatMap((i) => (held[i] === undefined ? [] : [held[i]]));
                if (op.stranger) committed.push(makeTx(200, 3));
                lastCommitted = committed;
                height += 1;
                running.push(mp.update(height, committed));
              } else {
                const all = mp.reap(-1, -1);
                const got = mp.reap(op.maxBytes, op.maxGas);
                expect(all.slice(0, got.length), 'reap is a FIFO prefix').toEqual(got);
                const bytes = sum(got.map((t) => t.length));
                const gas = sum(got.map(gasOf));
                if (op.maxBytes >= 0) expect(bytes, 'reap byte limit').toBeLessThanOrEqual(op.maxBytes);
                if (op.maxGas >= 0) expect(gas, 'reap gas limit').toBeLessThanOrEqual(op.maxGas);
                const next = all[got.length];
                if (next !== undefined) {
                  const fitsBytes = op.maxBytes < 0 || bytes + next.length <= op.maxBytes;
                  const fitsGas = op.maxGas < 0 || gas + gasOf(next) <= op.maxGas;
                  expect(fitsBytes && fitsGas, 'reap stops only at a tx that does not fit').toBe(false);
                }
              }
              checkBounds('while operations run');
            }
            await Promise.all(running);
            checkBounds('after a group settles');
            for (const tx of lastCommitted ?? []) {
              expect(mp.reap(-1, -1), 'a committed tx is gone after update').not.toContainEqual(tx);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
