import { describe, expect, it } from 'vitest';
import { EmptyRanges } from './empty-ranges.js';

const b = (s: string) => new TextEncoder().encode(s);

describe('EmptyRanges', () => {
  it('a written key ends the ranges it falls in, overlapping or not, and only those', () => {
    const ranges = new EmptyRanges(16);
    ranges.add(b('t/'), undefined);
    ranges.add(b('t/a'), undefined);
    ranges.add(b('t/'), b('t/m'));
    ranges.add(b('u/'), undefined);
    ranges.add(b(''), b('z'));
    expect(ranges.size).toBe(5);
    ranges.fill(b('t/b'));
    expect(ranges.has(b('t/'), undefined), "'t/b' has the prefix").toBe(false);
    expect(ranges.has(b('t/a'), undefined), "'t/b' lacks 't/a'").toBe(true);
    expect(ranges.has(b('t/'), b('t/m')), "'t/b' is not after 't/m'").toBe(true);
    ranges.fill(b('t/m'));
    expect(ranges.has(b('t/'), b('t/m')), "'t/m' itself is not after 't/m'").toBe(true);
    ranges.fill(b('t/mm'));
    expect(ranges.has(b('t/'), b('t/m'))).toBe(false);
    expect(ranges.has(b('u/'), undefined)).toBe(true);
    ranges.fill(b('zz'));
    expect(ranges.has(b(''), b('z')), 'the empty prefix holds every key after z').toBe(false);
    ranges.fill(b('t/a'));
    expect(ranges.has(b('t/a'), undefined), 'a key equal to the prefix has it').toBe(false);
    expect(ranges.size).toBe(1);
    ranges.fill(b('u'));
    expect(ranges.has(b('u/'), undefined), 'a key shorter than the prefix').toBe(true);
  });

  it('forgets the oldest range beyond its bound, and all on clear', () => {
    const ranges = new EmptyRanges(2);
    ranges.add(b('a'), undefined);
    ranges.add(b('b'), undefined);
    ranges.add(b('a'), undefined);
    ranges.add(b('c'), undefined);
    expect([
      ranges.has(b('a'), undefined),
      ranges.has(b('b'), undefined),
      ranges.has(b('c'), undefined),
    ]).toEqual([false, true, true]);
    // The forgotten range no longer answers a fill (no stale index entry).
    ranges.fill(b('a1'));
    ranges.fill(b('b1'));
    expect(ranges.size).toBe(1);
    ranges.clear();
    expect(ranges.size).toBe(0);
    expect(ranges.has(b('c'), undefined)).toBe(false);
    const none = new EmptyRanges(0);
    none.add(b('a'), undefined);
    expect(none.has(b('a'), undefined)).toBe(false);
  });
});
