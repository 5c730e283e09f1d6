import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './suggest.js';

describe('did you mean', () => {
  it('counts edits, a transposition as one', () => {
    expect(editDistance('start', 'start')).toBe(0);
    expect(editDistance('strat', 'start')).toBe(1);
    expect(editDistance('stat', 'start')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the only word a prefix begins, else the closest within a third of the length', () => {
    const commands = ['init', 'start', 'status', 'stop', 'keys', 'query'];
    expect(closest('stat', commands), 'a prefix of one command').toBe('status');
    expect(closest('strat', commands)).toBe('start');
    expect(closest('qeury', commands)).toBe('query');
    expect(closest('frobnicate', commands), 'nothing close').toBeUndefined();
    expect(closest('st', commands), 'too short to guess').toBeUndefined();
    expect(didYouMean('--hom', ['--home', '--node'], '')).toBe(' (did you mean --home?)');
    expect(didYouMean('zzz', ['--home'])).toBe('');
  });
});
