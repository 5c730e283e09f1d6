import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEvidenceExpired } from './verify.js';
import { evidenceWindowBase } from './window.js';

describe('evidenceWindowBase', () => {
  it('is the first height not expired, by either bound (1 s blocks, then a 100 s stall)', async () => {
    // Heights 1..50 one second apart, then 51..60 one second apart after a 100 s stall.
    const timeOf = (h: number) => h * 1_000 + (h > 50 ? 100_000 : 0);
    const timeAt = async (h: number) => timeOf(h);
    const tip = (height: number) => ({ height, time: timeOf(height) });
    const age = { maxAgeBlocks: 10, maxAgeMs: 20_000 };
    expect(await evidenceWindowBase(age, tip(30), 1, timeAt), 'both bounds at 30: 10 blocks, 20 s').toBe(10);
    expect(await evidenceWindowBase(age, tip(51), 1, timeAt), 'after the stall: the block bound').toBe(41);
    const slow = { maxAgeBlocks: 10, maxAgeMs: 200_000 };
    expect(await evidenceWindowBase(slow, tip(60), 1, timeAt), 'the time bound keeps all').toBe(1);
    expect(await evidenceWindowBase(age, tip(5), 3, timeAt), 'never below `from`').toBe(3);
  });

  it('property: equals a linear scan of isEvidenceExpired, with O(log n) reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: 1, max: 50 }),
        async (gaps, maxAgeBlocks, maxAgeMs, fromPick) => {
          const times = [0];
          for (const gap of gaps) times.push((times.at(-1) as number) + gap);
          const top = times.length - 1;
          const from = Math.min(fromPick, top);
          const tip = { height: top, time: times[top] as number };
          const age = { maxAgeBlocks, maxAgeMs };
          let reads = 0;
          const base = await evidenceWindowBase(age, tip, from, async (h) => {
            reads++;
            return times[h] as number;
          });
          let want = from;
          while (want < top && isEvidenceExpired(age, tip, want, times[want] as number)) want++;
          expect(base, 'the first height not expired').toBe(want);
          expect(reads, 'galloping, then binary search').toBeLessThanOrEqual(
            2 * Math.ceil(Math.log2(top + 1)) + 2,
          );
          const moved = base - from;
          if (moved <= 2) expect(reads, `moved ${moved}: a few reads`).toBeLessThanOrEqual(3);
        },
      ),
      { seed: 14, numRuns: 300 },
    );
  });
});
