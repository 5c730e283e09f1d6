import {
  BoundedCache,
  bytesKey,
  type ConsensusMessage,
  DecodeError,
  type PeerFault,
  type PeerId,
  sha256,
  type Transport,
} from '@joule/consensus';
import { decodeConsensusMessage, encodeConsensusMessage } from '@joule/consensus/internal';
import { GossipChannel } from '../channel/gossip-channel.js';
import {
  consensusBurstBytes,
  consensusBurstFrames,
  consensusBytesPerSecond,
  consensusFramesPerSecond,
  consensusProtocol,
  consensusSeenCacheEntries,
  consensusVerdictCacheEntries,
  invalidSignatureCacheBytes,
  maxConsensusFrameBytes,
  penalties,
} from '../constants.js';
import type { P2pHost } from '../host/host.js';
import { decodePeerList, encodePeerList, NeighbourSets } from '../peers/neighbours.js';
import { BoundedSeenSet } from '../peers/seen-cache.js';
import type { RateLimit } from '../peers/token-bucket.js';
import { type ConsensusView, checkConsensusMessage, type Verdict } from './message-check.js';
import { SignatureVerdicts } from './signature-verdicts.js';

/** First byte of a consensus frame: how the receiver treats the message after it. */
export const FrameKind = {
  /** Gossip: de-duplicated, checked, delivered and relayed further. */
  gossip: 1,
  /** Direct: for this peer only (status, catch-up answers); delivered, never relayed. */
  direct: 2,
  /** The sender's own peers (see `NeighbourSets`): sent when they change, never relayed. */
  peers: 3,
} as const;

export interface ConsensusGossipOptions {
  /** Entries of the de-duplication cache. Default `consensusSeenCacheEntries`. */
  readonly seenCacheEntries?: number;
  /** Entries of the verdict cache on received signed frames. Default `consensusVerdictCacheEntries`. */
  readonly verdictCacheEntries?: number;
  /** Bytes of the invalid-signature cache (`SignatureVerdicts`). Default `invalidSignatureCacheBytes`. */
  readonly invalidSignatureCacheBytes?: number;
  /** Per-peer rate limit. Default: the `consensus*` constants. */
  readonly rateLimit?: RateLimit;
}

/**
 * The consensus driver's `Transport` on libp2p. Proposals, votes and vote batches travel as
 * gossip: each node checks them (strict decode, size, height window, signatures) before it hands
 * them to its driver and relays them once to its other peers, so they cross the LIC grid's hops;
 * a bounded seen-cache keyed by the SHA-256 of the message stops echoes. Status messages and the
 * driver's catch-up answers travel direct: they concern one peer; a bounded verdict cache keyed the
 * same way answers a direct frame sent again without checking it again. Peers that send what does
 * not decode, fails a signature check (at any height whose validator set is known), or earns a
 * `reject` fault from the driver lose score; a bad signature costs `penalties.invalidSignature`,
 * so a peer sending them is banned after two frames. The driver's `ignore` faults (a correctly
 * signed message that is invalid or too far ahead, which a relay cannot tell apart, and the
 * driver's own overload) cost no one. `signatures.checks` counts the signature checks run.
 *
 * Each node tells its peers who its own peers are (a peers frame whenever that changes), and
 * relays a message only to peers the node it came from does not reach itself (`neighbours`,
 * shared with the transaction gossip): in a full mesh nothing is relayed twice over.
 */
export class ConsensusGossip implements Transport {
  readonly channel: GossipChannel;
  /** What each peer said about its peers; the transaction gossip relays by it too. */
  readonly neighbours = new NeighbourSets();
  readonly #host: P2pHost;
  /** The peer list last sent to every peer, and peers connected since that still need it. */
  #announced = '';
  readonly #toGreet = new Set<string>();
  #announce: ReturnType<typeof setImmediate> | undefined;
  readonly #seen: BoundedSeenSet;
  /** Verdicts on received frames with signatures (gossip and direct), by the SHA-256 of their body. */
  readonly #verdicts: BoundedCache<string, Verdict>;
  /** Every signature check of peer input, each distinct signature checked once. */
  readonly signatures: SignatureVerdicts;
  #view: ConsensusView | null = null;
  #handler: ((peer: PeerId, message: ConsensusMessage) => void) | null = null;
  readonly #aheadListeners: ((peer: string, height: number) => void)[] = [];

