import { type Codec, decode, encode, list, string } from '@joule/consensus';
import { maxAdvertisedPeers } from '../constants.js';

/** A peers frame's body: the ids of the peers the sender has gossip streams to. */
const peerListCodec: Codec<string[]> = list(string(128), maxAdvertisedPeers);

export function encodePeerList(peers: readonly string[]): Uint8Array {
  return encode(peerListCodec, peers.slice(0, maxAdvertisedPeers));
}

/** Decodes a peers frame's body strictly; throws the codec's `DecodeError` on any other bytes. */
export function decodePeerList(body: Uint8Array): string[] {
  return decode(peerListCodec, body);
}

/**
 * What each connected peer said about its own peers: a relay need not go back to where the
 * message came from, nor to the peers of the node it came from — that node sent it to all of its
 * peers but its own source, and its source holds it. In a full mesh a node then relays nothing;
 * on the LIC grid it relays only across the hops the sender does not reach. A link counts only
 * when both of its ends list it; a peer that did not say (an older node, a list not yet received)
 * is relayed to as before.
 *
 * Bounds: one entry per connected peer (removed when it disconnects), each of at most
 * `maxAdvertisedPeers` ids.
 */
export class NeighbourSets {
  readonly #sets = new Map<string, ReadonlySet<string>>();

  set(peer: string, peers: readonly string[]): void {
    this.#sets.set(peer, new Set(peers));
  }

  delete(peer: string): void {
    this.#sets.delete(peer);
  }

  /**
   * Whether a message `from` carried is already on its way to `to` (or came from it). A link counts
   * only when both ends list it: a peer's word alone would let it stop this node's relays to any
   * peer by claiming to reach it (a hostile peer that forwards every vote first, with a list of
   * everyone, would strand them behind the seen-caches).
   */
  reaches(from: string | undefined, to: string): boolean {
    if (from === undefined) return false;
    if (from === to) return true;
    return (this.#sets.get(from)?.has(to) ?? false) && (this.#sets.get(to)?.has(from) ?? false);
  }

  /** Peers whose lists are known. */
  get size(): number {
    return this.#sets.size;
  }
}
