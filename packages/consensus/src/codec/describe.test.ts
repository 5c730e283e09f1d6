import { describe, expect, it } from 'vitest';
import { address } from './fields.js';
import {
  bigint,
  bool,
  bytes,
  i64,
  int,
  list,
  nullable,
  oneOf,
  refine,
  string,
  struct,
  uint,
} from './schema.js';

describe('codec descriptions (what help texts and forms list)', () => {
  it('describes each built-in codec in a few words', () => {
    expect(uint().describe).toBe('integer ≥ 0');
    expect(int().describe).toBe('integer');
    expect(int(1, 10).describe).toBe('integer 1..10');
    expect(bigint().describe).toBe('integer ≥ 0 (64-bit)');
    expect(i64.describe).toBe('integer (64-bit)');
    expect(address.describe).toBe('20 bytes');
    expect(bytes({ max: 64 }).describe).toBe('0..64 bytes');
    expect(string(32).describe).toBe('string ≤ 32 characters');
    expect(bool.describe).toBe('boolean');
    expect(oneOf([1, 2]).describe).toBe('one of 1|2');
    expect(nullable(uint()).describe).toBe('integer ≥ 0 or null');
    expect(list(string(8), 4).describe).toBe('list of ≤ 4 string ≤ 8 characters');
  });

  it("lists a struct's fields in wire order, through a refinement too", () => {
    const inner = nullable(uint());
    const codec = refine(
      struct<{ b: string; a: number | null }>('S', { b: string(4), a: inner }),
      () => undefined,
    );
    expect(Object.keys(codec.fields ?? {})).toEqual(['b', 'a']);
    expect(codec.fields?.a?.kind).toBe('nullable');
    expect(codec.fields?.a?.inner?.describe).toBe('integer ≥ 0');
    expect(codec.describe).toBe('S');
  });
});
