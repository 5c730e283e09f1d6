import { noise } from '@chainsafe/libp2p-noise';
import { type YamuxMuxerInit, yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import {
  defaultInboundConnectionsPerSecond,
  defaultMaxConnections,
  defaultMaxConnectionsPerIp,
  defaultMaxIncomingPendingConnections,
  defaultPingIntervalMs,
  dialTimeoutMs,
  maxAllowListPeers,
  streamOpenTimeoutMs,
  yamuxInitialStreamWindowBytes,
} from '../constants.js';
import { P2pCounters } from '../peers/metrics.js';
import { PeerScores, type PeerScoresOptions } from '../peers/peer-scores.js';
import { ipOf, policyGater } from './gater.js';
import { lengthPrefixWithoutNewErrors } from './length-prefix.js';
import { libp2pKeyOf, type NodeKey } from './node-key.js';
import { type DialFailure, PersistentPeers } from './persistent-peers.js';
import { silentLogger } from './silent-logger.js';
import { windowUpdatesAtHalf } from './yamux-window.js';

export interface P2pHostOptions {
  /** Multiaddrs to listen on, e.g. `/ip4/0.0.0.0/tcp/26656` (tests: `/ip4/127.0.0.1/tcp/0`). */
  readonly listen: readonly string[];
  /** Multiaddrs to announce instead of the listen addresses (a board behind a 4G router). */
  readonly announce?: readonly string[];
  /** Multiaddrs with `/p2p/<peer id>` kept connected, redialled with backoff. */
  readonly persistentPeers?: readonly string[];
  /** Peer ids allowed to connect (and be dialled); absent or `null`: anyone. */
  readonly allowList?: readonly string[] | null;
  /** Most open connections. Default `defaultMaxConnections` (32). */
  readonly maxConnections?: number;
  /** Inbound connections per second from one host. Default 5 (tests on one host raise it). */
  readonly inboundConnectionsPerSecond?: number;
  /** Most open connections from one IP address. Default `defaultMaxConnectionsPerIp` (tests on one host raise it). */
  readonly maxConnectionsPerIp?: number;
  /** Whether loopback addresses escape the per-IP cap (a local testnet). Default `true`. */
  readonly exemptLoopback?: boolean;
  /** Most inbound connections in their handshake at once. Default `defaultMaxIncomingPendingConnections`. */
  readonly maxIncomingPendingConnections?: number;
  /** First redial delay of a persistent peer, ms. Default `reconnectMinMs`. */
  readonly reconnectMinMs?: number;
  /** Longest redial delay of a persistent peer, ms. Default `reconnectMaxMs`. */
  readonly reconnectMaxMs?: number;
  /** Peer scoring and bans. */
  readonly scores?: PeerScoresOptions;
  /** Ping period of the connection monitor, ms (dead links are closed). Default `defaultPingIntervalMs`. */
  readonly pingIntervalMs?: number;
  /**
   * Largest receive window of a yamux stream, bytes: what one stream's peer may have in flight
   * unread. Default yamux's (16 MiB); a board's profile keeps it at the initial 256 KiB.
   */
  readonly maxStreamWindowBytes?: number;
  /** libp2p's own debug logs (`DEBUG=libp2p*`); off by default: libp2p then logs nothing, for less CPU. */
  readonly debugLogs?: boolean;
}

export interface P2pHostDependencies {
  /** The node key: the peer identity is derived from it. */
  readonly nodeKey: NodeKey;
  /** Wall-clock ms for rate limits, scores and bans. Default `Date.now`. */
  readonly now?: () => number;
  /** Told of every failed dial of a persistent peer (the node logs it). */
  readonly onDialError?: (failure: DialFailure) => void;
}

/**
 * A libp2p node as Joule uses it: TCP, Noise, yamux, identify and ping; the node key as identity;
 * persistent peers with reconnect; connection limits (in all, per IP address, per second, in
 * handshake); an optional allow-list; peer scores with
 * bans enforced by the gater. Channels (consensus, mempool, block sync) attach to it. `Startable`:
 * `stop()` closes every connection, listener and timer it owns.
 */
export class P2pHost {
  readonly libp2p: Libp2p;
  readonly peerId: string;
  readonly counters: P2pCounters;
  readonly scores: PeerScores;
  readonly now: () => number;
  readonly #persistent: PersistentPeers;
  readonly #manualBans: Map<string, number>;
  #running = false;

  /** Use `createP2pHost`. */
  constructor(
    libp2p: Libp2p,
    counters: P2pCounters,
    scores: PeerScores,
    persistent: PersistentPeers,
    manualBans: Map<string, number>,
    now: () => number,
  ) {
    this.libp2p = libp2p;
    this.peerId = libp2p.peerId.toString();
    this.counters = counters;
    this.scores = scores;
    this.#persistent = persistent;
    this.#manualBans = manualBans;
    this.now = now;
  }

  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.libp2p.start();
    this.#persistent.start();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#persistent.stop();
    await this.libp2p.stop();
  }

  /** The addresses peers can dial, each ending in `/p2p/<peer id>`. */
  addresses(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString());
  }

  /** Peer ids of the open connections. */
  connectedPeers(): string[] {
    return [...new Set(this.libp2p.getConnections().map((c) => c.remotePeer.toString()))];
  }

  /** Dials `address` (with `/p2p/<peer id>`); resolves once connected. */
  async dial(address: string, signal?: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(dialTimeoutMs);
    await this.libp2p.dial(multiaddr(address), {
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  }

  /** Closes every connection to `peer`. */
  async hangUp(peer: string): Promise<void> {
    await this.libp2p.hangUp(peerIdFromString(peer)).catch(() => {});
  }

  /** Refuses `peer` for `durationMs` and hangs up on it (an operator's ban, or a test's partition). */
  async ban(peer: string, durationMs: number): Promise<void> {
    this.#manualBans.set(peer, this.now() + durationMs);
    await this.hangUp(peer);
  }

  /** Lifts a manual ban and redials the persistent peers. */
  unban(peer: string): void {
    this.#manualBans.delete(peer);
    this.#persistent.redialAll();
  }

  isBanned(peer: string): boolean {
    const until = this.#manualBans.get(peer);
    if (until !== undefined) {
      if (until > this.now()) return true;
      this.#manualBans.delete(peer);
    }
    return this.scores.isBanned(peer);
  }
}

/**
 * yamux's options for a largest stream window (`undefined`: yamux's own, 16 MiB). yamux pings every
 * connection every 30 s only to learn the round trip that decides when a stream's window grows; a
 * window that cannot grow (the protocol's initial one, a board's) needs no round trip, so the ping
 * is left out: libp2p's connection monitor still pings each connection (its round trip, and dead
 * links closed).
 */
export function yamuxOptions(maxStreamWindowBytes: number | undefined): YamuxMuxerInit {
  if (maxStreamWindowBytes === undefined) return {};
  const maxStreamWindowSize = Math.max(yamuxInitialStreamWindowBytes, maxStreamWindowBytes);
  return {
    streamOptions: { maxStreamWindowSize },
    ...(maxStreamWindowSize === yamuxInitialStreamWindowBytes ? { enableKeepAlive: false } : {}),
  };
}

/** Builds a host (not started): `await host.start()` to listen and dial the persistent peers. */
export async function createP2pHost(options: P2pHostOptions, deps: P2pHostDependencies): Promise<P2pHost> {
  windowUpdatesAtHalf();
  lengthPrefixWithoutNewErrors();
  const now = deps.now ?? Date.now;
  const allow = options.allowList ?? null;
  if (allow !== null && allow.length > maxAllowListPeers) {
    throw new RangeError(`an allow-list holds at most ${maxAllowListPeers} peers`);
  }
  const allowList =
    allow === null
      ? null
      : new Set(
          allow.map((p) => {
            try {
              return peerIdFromString(p).toString();
            } catch {
              throw new RangeError(`allow-list entry "${p}" is not a peer id`);
            }
          }),
        );
  const counters = new P2pCounters();
  const manualBans = new Map<string, number>();
  // The host exists only after libp2p does; the gater and scores reach it through this cell.
  let host: P2pHost | null = null;
  const isBanned = (peer: string): boolean => host?.isBanned(peer) ?? false;
  const scores = new PeerScores(options.scores ?? {}, {
    now,
    counters,
    onBan: (peer) => void host?.hangUp(peer),
  });
  const libp2p = await createLibp2p({
    start: false,
    privateKey: await libp2pKeyOf(deps.nodeKey),
    ...(options.debugLogs === true ? {} : { logger: silentLogger }),
    addresses: {
      listen: [...options.listen],
      ...(options.announce ? { announce: [...options.announce] } : {}),
    },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux(yamuxOptions(options.maxStreamWindowBytes))],
    connectionGater: policyGater({
      allowList,
      isBanned,
      maxConnectionsPerIp: options.maxConnectionsPerIp ?? defaultMaxConnectionsPerIp,
      exemptLoopback: options.exemptLoopback ?? true,
      connectionsFrom: (ip) => {
        let n = 0;
        for (const c of host?.libp2p.getConnections() ?? []) if (ipOf(c.remoteAddr) === ip) n++;
        return n;
      },
    }),
    connectionManager: {
      maxConnections: options.maxConnections ?? defaultMaxConnections,
      inboundConnectionThreshold: options.inboundConnectionsPerSecond ?? defaultInboundConnectionsPerSecond,
      maxIncomingPendingConnections:
        options.maxIncomingPendingConnections ?? defaultMaxIncomingPendingConnections,
      dialTimeout: dialTimeoutMs,
      outboundStreamProtocolNegotiationTimeout: streamOpenTimeoutMs,
      inboundStreamProtocolNegotiationTimeout: streamOpenTimeoutMs,
      // Persistent peers are redialled by `PersistentPeers`, forever and with backoff.
      reconnectRetries: 0,
    },
    connectionMonitor: { pingInterval: options.pingIntervalMs ?? defaultPingIntervalMs },
    services: { identify: identify(), ping: ping() },
  });
  const persistent = new PersistentPeers(
    {
      peers: options.persistentPeers ?? [],
      ...(options.reconnectMinMs !== undefined ? { minDelayMs: options.reconnectMinMs } : {}),
      ...(options.reconnectMaxMs !== undefined ? { maxDelayMs: options.reconnectMaxMs } : {}),
    },
    { libp2p, isBanned, ...(deps.onDialError === undefined ? {} : { onDialError: deps.onDialError }) },
  );
  host = new P2pHost(libp2p, counters, scores, persistent, manualBans, now);
  return host;
}
