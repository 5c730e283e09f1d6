import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textKey } from './state.js';

const utf8 = new TextEncoder();

describe('textKey', () => {
  it("gives TextEncoder's bytes for any string: ASCII, past U+007F, lone surrogates, short and long", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(textKey(text)).toEqual(utf8.encode(text));
      }),
      { numRuns: 2_000 },
    );
    for (const text of [
      '',
      'uect',
      'm63',
      'min_new_account',
      'kWh·h',
      'é',
      '\u007f',
      '\u0080',
      'a'.repeat(64),
      'a'.repeat(65),
      `${'a'.repeat(63)}é`,
    ])
      expect(textKey(text), JSON.stringify(text)).toEqual(utf8.encode(text));
  });

  it('returns a new array each call: a caller that writes into one key does not change the next', () => {
    const a = textKey('uect');
    a.fill(0);
    expect(textKey('uect')).toEqual(utf8.encode('uect'));
  });
});
