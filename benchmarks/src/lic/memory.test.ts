import { describe, expect, it } from 'vitest';
import { fileReferencedOf } from './memory.js';

describe('working set from smaps', () => {
  it('counts referenced file pages once, not the anonymous pages of a mapping', () => {
    const smaps = [
      '00400000-00500000 r-xp 00000000 08:01 1 /usr/bin/node',
      'Rss:                 800 kB',
      'Referenced:          300 kB',
      'Anonymous:             0 kB',
      '00600000-00700000 rw-p 00000000 08:01 1 /usr/bin/node',
      'Referenced:           40 kB',
      'Anonymous:            30 kB',
      '7f0000000000-7f0000100000 rw-p 00000000 00:00 0',
      'Referenced:          500 kB',
      'Anonymous:           900 kB',
    ].join('\n');
    expect(fileReferencedOf(smaps)).toBe((300 + 10) * 1024);
  });
});
