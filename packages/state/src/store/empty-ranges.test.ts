import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmptyRanges } from './empty-ranges.js';

const b = (s: string) => new TextEncoder().encode(s);

describe('EmptyRanges', () => {
  it('a gap answers every range inside it, and a written key splits it around itself', () => {
    const gaps = new EmptyRanges(16);
    gaps.add(b('t/a'), b('u/1'));
    expect(gaps.covers(b('t/a'), b('t/b')), 'the listed range').toBe(true);
    expect(gaps.covers(b('t/x'), b('t/y')), 'a later part of the gap').toBe(true);
    expect(gaps.covers(b('t/x'), b('u/1')), 'up to the key past it').toBe(true);
    expect(gaps.covers(b('t/x'), b('u/2')), 'the key past the gap may be there').toBe(false);
    expect(gaps.covers(b('t/'), b('t/b')), 'from before the gap').toBe(false);
    expect(gaps.covers(b('t/x'), null), 'no upper bound').toBe(false);
    gaps.fill(b('t/m'));
    expect(gaps.size).toBe(2);
    expect(gaps.covers(b('t/m'), b('t/n')), 'the written key').toBe(false);
    expect(gaps.covers(b('t/a'), b('t/m')), 'below the written key').toBe(true);
    expect(gaps.covers(b('t/m\u0000'), b('u/1')), 'above it').toBe(true);
    gaps.fill(b('u/1'));
    gaps.fill(b('s'));
    expect(gaps.size, 'keys outside every gap change nothing').toBe(2);
    gaps.fill(b('t/a'));
    expect(gaps.covers(b('t/a'), b('t/b'))).toBe(false);
    expect(gaps.covers(b('t/a\u0000'), b('t/m'))).toBe(true);
  });

  it('overlapping and touching gaps merge; a gap without an end holds every later key', () => {
    const gaps = new EmptyRanges(16);
    gaps.add(b('c'), b('e'));
    gaps.add(b('a'), b('b'));
    gaps.add(b('b'), b('c'));
    expect(gaps.size).toBe(1);
    expect(gaps.covers(b('a'), b('e'))).toBe(true);
    gaps.add(b('d'), null);
    expect(gaps.size).toBe(1);
    expect(gaps.covers(b('a'), null)).toBe(true);
    gaps.fill(b('zzz'));
    expect(gaps.covers(b('zzz\u0000'), null)).toBe(true);
    expect(gaps.covers(b('z'), b('zzz\u0000'))).toBe(false);
    gaps.add(b('b'), b('b'));
    expect(gaps.size, 'an empty interval is not a gap').toBe(2);
  });

  it('forgets the least recently used gap beyond its bound, ends a gap a write would split when full, and forgets all on clear', () => {
    const gaps = new EmptyRanges(2);
    gaps.add(b('a'), b('b'));
    gaps.add(b('c'), b('d'));
    expect(gaps.covers(b('a'), b('b'))).toBe(true);
    gaps.add(b('e'), b('f'));
    expect([gaps.covers(b('a'), b('b')), gaps.covers(b('c'), b('d')), gaps.covers(b('e'), b('f'))]).toEqual([
      true,
      false,
      true,
    ]);
    gaps.fill(b('a1'));
    expect(gaps.size).toBe(1);
    expect(gaps.covers(b('a'), b('a1'))).toBe(false);
    gaps.clear();
    expect(gaps.size).toBe(0);
    expect(gaps.covers(b('e'), b('f'))).toBe(false);
    const none = new EmptyRanges(0);
    none.add(b('a'), b('b'));
    expect(none.covers(b('a'), b('b'))).toBe(false);
  });

  it('never answers a range that holds a key of a model set, whatever the adds and writes', () => {
    // Keys over a 3-letter alphabet, 0..3 long; a gap is added only where the model holds no key.
    const key = fc.array(fc.constantFrom(0x61, 0x62, 0x63), { maxLength: 3 }).map((a) => Uint8Array.from(a));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), lo: key, hi: fc.option(key) }),
      fc.record({ kind: fc.constant('put' as const), key }),
      fc.record({ kind: fc.constant('del' as const), key }),
      fc.record({ kind: fc.constant('ask' as const), lo: key, hi: fc.option(key) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 6 }), (ops, max) => {
        const gaps = new EmptyRanges(max);
        const held = new Set<string>();
        const id = (k: Uint8Array) => Buffer.from(k).toString('latin1');
        const anyIn = (lo: Uint8Array, hi: Uint8Array | null) =>
          [...held].some((k) => {
            const kb = Buffer.from(k, 'latin1');
            return Buffer.compare(kb, lo) >= 0 && (hi === null || Buffer.compare(kb, hi) < 0);
          });
        for (const o of ops) {
          if (o.kind === 'add') {
            if (!anyIn(o.lo, o.hi)) gaps.add(o.lo, o.hi);
          } else if (o.kind === 'put') {
            gaps.fill(o.key);
            held.add(id(o.key));
          } else if (o.kind === 'del') {
            held.delete(id(o.key));
          } else if (gaps.covers(o.lo, o.hi)) {
            expect(anyIn(o.lo, o.hi)).toBe(false);
          }
          expect(gaps.size).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 500 },
    );
  });
});
