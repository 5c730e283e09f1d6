import type { Libp2p, PeerId } from '@libp2p/interface';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import {
  dialTimeoutMs,
  maxDialErrorChars,
  maxPersistentPeers,
  reconnectMaxMs,
  reconnectMinMs,
} from '../constants.js';

export interface PersistentPeersOptions {
  /** Multiaddrs ending in `/p2p/<peer id>`. */
  readonly peers: readonly string[];
  /** First redial delay, ms; doubled after each failure. Default `reconnectMinMs`. */
  readonly minDelayMs?: number;
  /** Longest redial delay, ms. Default `reconnectMaxMs`. */
  readonly maxDelayMs?: number;
}

export interface PersistentPeersDependencies {
  readonly libp2p: Libp2p;
  readonly isBanned: (peer: string) => boolean;
  /** A random number in [0, 1) for jitter (not consensus: `Math.random` is fine here). */
  readonly random?: () => number;
  /** Told of every failed dial, with the delay before the next (an operator's log line). */
  readonly onDialError?: (failure: DialFailure) => void;
}

/** A failed dial of a persistent peer. */
export interface DialFailure {
  /** The peer id expected at `address`. */
  readonly peer: string;
  readonly address: string;
  /** Why, for an operator: `dialFailureReason` of the error. */
  readonly reason: DialFailureReason;
  /** libp2p's or the socket's message. */
  readonly message: string;
  /** Failed dials of this peer in a row. */
  readonly failures: number;
  /** When the next dial is, ms from now. */
  readonly retryInMs: number;
}

export type DialFailureReason = 'refused' | 'wrong peer id' | 'timeout' | 'unreachable' | 'banned' | 'other';

/** The messages of an error and of every error it wraps (`cause`, `errors` of an AggregateError). */
function messagesOf(error: unknown, depth = 0): string[] {
  if (depth > 4 || typeof error !== 'object' || error === null) return [String(error)];
  const e = error as { name?: string; code?: string; message?: string; cause?: unknown; errors?: unknown[] };
  const own = `${e.name ?? ''} ${e.code ?? ''} ${e.message ?? ''}`;
  return [
    own,
    ...(e.cause === undefined ? [] : messagesOf(e.cause, depth + 1)),
    ...(e.errors ?? []).flatMap((x) => messagesOf(x, depth + 1)),
  ];
}

/** Why a dial failed, in an operator's words. */
export function dialFailureReason(error: unknown): DialFailureReason {
  const text = messagesOf(error).join(' | ');
  if (/UnexpectedPeer|InvalidPeerId|unexpected peer|peer id mismatch|does not match/i.test(text))
    return 'wrong peer id';
  if (/ECONNREFUSED|connection refused/i.test(text)) return 'refused';
  if (/Timeout|ETIMEDOUT|aborted/i.test(text)) return 'timeout';
  if (/EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/i.test(text)) return 'unreachable';
  if (/denied|gater|blocked/i.test(text)) return 'banned';
  return 'other';
}

interface Target {
  readonly address: Multiaddr;
  readonly peer: string;
  failures: number;
  timer: ReturnType<typeof setTimeout> | null;
  dialing: boolean;
}

/**
 * Keeps the configured peers connected: dials them on start and, whenever one is lost or a dial
 * fails, redials after a delay that doubles from `minDelayMs` up to `maxDelayMs`, with ±25% jitter
 * so that boards rebooted together do not redial in lockstep. Never gives up: a board may be
 * offline for hours. A banned peer is redialled only after its ban ends.
 */
export class PersistentPeers {
  readonly #targets = new Map<string, Target>();
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #d: PersistentPeersDependencies;
  #running = false;
  #abort = new AbortController();
  readonly #onDisconnect = (event: CustomEvent<PeerId>): void => {
    const target = this.#targets.get(event.detail.toString());
    if (target !== undefined) this.#schedule(target);
  };
  readonly #onConnect = (event: CustomEvent<PeerId>): void => {
    const target = this.#targets.get(event.detail.toString());
    if (target !== undefined) target.failures = 0;
  };

  constructor(options: PersistentPeersOptions, deps: PersistentPeersDependencies) {
    if (options.peers.length > maxPersistentPeers) {
      throw new RangeError(`at most ${maxPersistentPeers} persistent peers`);
    }
    this.#minMs = options.minDelayMs ?? reconnectMinMs;
    this.#maxMs = options.maxDelayMs ?? reconnectMaxMs;
    this.#d = deps;
    for (const text of options.peers) {
      const address = multiaddr(text);
      const peer = address.getComponents().findLast((c) => c.name === 'p2p')?.value;
      if (peer === undefined) throw new TypeError(`persistent peer ${text} has no /p2p/<peer id>`);
      this.#targets.set(peer, { address, peer, failures: 0, timer: null, dialing: false });
    }
  }

  /** Peer ids of the persistent peers. */
  get peers(): string[] {
    return [...this.#targets.keys()];
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    this.#d.libp2p.addEventListener('peer:disconnect', this.#onDisconnect);
    this.#d.libp2p.addEventListener('peer:connect', this.#onConnect);
    for (const target of this.#targets.values()) void this.#dial(target);
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#abort.abort();
    this.#d.libp2p.removeEventListener('peer:disconnect', this.#onDisconnect);
    this.#d.libp2p.removeEventListener('peer:connect', this.#onConnect);
    for (const target of this.#targets.values()) {
      if (target.timer !== null) clearTimeout(target.timer);
      target.timer = null;
    }
  }

  /** Dials every persistent peer that is not connected now (after a partition heals, say). */
  redialAll(): void {
    for (const target of this.#targets.values()) {
      if (target.timer !== null) clearTimeout(target.timer);
      target.timer = null;
      target.failures = 0;
      void this.#dial(target);
    }
  }

  async #dial(target: Target): Promise<void> {
    target.timer = null;
    if (!this.#running || target.dialing) return;
    if (this.#d.libp2p.getConnections().some((c) => c.remotePeer.toString() === target.peer)) return;
    if (this.#d.isBanned(target.peer)) {
      this.#schedule(target);
      return;
    }
    target.dialing = true;
    try {
      await this.#d.libp2p.dial(target.address, {
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(dialTimeoutMs)]),
      });
      target.failures = 0;
    } catch (error) {
      target.failures++;
      const delay = this.#schedule(target);
      if (this.#running && this.#d.onDialError !== undefined) {
        const message = messagesOf(error)
          .map((m) => m.trim())
          .filter((m) => m !== '')
          .join('; ');
        this.#d.onDialError({
          peer: target.peer,
          address: target.address.toString(),
          reason: dialFailureReason(error),
          message: message.slice(0, maxDialErrorChars),
          failures: target.failures,
          retryInMs: delay ?? 0,
        });
      }
    } finally {
      target.dialing = false;
    }
  }

  /** Schedules the next dial; returns its delay, ms (`undefined` when none was scheduled). */
  #schedule(target: Target): number | undefined {
    if (!this.#running || target.timer !== null) return undefined;
    const base = Math.min(this.#maxMs, this.#minMs * 2 ** Math.min(target.failures, 30));
    const jitter = 0.75 + 0.5 * (this.#d.random ?? Math.random)();
    const delay = Math.round(base * jitter);
    target.timer = setTimeout(() => void this.#dial(target), delay);
    target.timer.unref?.();
    return delay;
  }
}
