import {
  type ChainState,
  type ChainStore,
  DecodeError,
  type Logger,
  type Startable,
  silentLogger,
} from '@joule/consensus';
import {
  maxSyncPeers,
  maxSyncResponseBlocks,
  penalties,
  syncBatchBlocks,
  syncMaxPendingBlocks,
  syncParallelRequests,
  syncPollMs,
  syncRequestTimeoutMs,
  syncStallMs,
  syncThresholdHeights,
} from '../constants.js';
import type { P2pHost } from '../host/host.js';
import { type BlockApplier, verifySyncedBlock } from './block-applier.js';
import { requestBlocks, type SyncResponse } from './fetch.js';
import type { SyncEntry } from './messages.js';

/** What block sync needs of the consensus driver: to stop it while blocks are applied, and to start it again. */
export interface ConsensusControl extends Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface BlockSyncOptions {
  /** Sync takes over when a peer is this many heights ahead. Default `syncThresholdHeights` (3). */
  readonly thresholdHeights?: number;
  /** Period of the status poll, ms. Default `syncPollMs`. */
  readonly pollMs?: number;
  /** Blocks per request. Default `syncBatchBlocks`. */
  readonly batchBlocks?: number;
  /** Requests in flight (each to another peer). Default `syncParallelRequests`. */
  readonly parallelRequests?: number;
  /** Blocks fetched ahead of the one being applied. Default `syncMaxPendingBlocks`. */
  readonly maxPendingBlocks?: number;
  /** Timeout of one request, ms. Default `syncRequestTimeoutMs`. */
  readonly requestTimeoutMs?: number;
  /** A session without an applied block for this long ends, ms. Default `syncStallMs`. */
  readonly stallMs?: number;
  /** How long a peer that served bad blocks or timed out is not asked again, ms. Default 60 s. */
  readonly excludeMs?: number;
}

export interface BlockSyncDependencies {
  readonly host: P2pHost;
  readonly store: Pick<ChainStore, 'height' | 'loadState'>;
  readonly applier: BlockApplier;
  readonly consensus: ConsensusControl;
  readonly logger?: Logger;
}

interface Pending {
  readonly entry: SyncEntry;
  readonly peer: string;
}

/**
 * Catches a node up that is heights behind (a reboot, a long 4G outage, a new node at genesis):
 * it polls its peers' stored heights; when one claims to be `thresholdHeights` ahead and serves a
 * next block that verifies, it stops the consensus driver, fetches blocks with their commits from
 * several peers at once, verifies each against the validators it already trusts (the chain state
 * it built itself), applies them in order, and starts the driver again. A claimed height is only a
 * reason to ask: a peer that does not serve what it claims, times out or serves a block that does
 * not verify loses score and is not asked again for `excludeMs`; a session that applies nothing
 * for `stallMs` hands back to consensus. So a lying peer costs at most one request's timeout.
 */
export class BlockSync implements Startable {
  readonly #o: Required<BlockSyncOptions>;
  readonly #d: BlockSyncDependencies;
  readonly #log: Logger;
  readonly #claims = new Map<string, number>();
  readonly #excluded = new Map<string, number>();
  #abort = new AbortController();
  #running = false;
  #syncing = false;
  #loop: Promise<void> | null = null;
  readonly #wakers = new Set<() => void>();
  #lastPoll = 0;

