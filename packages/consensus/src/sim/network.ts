import { type ConsensusMessage, decodeConsensusMessage, encodeConsensusMessage } from '../driver/messages.js';
import type { PeerFault } from '../driver/peer-fault.js';
import type { PeerId, Transport } from '../driver/transport.js';
import type { SeededRng } from './rng.js';
import type { VirtualTime } from './virtual-clock.js';

/**
 * How the simulated network misbehaves before the global stabilization time (GST); after GST it
 * delivers every message within `maxDelayAfterGstMs` (partial synchrony, as the paper assumes).
 */
export interface NetworkConfig {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxDelayAfterGstMs: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly gstMs: number;
  /** Before GST, during [fromMs, toMs) nodes in different groups cannot reach each other. */
  readonly partitions: readonly {
    readonly fromMs: number;
    readonly toMs: number;
    readonly groups: readonly (readonly string[])[];
  }[];
}

interface Endpoint {
  handler: ((peer: PeerId, message: ConsensusMessage) => void) | null;
  alive: () => boolean;
  /** Tap on everything the node sends (for the safety checker). */
  onSend?: (message: ConsensusMessage) => void;
}

/**
 * An in-memory network between simulated nodes. Every message is encoded once and decoded per
 * delivery, so the codec is exercised and no two nodes share objects. Delays, drops, duplicates and
 * partitions come from the seeded generator.
 */
export class SimNetwork {
  readonly #time: VirtualTime;
  readonly #rng: SeededRng;
  readonly #config: NetworkConfig;
  readonly #start: number;
  readonly #nodes = new Map<string, Endpoint>();
  /** Node → elapsed ms until which, before GST, nothing is sent from it or to it (see `isolate`). */
  readonly #isolated = new Map<string, number>();
  #adversary: ((from: string, to: string, message: ConsensusMessage) => boolean) | null = null;
  #filter: ((from: string, to: string, message: ConsensusMessage) => boolean) | null = null;
  readonly reports: { from: string; about: string; fault: PeerFault }[] = [];
  delivered = 0;
  dropped = 0;

  constructor(time: VirtualTime, rng: SeededRng, config: NetworkConfig) {
    this.#time = time;
    this.#rng = rng;
    this.#config = config;
    this.#start = time.now;
  }

  get names(): string[] {
    return [...this.#nodes.keys()];
  }

  /** A transport for node `name`; `alive` says whether the node currently runs. */
  attach(name: string, alive: () => boolean, onSend?: (message: ConsensusMessage) => void): Transport {
    const endpoint: Endpoint = { handler: null, alive, ...(onSend ? { onSend } : {}) };
    this.#nodes.set(name, endpoint);
    return {
      broadcast: (message) => {
        if (!alive()) return;
        endpoint.onSend?.(message);
        const bytes = encodeConsensusMessage(message);
        for (const to of this.#nodes.keys()) if (to !== name) this.#deliver(name, to, bytes, message);
      },
      send: (peer, message) => {
        if (!alive()) return;
        endpoint.onSend?.(message);
        this.#deliver(name, peer, encodeConsensusMessage(message), message);
      },
      onMessage: (handler) => {
        endpoint.handler = handler;
      },
      reportPeer: (peer, fault) => {
        if (this.reports.length < 10_000) this.reports.push({ from: name, about: peer, fault });
      },
    };
  }

  /** Sends raw bytes as `from` (Byzantine nodes use it to send different things to different peers). */
  sendAs(from: string, to: string, message: ConsensusMessage): void {
    this.#deliver(from, to, encodeConsensusMessage(message), message);
  }

  /**
   * An adaptive adversary that reads every message (they are signed, not secret): before GST it
   * drops those `drop` names, when they are sent and again when they would arrive.
   */
  setAdversary(drop: (from: string, to: string, message: ConsensusMessage) => boolean): void {
    this.#adversary = drop;
  }

  /**
   * An adversary that keeps dropping what `drop` names, before GST and after (the lock-split
   * scenario's loss of chosen early-round prevotes: see coalition-split.ts).
   */
  setFilter(drop: (from: string, to: string, message: ConsensusMessage) => boolean): void {
    this.#filter = drop;
  }

  /**
   * The adaptive adversary's partition: until `forMs` from now (and never past GST) no message
   * leaves `name` or is sent to it (those already in flight still arrive).
   */
  isolate(name: string, forMs: number): void {
    const until = Math.min(this.#time.now - this.#start + forMs, this.#config.gstMs);
    this.#isolated.set(name, Math.max(until, this.#isolated.get(name) ?? 0));
  }

  /** Whether the adaptive adversary stops this message now (never after GST). */
  #cut(from: string, to: string, message: ConsensusMessage, sending: boolean): boolean {
    const elapsed = this.#time.now - this.#start;
    if (elapsed >= this.#config.gstMs) return false;
    const isolated = elapsed < (this.#isolated.get(from) ?? 0) || elapsed < (this.#isolated.get(to) ?? 0);
    return (sending && isolated) || (this.#adversary?.(from, to, message) ?? false);
  }

  #deliver(from: string, to: string, bytes: Uint8Array, message: ConsensusMessage): void {
    const elapsed = this.#time.now - this.#start;
    const c = this.#config;
    const beforeGst = elapsed < c.gstMs;
    if (this.#filter?.(from, to, message) === true) {
      this.dropped++;
      return;
    }
    if (beforeGst) {
      if (
        this.#rng.chance(c.dropRate) ||
        this.#partitioned(from, to, elapsed) ||
        this.#cut(from, to, message, true)
      ) {
        this.dropped++;
        return;
      }
    }
    const copies = beforeGst && this.#rng.chance(c.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = beforeGst
        ? this.#rng.int(c.minDelayMs, c.maxDelayMs)
        : this.#rng.int(c.minDelayMs, Math.max(c.minDelayMs, c.maxDelayAfterGstMs));
      this.#time.schedule(delay, () => {
        const endpoint = this.#nodes.get(to);
        if (endpoint?.handler == null || !endpoint.alive()) return;
        const received = decodeConsensusMessage(bytes);
        if (this.#cut(from, to, received, false)) {
          this.dropped++;
          return;
        }
        this.delivered++;
        endpoint.handler(from, received);
      });
    }
  }

  #partitioned(from: string, to: string, elapsed: number): boolean {
    for (const p of this.#config.partitions) {
      if (elapsed < p.fromMs || elapsed >= p.toMs) continue;
      const a = p.groups.findIndex((g) => g.includes(from));
      const b = p.groups.findIndex((g) => g.includes(to));
      if (a !== b) return true;
    }
    return false;
  }
}