  constructor(options: ConsensusGossipOptions, deps: { readonly host: P2pHost }) {
    this.#host = deps.host;
    this.#seen = new BoundedSeenSet(options.seenCacheEntries ?? consensusSeenCacheEntries);
    this.#verdicts = new BoundedCache({
      maxEntries: options.verdictCacheEntries ?? consensusVerdictCacheEntries,
    });
    this.signatures = new SignatureVerdicts({
      maxBytes: options.invalidSignatureCacheBytes ?? invalidSignatureCacheBytes,
    });
    this.channel = new GossipChannel(
      {
        protocol: consensusProtocol,
        name: 'consensus',
        maxFrameBytes: maxConsensusFrameBytes + 1,
        rateLimit: options.rateLimit ?? {
          framesPerSecond: consensusFramesPerSecond,
          burstFrames: consensusBurstFrames,
          bytesPerSecond: consensusBytesPerSecond,
          burstBytes: consensusBurstBytes,
        },
      },
      { host: deps.host },
    );
    this.channel.onFrame((peer, frame) => this.#receive(peer, frame));
    this.channel.onPeerConnected((peer) => {
      this.#toGreet.add(peer);
      this.#scheduleAnnounce();
    });
    this.channel.onPeerDisconnected((peer) => {
      this.neighbours.delete(peer);
      this.#toGreet.delete(peer);
      this.#scheduleAnnounce();
    });
  }

  /** Gives the transport its view of the driver (call once the driver exists). */
  bind(view: ConsensusView): void {
    this.#view = view;
  }

  /** Called when a peer shows it is beyond the height window (block sync listens). */
  onPeerAhead(listener: (peer: string, height: number) => void): void {
    this.#aheadListeners.push(listener);
  }

  /** Hashes in the de-duplication set (at most its `seenCacheEntries`), for the memory metrics. */
  get seenEntries(): number {
    return this.#seen.size;
  }

  /** Verdicts held (at most its `verdictCacheEntries`), for the memory metrics. */
  get verdictEntries(): number {
    return this.#verdicts.size;
  }

  start(): Promise<void> {
    return this.channel.start();
  }

  stop(): Promise<void> {
    clearImmediate(this.#announce);
    this.#announce = undefined;
    this.#announced = '';
    this.#toGreet.clear();
    return this.channel.stop();
  }

  #scheduleAnnounce(): void {
    this.#announce ??= setImmediate(() => {
      this.#announce = undefined;
      const peers = this.channel.peers().sort();
      const frame = frameOf(FrameKind.peers, encodePeerList(peers));
      const key = peers.join(',');
      if (key !== this.#announced) {
        this.#announced = key;
        this.channel.broadcast(frame);
      } else for (const peer of this.#toGreet) this.channel.send(peer, frame);
      this.#toGreet.clear();
    });
  }

  // ---- Transport ---------------------------------------------------------------------------

  broadcast(message: ConsensusMessage): void {
    const body = encodeConsensusMessage(message);
    if (message.kind === 'status' || message.kind === 'decision') {
      this.channel.broadcast(frameOf(FrameKind.direct, body));
      return;
    }
    this.#seen.add(sha256(body));
    this.channel.broadcast(frameOf(FrameKind.gossip, body));
  }

  send(peer: PeerId, message: ConsensusMessage): void {
    this.channel.send(peer, frameOf(FrameKind.direct, encodeConsensusMessage(message)));
  }

  onMessage(handler: (peer: PeerId, message: ConsensusMessage) => void): void {
    this.#handler = handler;
  }

  /**
   * The driver's verdict on a message `peer` delivered: a `reject` costs the peer
   * `penalties.driverReject` (counted under the fault's code), an `ignore` is only counted as a drop.
   */
  reportPeer(peer: PeerId, fault: PeerFault): void {
    if (fault.action === 'reject') this.#penalize(peer, penalties.driverReject, fault.code);
    else this.#host.counters.add(this.#host.counters.dropped, fault.code);
  }

  // ---- receiving ---------------------------------------------------------------------------

  #receive(peer: string, frame: Uint8Array): void {
    const counters = this.#host.counters;
    const kind = frame[0];
    if (
      frame.length < 2 ||
      (kind !== FrameKind.gossip && kind !== FrameKind.direct && kind !== FrameKind.peers)
    ) {
      this.#penalize(peer, penalties.malformed, 'malformed');
      return;
    }
    const body = frame.subarray(1);
    if (kind === FrameKind.peers) {
      try {
        this.neighbours.set(peer, decodePeerList(body));
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        this.#penalize(peer, penalties.malformed, 'malformed');
      }
      return;
    }
    // Received bytes are canonical (the decoder refuses any other encoding), so their hash is the
    // hash of the re-encoded message: a cheap de-duplication key before any decoding.
    const hash = sha256(body);
    const key = kind === FrameKind.gossip ? hash : null;
    if (key !== null && this.#seen.has(key)) {
      counters.add(counters.dropped, 'duplicate');
      return;
    }
    const verdictKey = bytesKey(hash);
    const known = this.#verdicts.get(verdictKey);
    if (known?.action === 'invalid' || known?.action === 'malformed') {
      this.#blame(peer, known);
      return;
    }
    let message: ConsensusMessage;
    try {
      message = decodeConsensusMessage(body);
    } catch (error) {
      if (error instanceof DecodeError) {
        this.#penalize(peer, penalties.malformed, 'malformed');
        return;
      }
      throw error;
    }
    if (kind === FrameKind.gossip && (message.kind === 'status' || message.kind === 'decision')) {
      this.#penalize(peer, penalties.malformed, 'malformed');
      return;
    }
    const view = this.#view;
    if (view === null) return;
    // A frame already judged valid is delivered again unchecked (its signatures are valid whatever
    // the height now; the driver drops what is stale); status frames carry no signature.
    const signed = message.kind !== 'status';
    const verdict =
      known !== undefined && signed ? known : checkConsensusMessage(view, message, this.signatures);
    if (verdict.aheadHeight !== undefined) {
      for (const listener of this.#aheadListeners) listener(peer, verdict.aheadHeight);
    }
    if (signed && verdict.action !== 'ignore') this.#verdicts.set(verdictKey, verdict);
    if (verdict.action === 'invalid' || verdict.action === 'malformed') {
      this.#blame(peer, verdict);
      return;
    }
    if (verdict.action === 'ignore') {
      counters.add(counters.dropped, 'outside-window');
      return;
    }
    if (key !== null) this.#seen.add(key);
    this.#handler?.(peer, message);
    // Relayed only to peers the sender does not reach itself: it sent them the frame (see the
    // package README for a frame it dropped or a peer list stale in flight).
    if (key !== null && verdict.action === 'relay') {
      counters.relayed += this.channel.broadcast(frame, peer, (to) => {
        const reached = this.neighbours.reaches(peer, to);
        if (reached) counters.relaysSkipped++;
        return reached;
      });
    }
  }

  #blame(peer: string, verdict: Verdict): void {
    if (verdict.action === 'invalid') this.#penalize(peer, penalties.invalidSignature, 'invalid-signature');
    else this.#penalize(peer, penalties.malformed, 'malformed');
  }

  #penalize(peer: string, points: number, reason: string): void {
    this.#host.counters.add(this.#host.counters.dropped, reason);
    this.#host.scores.penalize(peer, points, reason);
  }
}

function frameOf(kind: number, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(body.length + 1);
  frame[0] = kind;
  frame.set(body, 1);
  return frame;
}
