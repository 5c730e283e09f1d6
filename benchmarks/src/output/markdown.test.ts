import { describe, expect, it } from 'vitest';
import { type Figure, figure, targets } from '../report.js';
import { escapeCell, figureTable, formatNumber, markdown, rowTables } from './markdown.js';

const rss = (measured: number | null): Figure => figure(targets.rssValidator, measured);

describe('figureTable', () => {
  it('marks a met target ✓, a missed one ✗ and a missing measurement or target —', () => {
    const lines = figureTable([
      rss(48.2),
      rss(71),
      rss(null),
      figure({ name: 'blocks per hour', unit: 'blocks', paper: null, target: null }, 3600),
    ]).split('\n');
    expect(lines[0], 'header').toMatch(/^\| figure +\| paper +\| Joule target +\| measured +\| ✓\/✗ \|$/);
    expect(lines[1], 'separator').toMatch(/^\|[-| ]+\|$/);
    expect(lines[2], 'met').toContain('48.2 MB');
    expect(lines[2]?.trimEnd().endsWith('| ✓   |'), `met: ${lines[2]}`).toBe(true);
    expect(lines[3]?.trimEnd().endsWith('| ✗   |'), `missed: ${lines[3]}`).toBe(true);
    expect(lines[4], 'not measured').toContain('not measured');
    expect(lines[4]?.trimEnd().endsWith('| —   |'), `not measured: ${lines[4]}`).toBe(true);
    expect(lines[5]?.trimEnd().endsWith('| —   |'), `no target: ${lines[5]}`).toBe(true);
    expect(lines[5], 'no paper value').toContain('| —');
  });

  it('checks every comparator at its boundary', () => {
    const at = (op: '<' | '<=' | '>' | '>=', measured: number) =>
      figureTable([
        figure({ name: 'x', unit: 'u', paper: null, target: { text: `${op} 10`, op, value: 10 } }, measured),
      ]).includes('✓   |');
    expect([at('<=', 10), at('<', 10), at('>=', 10), at('>', 10)], '<=, <, >=, > at 10').toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([at('<', 9.9), at('>', 10.1)], '<, > just inside').toEqual([true, true]);
  });

  it('escapes | and folds line breaks, so a cell cannot break the table', () => {
    const text = figureTable([figure({ name: 'a | b\nc', unit: 'B|s', paper: 'x|y', target: null }, 1)]);
    const row = text.split('\n')[2] ?? '';
    expect(row, 'escaped pipes').toContain('a \\| b c');
    expect(row, 'escaped unit').toContain('1 B\\|s');
    expect(row.replace(/\\\|/g, '').split('|').length - 1, 'five columns, six bars').toBe(6);
    expect(escapeCell('a\\|b'), 'a backslash before a pipe').toBe('a\\\\\\|b');
  });
});

describe('rowTables', () => {
  it('starts a new table when the columns change', () => {
    const tables = rowTables([
      { name: 'a', ms: 1 },
      { name: 'b', ms: 2 },
      { scenario: 'c', MiB: 3 },
    ]);
    expect(tables.length, 'two tables').toBe(2);
    expect(tables[0]?.split('\n').length, 'header, separator, two rows').toBe(4);
    expect(tables[1], 'second table header').toMatch(/^\| scenario \| MiB \|/);
  });
});

describe('markdown', () => {
  it('has the environment, the figures, the rows and the plot links', () => {
    const md = markdown(
      { suite: 'micro', rows: [{ name: 'x', v: 1 }], figures: [rss(10)] },
      { node: '26.10.0', arch: 'x64' },
      ['micro-memory.svg'],
    );
    for (const part of [
      '# micro',
      'node=26.10.0 · arch=x64',
      '## Figures',
      '## Measurements',
      '](micro-memory.svg)',
    ])
      expect(md, part).toContain(part);
  });

  it('stays a rows-only document for suites without figures', () => {
    const md = markdown({ suite: 'store', rows: [{ name: 'x', v: 1 }] }, {});
    expect(md, 'no figures section').not.toContain('## Figures');
    expect(md, 'rows').toContain('| name | v   |');
  });
});

describe('formatNumber', () => {
  it('groups thousands and keeps three significant digits below 100', () => {
    expect(
      [2000, 1234567.8, 48.23, 0.01234, 7].map(formatNumber),
      '2000, 1234567.8, 48.23, 0.01234, 7',
    ).toEqual(['2 000', '1 234 568', '48.2', '0.0123', '7']);
  });
});
