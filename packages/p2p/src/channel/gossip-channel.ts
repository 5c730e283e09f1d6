import type { Connection, PeerId, Stream } from '@libp2p/interface';
import {
  InvalidDataLengthError,
  InvalidDataLengthLengthError,
  InvalidMessageLengthError,
  lpStream,
} from '@libp2p/utils';
import {
  maxGossipStreamsPerConnection,
  maxInboundBufferBytes,
  maxPeerQueueBytes,
  maxPeerQueueFrames,
  penalties,
} from '../constants.js';
import type { P2pHost } from '../host/host.js';
import { varintLength } from '../host/length-prefix.js';
import { FrameLimiter, type RateLimit } from '../peers/token-bucket.js';
import { PeerSender } from './peer-sender.js';

export interface GossipChannelOptions {
  /** The versioned protocol id. */
  readonly protocol: string;
  /** Short name for counters (`consensus`, `mempool`). */
  readonly name: string;
  /** Largest frame accepted; a larger one resets the stream and costs the peer. */
  readonly maxFrameBytes: number;
  /** Token buckets per peer for this protocol. */
  readonly rateLimit: RateLimit;
  /** Most frames queued per peer. Default `maxPeerQueueFrames`. */
  readonly maxQueueFrames?: number;
  /** Bytes a peer's inbound stream may hold unread (at least one frame more). Default `maxInboundBufferBytes`. */
  readonly maxInboundBufferBytes?: number;
  /** Most bytes queued per peer. Default `maxPeerQueueBytes`. */
  readonly maxQueueBytes?: number;
}

/** Receives a frame that passed the size and rate limits; may be async (the reader waits: backpressure). */
export type FrameHandler = (peer: string, frame: Uint8Array, signal: AbortSignal) => void | Promise<void>;

const reopenDelayMs = 250;

/**
 * One gossip protocol over every connected peer. Each side writes on a stream it opened and reads
 * on the stream the other side opened (gossipsub's layout), so the two directions never contend.
 * Inbound frames are length-prefixed, size-checked before they are buffered, rate-limited per peer,
 * and handed to the handler one at a time; outbound frames go through a bounded per-peer queue.
 */
export class GossipChannel {
  readonly #o: GossipChannelOptions;
  readonly #host: P2pHost;
  readonly #senders = new Map<string, PeerSender>();
  readonly #opening = new Set<string>();
  readonly #limiters = new Map<string, FrameLimiter>();
  readonly #inbound = new Set<Stream>();
  readonly #connectListeners: ((peer: string) => void)[] = [];
  readonly #disconnectListeners: ((peer: string) => void)[] = [];
  #handler: FrameHandler = () => {};
  #topologyId: string | null = null;
  #abort = new AbortController();
  #running = false;

  constructor(options: GossipChannelOptions, deps: { readonly host: P2pHost }) {
    this.#o = options;
    this.#host = deps.host;
  }

  get protocol(): string {
    return this.#o.protocol;
  }

  onFrame(handler: FrameHandler): void {
    this.#handler = handler;
  }

  /** Called when a peer's outbound stream on this channel opens (a good moment to greet it). */
  onPeerConnected(listener: (peer: string) => void): void {
    this.#connectListeners.push(listener);
  }

