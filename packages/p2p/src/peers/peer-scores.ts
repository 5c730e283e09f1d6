import { banDurationMs, banScore, maxScoredPeers, scoreRecoveryPerSecond } from '../constants.js';
import type { P2pCounters } from './metrics.js';

export interface PeerScoresOptions {
  /** Score at which a peer is banned. Default `banScore` (-100). */
  readonly banScore?: number;
  /** How long a ban lasts, ms. Default `banDurationMs` (10 min). */
  readonly banDurationMs?: number;
  /** Points recovered per second toward 0. Default `scoreRecoveryPerSecond` (1). */
  readonly recoveryPerSecond?: number;
}

export interface PeerScoresDependencies {
  readonly now: () => number;
  readonly counters: P2pCounters;
  /** Called once when a peer is banned: the host hangs up on it. */
  readonly onBan: (peer: string, reason: string) => void;
}

interface Entry {
  score: number;
  at: number;
  bannedUntil: number;
}

/**
 * Each peer's score: it starts at 0, drops by a penalty for each invalid, oversized or
 * over-the-rate message, and recovers slowly toward 0. At `banScore` the peer is banned for
 * `banDurationMs`: the host hangs up on it and the gater refuses it until the ban ends. At most
 * `maxScoredPeers` peers are remembered (a peer id costs an attacker a key pair, so this bound
 * matters only against a flood of identities, which the allow-list and connection limits stop).
 */
export class PeerScores {
  readonly #ban: number;
  readonly #banMs: number;
  readonly #recovery: number;
  readonly #d: PeerScoresDependencies;
  readonly #peers = new Map<string, Entry>();

  constructor(options: PeerScoresOptions, deps: PeerScoresDependencies) {
    this.#ban = options.banScore ?? banScore;
    this.#banMs = options.banDurationMs ?? banDurationMs;
    this.#recovery = options.recoveryPerSecond ?? scoreRecoveryPerSecond;
    this.#d = deps;
  }

  /** The peer's current score (0 for an unknown peer). */
  score(peer: string): number {
    const entry = this.#peers.get(peer);
    if (entry === undefined) return 0;
    this.#recover(entry);
    return entry.score;
  }

  /** Lowers `peer`'s score by `points` for `reason`; bans it when the score reaches the threshold. */
  penalize(peer: string, points: number, reason: string): void {
    this.#d.counters.add(this.#d.counters.penalties, reason);
    const entry = this.#entry(peer);
    this.#recover(entry);
    if (this.isBanned(peer)) return;
    entry.score -= points;
    if (entry.score <= this.#ban) {
      entry.bannedUntil = this.#d.now() + this.#banMs;
      entry.score = 0;
      this.#d.counters.bans++;
      this.#d.onBan(peer, reason);
    }
  }

  isBanned(peer: string): boolean {
    const entry = this.#peers.get(peer);
    return entry !== undefined && entry.bannedUntil > this.#d.now();
  }

  /** Peers currently banned. */
  banned(): string[] {
    const now = this.#d.now();
    return [...this.#peers].filter(([, e]) => e.bannedUntil > now).map(([p]) => p);
  }

  #entry(peer: string): Entry {
    let entry = this.#peers.get(peer);
    if (entry === undefined) {
      entry = { score: 0, at: this.#d.now(), bannedUntil: 0 };
      this.#peers.set(peer, entry);
      if (this.#peers.size > maxScoredPeers) this.#evict();
    }
    return entry;
  }

  /** Forgets the oldest peer that is not banned. */
  #evict(): void {
    const now = this.#d.now();
    for (const [peer, entry] of this.#peers) {
      if (entry.bannedUntil <= now) {
        this.#peers.delete(peer);
        return;
      }
    }
  }

  #recover(entry: Entry): void {
    const now = this.#d.now();
    const elapsed = Math.max(0, now - entry.at) / 1000;
    entry.at = now;
    if (entry.score < 0) entry.score = Math.min(0, entry.score + elapsed * this.#recovery);
  }
}
