import type { PeerId } from './transport.js';

/**
 * The driver's input queue, counted: at most `maxPendingInputs` waiting in all and
 * `maxPendingInputsPerPeer` from any one peer (its fair share), so that one peer's flood leaves
 * room for the others' votes. Only peers with inputs waiting are remembered.
 */
export class InputShares {
  readonly #max: number;
  readonly #maxPerPeer: number;
  readonly #byPeer = new Map<PeerId, number>();
  #pending = 0;

  constructor(limits: { readonly maxPendingInputs: number; readonly maxPendingInputsPerPeer: number }) {
    this.#max = limits.maxPendingInputs;
    this.#maxPerPeer = limits.maxPendingInputsPerPeer;
  }

  /** Counts one more input from `peer`; false (and nothing counted) when the queue or its share is full. */
  admit(peer: PeerId): boolean {
    const mine = this.#byPeer.get(peer) ?? 0;
    if (this.#pending >= this.#max || mine >= this.#maxPerPeer) return false;
    this.#pending++;
    this.#byPeer.set(peer, mine + 1);
    return true;
  }

  /** One input from `peer` left the queue. */
  release(peer: PeerId): void {
    const mine = this.#byPeer.get(peer);
    if (mine === undefined) return;
    this.#pending--;
    if (mine > 1) this.#byPeer.set(peer, mine - 1);
    else this.#byPeer.delete(peer);
  }
}