  constructor(options: BlockSyncOptions, deps: BlockSyncDependencies) {
    this.#o = {
      thresholdHeights: options.thresholdHeights ?? syncThresholdHeights,
      pollMs: options.pollMs ?? syncPollMs,
      batchBlocks: Math.min(options.batchBlocks ?? syncBatchBlocks, maxSyncResponseBlocks),
      parallelRequests: options.parallelRequests ?? syncParallelRequests,
      maxPendingBlocks: options.maxPendingBlocks ?? syncMaxPendingBlocks,
      requestTimeoutMs: options.requestTimeoutMs ?? syncRequestTimeoutMs,
      stallMs: options.stallMs ?? syncStallMs,
      excludeMs: options.excludeMs ?? 60_000,
    };
    this.#d = deps;
    this.#log = deps.logger ?? silentLogger;
  }

  /** Whether a sync session runs now (the consensus driver is stopped). */
  get syncing(): boolean {
    return this.#syncing;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    this.#loop = this.#run();
  }

  /** Ends a session in progress (the driver is started again), then stops polling. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#abort.abort();
    for (const wake of [...this.#wakers]) wake();
    await this.#loop;
    this.#loop = null;
  }

  /** A hint that a peer is ahead (from consensus gossip): poll soon. */
  trigger(): void {
    if (this.#syncing || this.#d.host.now() - this.#lastPoll <= this.#o.pollMs / 4) return;
    for (const wake of [...this.#wakers]) wake();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        await this.#pollAndMaybeSync();
      } catch (error) {
        this.#log.warn({ error: String(error) }, 'block sync round failed');
      }
      await this.#sleep(this.#o.pollMs);
    }
  }

  async #pollAndMaybeSync(): Promise<void> {
    this.#lastPoll = this.#d.host.now();
    const peers = this.#d.host.connectedPeers().filter((p) => !this.#isExcluded(p));
    await Promise.all(peers.map((peer) => this.#ask(peer, 0, 0)));
    const ours = this.#d.store.height();
    const candidates = [...this.#claims]
      .filter(([p, h]) => h >= ours + this.#o.thresholdHeights && !this.#isExcluded(p))
      .sort((a, b) => b[1] - a[1]);
    for (const [peer] of candidates) {
      if (!this.#running) return;
      // Gate: stop consensus only for a peer that serves a next block that verifies.
      const state = await this.#d.store.loadState();
      if (state === null) return;
      const next = state.lastBlockHeight + 1;
      const response = await this.#ask(peer, next, this.#o.batchBlocks);
      const first = response?.entries[0];
      if (first === undefined) continue;
      try {
        verifySyncedBlock(state, first.block, first.commit);
      } catch (error) {
        this.#blame(peer, penalties.badBlockSync, `bad block: ${(error as Error).message}`);
        continue;
      }
      const seed = (response?.entries ?? []).map((entry) => ({ entry, peer }));
      await this.#session(seed);
      return;
    }
  }

  /** One sync session: the driver is stopped from its start to its end. */
  async #session(seed: Pending[]): Promise<void> {
    this.#syncing = true;
    const sessionAbort = new AbortController();
    const signal = AbortSignal.any([this.#abort.signal, sessionAbort.signal]);
    await this.#d.consensus.stop();
    let applied = 0;
    try {
      let state = await this.#d.store.loadState();
      if (state === null) return;
      const startHeight = state.lastBlockHeight;
      this.#log.info({ height: startHeight }, 'block sync started');
      const pending = new Map<number, Pending>();
      const inflight = new Map<string, { from: number; to: number; done: Promise<void> }>();
      const put = (p: Pending) => {
        if (p.entry.block.header.height > (state as ChainState).lastBlockHeight)
          pending.set(p.entry.block.header.height, p);
      };
      for (const p of seed) put(p);
      let lastProgress = this.#d.host.now();
      while (this.#running) {
        // Apply every block that is next in line.
        for (;;) {
          const next = state.lastBlockHeight + 1;
          const p = pending.get(next);
          if (p === undefined) break;
          pending.delete(next);
          try {
            verifySyncedBlock(state, p.entry.block, p.entry.commit);
          } catch (error) {
            this.#blame(p.peer, penalties.badBlockSync, `bad block ${next}: ${(error as Error).message}`);
            for (const [h, q] of pending) if (q.peer === p.peer) pending.delete(h);
            break;
          }
          state = await this.#d.applier.apply(state, p.entry.block, p.entry.commit);
          applied++;
          this.#d.host.counters.syncedBlocks++;
          lastProgress = this.#d.host.now();
        }
        const next = state.lastBlockHeight + 1;
        const target = this.#bestClaim();
        if (next > target) break; // level with every peer that can be trusted to serve
        if (this.#d.host.now() - lastProgress > this.#o.stallMs) break;
        // Ask peers for the missing ranges.
        const limit = next + this.#o.maxPendingBlocks;
        for (const [peer, claim] of this.#claims) {
          if (inflight.size >= this.#o.parallelRequests) break;
          if (inflight.has(peer) || this.#isExcluded(peer) || claim < next) continue;
          const from = this.#firstMissing(next, Math.min(claim, limit - 1), pending, inflight);
          if (from === null) continue;
          const to = Math.min(from + this.#o.batchBlocks - 1, claim, limit - 1);
          const done = this.#fetchRange(peer, from, to, signal).then((entries) => {
            for (const entry of entries) put({ entry, peer });
            inflight.delete(peer);
          });
          inflight.set(peer, { from, to, done });
        }
        if (inflight.size === 0 && !pending.has(next)) break; // nobody left to ask
        await Promise.race([...[...inflight.values()].map((f) => f.done), this.#sleep(50)]);
      }
      this.#log.info({ from: startHeight, to: state.lastBlockHeight, applied }, 'block sync ended');
    } finally {
      sessionAbort.abort();
      this.#syncing = false;
      await this.#d.consensus.start();
    }
  }

  /** The lowest height in [from, to] neither fetched nor being fetched, or `null`. */
  #firstMissing(
    from: number,
    to: number,
    pending: Map<number, Pending>,
    inflight: Map<string, { from: number; to: number }>,
  ): number | null {
    outer: for (let h = from; h <= to; h++) {
      if (pending.has(h)) continue;
      for (const r of inflight.values()) if (h >= r.from && h <= r.to) continue outer;
      return h;
    }
    return null;
  }

  /** Fetches [from, to] from `peer`; returns the entries of the right heights (and blames a short answer). */
  async #fetchRange(peer: string, from: number, to: number, signal: AbortSignal): Promise<SyncEntry[]> {
    const response = await this.#ask(peer, from, to - from + 1, signal);
    if (response === null) return [];
    const entries: SyncEntry[] = [];
    for (const [i, entry] of response.entries.entries()) {
      if (entry.block.header.height !== from + i || entry.commit.height !== from + i) {
        this.#blame(peer, penalties.badBlockSync, 'block of the wrong height');
        return entries;
      }
      entries.push(entry);
    }
    if (entries.length === 0 && !signal.aborted) {
      // It claimed to have these blocks (or still does) and served none.
      this.#blame(peer, penalties.badBlockSync, `served no block from ${from}`);
    }
    return entries;
  }

  /** Sends one request; records the peer's claimed height; `null` (and blame) on failure. */
  async #ask(peer: string, from: number, count: number, signal?: AbortSignal): Promise<SyncResponse | null> {
    const timeout = AbortSignal.timeout(this.#o.requestTimeoutMs);
    const all = AbortSignal.any(
      signal ? [this.#abort.signal, signal, timeout] : [this.#abort.signal, timeout],
    );
    try {
      const response = await requestBlocks(this.#d.host, peer, from, count, all);
      this.#claim(peer, response.status.height);
      return response;
    } catch (error) {
      if (this.#abort.signal.aborted || signal?.aborted) return null;
      if (error instanceof DecodeError)
        this.#blame(peer, penalties.badBlockSync, `malformed: ${error.message}`);
      else if (timeout.aborted) this.#blame(peer, penalties.blockSyncTimeout, 'timeout');
      else this.#blame(peer, 0, `unreachable: ${String(error)}`, this.#o.pollMs); // a lost link is nobody's fault
      return null;
    }
  }

  #claim(peer: string, height: number): void {
    if (!this.#claims.has(peer) && this.#claims.size >= maxSyncPeers) return;
    this.#claims.set(peer, height);
  }

  #bestClaim(): number {
    let best = 0;
    for (const [peer, h] of this.#claims) if (!this.#isExcluded(peer) && h > best) best = h;
    return best;
  }

  #blame(peer: string, points: number, reason: string, excludeMs = this.#o.excludeMs): void {
    this.#log.debug({ peer, reason }, 'block sync peer blamed');
    if (points > 0) this.#d.host.scores.penalize(peer, points, 'block-sync');
    this.#claims.delete(peer);
    if (this.#excluded.size >= maxSyncPeers) this.#excluded.clear();
    this.#excluded.set(peer, this.#d.host.now() + excludeMs);
  }

  #isExcluded(peer: string): boolean {
    const until = this.#excluded.get(peer);
    if (until === undefined) return false;
    if (until > this.#d.host.now()) return true;
    this.#excluded.delete(peer);
    return false;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      this.#wakers.add(done);
      if (!this.#running) done();
    });
  }
}
