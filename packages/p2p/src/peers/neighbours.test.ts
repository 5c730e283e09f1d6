import { describe, expect, it } from 'vitest';
import { maxAdvertisedPeers } from '../constants.js';
import { decodePeerList, encodePeerList, NeighbourSets } from './neighbours.js';

describe('NeighbourSets', () => {
  it('skips a relay to the source and to the source’s own peers only', () => {
    const n = new NeighbourSets();
    expect(n.reaches('a', 'b'), 'nothing known: relay').toBe(false);
    expect(n.reaches('a', 'a'), 'never back to the source').toBe(true);
    expect(n.reaches(undefined, 'b'), 'own messages go to everyone').toBe(false);
    n.set('a', ['b', 'c']);
    n.set('b', ['a']);
    expect(n.reaches('a', 'b'), 'a sent it to b').toBe(true);
    expect(n.reaches('a', 'd'), 'a does not reach d').toBe(false);
    n.delete('a');
    expect(n.reaches('a', 'b'), 'forgotten on disconnect').toBe(false);
  });

  it('a link counts only when both ends list it: a peer cannot stop relays by claiming to reach everyone', () => {
    const n = new NeighbourSets();
    // A hostile peer h says it reaches b and c; b lists only this node's other peers, c said nothing.
    n.set('h', ['b', 'c']);
    n.set('b', ['x']);
    expect(n.reaches('h', 'b'), 'b does not list h: relayed to b').toBe(false);
    expect(n.reaches('h', 'c'), 'c has not said: relayed to c').toBe(false);
    n.set('b', ['x', 'h']);
    expect(n.reaches('h', 'b'), 'both list the link: skipped').toBe(true);
  });

  it('peer lists round-trip and are bounded', () => {
    const ids = ['12D3KooWA', '12D3KooWB'];
    expect(decodePeerList(encodePeerList(ids))).toEqual(ids);
    const many = Array.from({ length: maxAdvertisedPeers + 5 }, (_, i) => `p${i}`);
    expect(decodePeerList(encodePeerList(many)).length, 'truncated to the bound').toBe(maxAdvertisedPeers);
    expect(() => decodePeerList(new Uint8Array([0xc1])), 'not a list').toThrow();
  });
});
