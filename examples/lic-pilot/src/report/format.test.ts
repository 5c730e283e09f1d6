import { describe, expect, it } from 'vitest';
import { escapeHtml, formatEct, formatKwh, formatNumber, formatPercent, formatPrice } from './format.js';

describe('format', () => {
  it('prints uECT as ECT without floats, halves away from zero', () => {
    expect(formatEct('-45500000'), 'N1 of the paper').toBe('−45.50');
    expect(formatEct(12_600_000n), 'N2 of the paper').toBe('12.60');
    expect(formatEct('5000'), 'half a cent up').toBe('0.01');
    expect(formatEct('-5000'), 'half a cent down').toBe('−0.01');
    expect(formatEct('-4999'), 'no negative zero').toBe('0.00');
    // 2^63 uECT: far beyond a double's exact integers.
    expect(formatEct('9223372036854775807'), 'huge').toBe('9,223,372,036,854.78');
  });

  it('prints prices and beta exactly, with at least two decimals', () => {
    expect(formatPrice('18200000'), 'pb of the paper').toBe('18.20');
    expect(formatPrice('20000'), 'beta 0.02').toBe('0.02');
    expect(formatPrice(500n), 'small beta').toBe('0.0005');
  });

  it('groups thousands and uses a real minus sign', () => {
    expect(formatNumber(-1234.56, 1), 'negative').toBe('−1,234.6');
    expect(formatNumber(-0.01, 1), 'rounds to zero').toBe('0.0');
    expect(formatNumber(Number.NaN), 'not a number').toBe('—');
    expect(formatKwh(9_710_612), 'kWh').toBe('9,710.6');
    expect(formatPercent(0.4203), 'percent').toBe('42.0\u00a0%');
  });

  it('escapes markup and both quotes', () => {
    expect(escapeHtml(`<img onerror=x>"'&`), 'hostile').toBe('&#60;img onerror=x&#62;&#34;&#39;&#38;');
  });
});
