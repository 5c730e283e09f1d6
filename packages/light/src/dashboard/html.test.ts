import { describe, expect, it } from 'vitest';
import { billRowsHtml, escapeHtml } from './html.js';

describe('dashboard HTML from a node answer', () => {
  it('escapes a hostile account in the bills: no markup of the node reaches the page', () => {
    const hostile = '"><img src=x onerror=alert(1)><b x="';
    const rows = billRowsHtml([{ account: hostile + hostile, delta: '1500000' }], (d) => `+${d}`);
    expect(rows).not.toContain('<img');
    expect(rows).not.toContain('<b ');
    expect(rows.match(/<[a-z]+/g), 'only the rows and cells of the table').toEqual(['<tr', '<td', '<td']);
    expect(rows).toContain('&lt;img');
    expect(rows).toContain('+1500000');
  });

  it('escapes the five characters of HTML and keeps the rest', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;',
    );
    expect(escapeHtml('joule1abc…xyz')).toBe('joule1abc…xyz');
  });
});
