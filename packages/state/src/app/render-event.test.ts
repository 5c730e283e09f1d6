import { formatAddress, toHex } from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { formatEventValue } from './module.js';

describe('event values', () => {
  it('renders an address in bech32 under each prefix asked, the same when remembered as when fresh', () => {
    const address = new Uint8Array(20).fill(9);
    for (let round = 0; round < 2; round++) {
      expect(formatEventValue(address, 'joule'), `round ${round}, joule`).toBe(
        formatAddress(address, 'joule'),
      );
      expect(formatEventValue(address, 'other'), `round ${round}, other`).toBe(
        formatAddress(address, 'other'),
      );
    }
    // A neighbour one byte away, and a view into a larger buffer, are their own addresses.
    const neighbour = address.slice();
    neighbour[19] = 8;
    expect(formatEventValue(neighbour, 'joule')).toBe(formatAddress(neighbour, 'joule'));
    const wide = new Uint8Array(40).fill(3);
    expect(formatEventValue(wide.subarray(10, 30), 'joule')).toBe(
      formatAddress(wide.subarray(10, 30), 'joule'),
    );
    expect(formatEventValue(new Uint8Array([1, 2]), 'joule'), 'other bytes in hex').toBe(
      toHex(new Uint8Array([1, 2])),
    );
    expect(formatEventValue(42n, 'joule')).toBe('42');
  });
});