  /** Called when a peer's outbound stream on this channel closes or its connection ends. */
  onPeerDisconnected(listener: (peer: string) => void): void {
    this.#disconnectListeners.push(listener);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    const libp2p = this.#host.libp2p;
    await libp2p.handle(this.#o.protocol, (stream, connection) => this.#read(stream, connection), {
      maxInboundStreams: maxGossipStreamsPerConnection,
      maxOutboundStreams: maxGossipStreamsPerConnection,
    });
    this.#topologyId = await libp2p.register(this.#o.protocol, {
      onConnect: (peer, connection) => void this.#open(peer, connection),
      onDisconnect: (peer) => this.#dropPeer(peer.toString()),
    });
    for (const connection of libp2p.getConnections()) void this.#open(connection.remotePeer, connection);
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#abort.abort();
    const libp2p = this.#host.libp2p;
    if (this.#topologyId !== null) libp2p.unregister(this.#topologyId);
    this.#topologyId = null;
    await libp2p.unhandle(this.#o.protocol).catch(() => {});
    for (const sender of this.#senders.values()) sender.close();
    this.#senders.clear();
    for (const stream of this.#inbound) stream.abort(new Error('channel stopped'));
    this.#inbound.clear();
    this.#limiters.clear();
  }

  /** Peers with an open outbound stream on this channel. */
  peers(): string[] {
    return [...this.#senders].filter(([, s]) => s.open).map(([p]) => p);
  }

  /** Queues `frame` for `peer`; `false` if there is no open stream to it. */
  send(peer: string, frame: Uint8Array): boolean {
    return this.#senders.get(peer)?.enqueue(frame) ?? false;
  }

  /** Queues `frame` for every peer except `except` and those `skip` names; returns how many. */
  broadcast(frame: Uint8Array, except?: string, skip?: (peer: string) => boolean): number {
    let sent = 0;
    for (const [peer, sender] of this.#senders) {
      if (peer === except || skip?.(peer) === true) continue;
      if (sender.enqueue(frame)) sent++;
    }
    return sent;
  }

  async #open(peerId: PeerId, connection: Connection): Promise<void> {
    const peer = peerId.toString();
    if (!this.#running || this.#opening.has(peer) || this.#senders.get(peer)?.open) return;
    if (connection.status !== 'open' || this.#host.isBanned(peer)) return;
    this.#opening.add(peer);
    try {
      const stream = await connection.newStream(this.#o.protocol, {
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(5_000)]),
      });
      if (!this.#running) {
        stream.abort(new Error('channel stopped'));
        return;
      }
      this.#senders.get(peer)?.close();
      const sender = new PeerSender(
        stream,
        this.#o.name,
        {
          maxFrames: this.#o.maxQueueFrames ?? maxPeerQueueFrames,
          maxBytes: this.#o.maxQueueBytes ?? maxPeerQueueBytes,
        },
        this.#host.counters,
      );
      this.#senders.set(peer, sender);
      stream.addEventListener('close', () => this.#onSenderClosed(peer, sender), { once: true });
      for (const listener of this.#connectListeners) listener(peer);
    } catch {
      // The peer went away or refused the protocol; the topology tells us when it is back.
    } finally {
      this.#opening.delete(peer);
    }
  }

  #onSenderClosed(peer: string, sender: PeerSender): void {
    if (this.#senders.get(peer) !== sender) return;
    this.#senders.delete(peer);
    for (const listener of this.#disconnectListeners) listener(peer);
    if (!this.#running) return;
    // The stream died but the connection may live on (the peer reset it): reopen once, later.
    const timer = setTimeout(() => {
      const connection = this.#host.libp2p.getConnections().find((c) => c.remotePeer.toString() === peer);
      if (connection !== undefined) void this.#open(connection.remotePeer, connection);
    }, reopenDelayMs);
    timer.unref?.();
  }

  #dropPeer(peer: string): void {
    this.#senders.get(peer)?.close();
    this.#senders.delete(peer);
    this.#limiters.delete(peer);
    for (const listener of this.#disconnectListeners) listener(peer);
  }

  async #read(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    if (!this.#running || this.#host.isBanned(peer)) {
      stream.abort(new Error('refused'));
      return;
    }
    this.#inbound.add(stream);
    const counters = this.#host.counters;
    const lp = lpStream(stream, {
      maxDataLength: this.#o.maxFrameBytes,
      // libp2p's varint decoder, without a new error for each prefix not read whole yet.
      lengthDecoder: varintLength,
      // Frames arriving while the handler works wait here; an overflow resets the stream.
      maxBufferSize:
        Math.max(this.#o.maxFrameBytes, this.#o.maxInboundBufferBytes ?? maxInboundBufferBytes) + 16,
    });
    const signal = this.#abort.signal;
    let limiter = this.#limiters.get(peer);
    if (limiter === undefined) {
      limiter = new FrameLimiter(this.#o.rateLimit, this.#host.now);
      this.#limiters.set(peer, limiter);
    }
    try {
      while (this.#running && stream.status === 'open') {
        const list = await lp.read({ signal });
        // Frames a peer queued before its ban are not handled: the hang-up is asynchronous.
        if (this.#host.isBanned(peer)) break;
        const frame = list.subarray();
        counters.add(counters.framesIn, this.#o.name);
        counters.add(counters.bytesIn, this.#o.name, frame.length);
        if (!limiter.allow(frame.length)) {
          counters.add(counters.dropped, 'rate-limited');
          this.#host.scores.penalize(peer, penalties.rateLimited, 'rate-limited');
          continue;
        }
        await this.#handler(peer, frame, signal);
      }
    } catch (error) {
      if (
        error instanceof InvalidDataLengthError ||
        error instanceof InvalidDataLengthLengthError ||
        error instanceof InvalidMessageLengthError ||
        (error as Error)?.name === 'StreamBufferError'
      ) {
        counters.add(counters.dropped, 'oversized');
        this.#host.scores.penalize(peer, penalties.oversized, 'oversized');
      }
    } finally {
      this.#inbound.delete(stream);
      if (stream.status === 'open') stream.abort(new Error('reader done'));
    }
  }
}
