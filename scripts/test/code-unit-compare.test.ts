import { describe, expect, it } from 'vitest';
import { codeUnitCompareName, codeUnitCompareSource, rewriteLocaleCompare } from '../code-unit-compare.mjs';

/** Evaluates `expression` with the banner's comparison defined, as the bundle does. */
function run(expression: string): unknown {
  return new Function(`${codeUnitCompareSource}\nreturn ${expression};`)();
}

describe('rewriteLocaleCompare', () => {
  it('rewrites the calls of libp2p 3 (peer store, peer records) and nothing else', () => {
    const source = [
      'const sort = (a, b) => a.toString().localeCompare(b.toString());',
      'return a.multiaddr.toString().localeCompare(b.multiaddr.toString());',
      'protocols: [...protocols.values()].sort((a, b) => { return a.localeCompare(b); }),',
      'for (const [key, value] of entries.sort(([a], [b]) => { return a.localeCompare(b); })) {}',
      'const localeCompare = 1; x.localeCompareX(y);',
    ].join('\n');
    const { text, count } = rewriteLocaleCompare(source);
    expect(count).toBe(4);
    expect(text).not.toContain('.localeCompare(');
    expect(text).toContain(`${codeUnitCompareName}(a.toString(), b.toString())`);
    expect(text).toContain(`${codeUnitCompareName}(a.multiaddr.toString(), b.multiaddr.toString())`);
    expect(text.match(new RegExp(`${codeUnitCompareName}\\(a, b\\)`, 'g'))).toHaveLength(2);
    expect(text).toContain('const localeCompare = 1; x.localeCompareX(y);');
  });

  it('sorts ASCII multiaddrs and protocols into one total order, as a sort without a comparator does', () => {
    const names = [
      '/ip4/127.0.0.1/tcp/26656',
      '/ipfs/id/1.0.0',
      '/ip4/10.0.0.2/tcp/9',
      '/ip6/::1/tcp/1',
      '/a',
      '/A',
      '/a',
    ];
    const { text } = rewriteLocaleCompare(`${JSON.stringify(names)}.sort((a, b) => a.localeCompare(b))`);
    const sorted = run(text);
    expect(sorted).toEqual([...names].sort());
  });

  it('refuses a call it cannot read', () => {
    expect(() => rewriteLocaleCompare('a.localeCompare(b, "de")')).toThrow(/cannot rewrite/);
    expect(() => rewriteLocaleCompare('a.localeCompare(b')).toThrow(/unbalanced/);
    expect(() => rewriteLocaleCompare('(x).localeCompare(b)')).toThrow(/cannot rewrite/);
  });
});
