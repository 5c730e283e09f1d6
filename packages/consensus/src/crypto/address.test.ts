import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressError } from '../errors.js';
import { addressOf, formatAddress, parseAddress } from './address.js';
import { sha256, toHex } from './hash.js';

describe('addresses', () => {
  it('are the first 20 bytes of SHA-256 of the public key', () => {
    const pub = new Uint8Array(32).fill(1);
    expect(toHex(addressOf(pub))).toBe(toHex(sha256(pub)).slice(0, 40));
  });

  it('round-trip through bech32 with a chain prefix', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/),
        (addr, prefix) => {
          const text = formatAddress(addr, prefix);
          expect(text.startsWith(`${prefix}1`)).toBe(true);
          expect(parseAddress(text, prefix)).toEqual(addr);
        },
      ),
    );
  });

  it('refuse a wrong prefix, a bad checksum, a wrong length and garbage with AddressError', () => {
    const addr = new Uint8Array(20).fill(9);
    const text = formatAddress(addr, 'joule');
    const broken = text.slice(0, -1) + (text.endsWith('q') ? 'p' : 'q');
    expect(() => parseAddress(text, 'lic')).toThrow(AddressError);
    expect(() => parseAddress(broken, 'joule')).toThrow(AddressError);
    expect(() => parseAddress(formatAddress(addr, 'joule').replace('joule', 'JOULE'), 'joule')).toThrow(
      AddressError,
    );
    expect(() => parseAddress('joule1', 'joule')).toThrow(AddressError);
    expect(() => parseAddress('x'.repeat(200), 'joule')).toThrow(AddressError);
    expect(() => formatAddress(new Uint8Array(19), 'joule')).toThrow(AddressError);
    expect(() => formatAddress(addr, 'Bad Prefix')).toThrow(AddressError);
    try {
      parseAddress(text, 'lic');
    } catch (error) {
      expect((error as AddressError).code).toBe('BAD_ADDRESS');
    }
  });
});
