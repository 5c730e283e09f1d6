import type { ChainState } from '../chain/chain-state.js';
import { maxLocalEvidence } from '../constants.js';
import { toHex } from '../crypto/hash.js';
import { apply } from '../engine/machine.js';
import type { Effect, Input } from '../engine/types.js';
import type { Startable } from '../startable.js';
import type { DuplicateVoteEvidence } from '../vote/evidence.js';
import { rebroadcastIfStuck } from './catch-up.js';
import { CatchUpBudget } from './catch-up-budget.js';
import { commitDecision } from './commit-block.js';
import { haltFor } from './disk-full.js';
import type { ConsensusHaltError } from './halt.js';
import { resumeHeight, startChain } from './handshake.js';
import type { HeightFootprint } from './height-blocks.js';
import { HeightContext } from './height-context.js';
import { type MutableDriverHost, reportFault, SELF, type StartTrigger, writeRecord } from './host.js';
import { FutureMessages, handleMessage } from './inbound.js';
import { InputQueue } from './input-queue.js';
import { InputShares } from './input-shares.js';
import type { ConsensusMessage } from './messages.js';
import { type CommittedEvent, type DriverDeps, type DriverOptions, defaultDriverOptions } from './options.js';
import { engineRefusal, peerFault } from './peer-fault.js';
import { type Logger, silentLogger } from './ports.js';
import { buildValue, propose, vote } from './signing.js';
import { Timers } from './timers.js';
import type { PeerId } from './transport.js';

export { type CommittedEvent, type DriverDeps, type DriverOptions, defaultDriverOptions } from './options.js';

/**
 * The host of the consensus core. It keeps the lifecycle, the one serial input queue and the
 * core's effects; the rest lives beside it: each height's state (height-context.ts), the checks
 * that admit a message (admission.ts, block-validity.ts) and its handling (inbound.ts), peers
 * ahead or behind (catch-up.ts), what this node signs (signing.ts), the start (handshake.ts) and
 * the commit of a decided block (commit-block.ts, shared with block sync). All inputs go through
 * the queue, so the core sees them one at a time and a node's behaviour depends only on their order.
 */
export class ConsensusDriver implements Startable {
  readonly #o: DriverOptions;
  readonly #d: DriverDeps;
  readonly #log: Logger;
  /** The state the driver's modules see (the current height, the last decision, …). */
  readonly #h: MutableDriverHost;
  readonly #timers: Timers;
  /** The chain state after the last committed block. */
  #state!: ChainState;
  #lastBlockAppHash: Uint8Array | null = null;
  #running = false;
  readonly #queue: InputQueue;
  readonly #shares: InputShares;
  #localEvidence: DuplicateVoteEvidence[] = [];
  #listeners = new Set<(event: CommittedEvent) => void>();
  #evidenceListeners = new Set<(evidence: DuplicateVoteEvidence) => void>();
  #lastTick = '';
  /** Unsubscribes from the mempool's `onTxsAvailable` (set while running). */
  #offTxs: (() => void) | null = null;

  constructor(options: Partial<DriverOptions>, deps: DriverDeps) {
    this.#o = { ...defaultDriverOptions, ...options };
    this.#d = deps;
    this.#log = deps.logger ?? silentLogger;
    this.#timers = new Timers(deps.clock);
    this.#queue = new InputQueue(this.#log, () => this.#quiet());
    this.#shares = new InputShares(this.#o);
    this.#h = {
      options: this.#o,
      deps,
      log: this.#log,
      ctx: undefined as unknown as HeightContext,
      replaying: false,
      lastCommit: null,
      lastDecision: null,
      future: new FutureMessages(this.#o.maxFutureMessages, this.#o.maxProposalRoundsAhead),
      catchUp: new CatchUpBudget({}, { now: () => deps.clock.now() }),
      input: (input, peer) => this.#input(input, peer),
      record: (record, sync) => writeRecord(this.#h, record, sync),
      reject: (peer, code) => reportFault(this.#h, peer, code),
      startHeightIfWaiting: (trigger) => this.#startHeightIfWaiting(trigger),
      afterLatePrecommit: () => {
        if (this.#allPrecommitted()) this.#nextHeightAfter(0);
      },
    };
  }

  get height(): number {
    return this.#h.ctx?.height ?? 0;
  }
  get round(): number {
    return this.#h.ctx?.hs.round ?? 0;
  }
  get chainState(): ChainState {
    return this.#state;
  }
  /** What the current height's blocks and proposals hold in memory (bounded by `limits.ts`). */
  get heightFootprint(): HeightFootprint {
    return this.#h.ctx.blocks.footprint();
  }

  /** Called with every committed block; returns a function that unsubscribes. */
  onCommit(listener: (event: CommittedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called with the evidence of every equivocation this node detects; returns a function that unsubscribes. */
  onEvidence(listener: (evidence: DuplicateVoteEvidence) => void): () => void {
    this.#evidenceListeners.add(listener);
    return () => this.#evidenceListeners.delete(listener);
  }

  /** Called once if the driver halts (no input, no signature after; `start` rejects). Returns an unsubscribe. */
  onHalt(listener: (error: ConsensusHaltError) => void): () => void {
    return this.#queue.halt.listen(listener);
  }

  /** Loads or creates the chain state, replays missing blocks into the app, then runs. Idempotent. */
  async start(): Promise<void> {
    this.#queue.halt.check();
    if (this.#running) return;
    this.#running = true;
    this.#d.transport.onMessage((peer, message) => this.#receive(peer, message));
    this.#offTxs = this.#d.mempool.onTxsAvailable(() => this.#startHeightIfWaiting('txs'));
    const start = await startChain(this.#d, this.#log);
    this.#state = start.state;
    this.#h.lastCommit = start.lastCommit;
    this.#lastBlockAppHash = start.lastBlockAppHash;
    await this.#queue.run(() => this.#enterHeight(this.#state.lastBlockHeight + 1));
    this.#queue.halt.check();
    this.#scheduleRebroadcast();
  }

  /** Stops timers, the mempool subscription and input processing; waits for the input in progress. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#quiet();
    await this.#queue.idle();
  }

  /** Takes no more input: no timers, no mempool subscription. */
  #quiet(): void {
    this.#running = false;
    this.#offTxs?.();
    this.#offTxs = null;
    this.#timers.cancelAll();
  }

  // ---- input queue -------------------------------------------------------------------------

  /** Queues a peer's message; past the queue's or the peer's share, drops it: an `ignore`, the overload is ours. */
  #receive(peer: PeerId, message: ConsensusMessage): void {
    if (!this.#running) return;
    if (!this.#shares.admit(peer)) this.#d.transport.reportPeer(peer, peerFault('INPUT_QUEUE_FULL'));
    else
      void this.#queue.run(async () => {
        this.#shares.release(peer);
        if (this.#running) await handleMessage(this.#h, peer, message);
      });
  }

  // ---- the core and its effects --------------------------------------------------------------

  async #input(input: Input, peer: PeerId = SELF): Promise<void> {
    const effects = apply(this.#h.ctx.hs, input);
    for (const effect of effects) {
      try {
        await this.#effect(effect, peer);
      } catch (error) {
        const halt = haltFor(error);
        if (halt !== null) throw halt;
        // One failed effect (a block that could not be built, a full disk for one record) must
        // not drop the effects after it, such as the timeout that lets the round move on.
        const fields = { error: String(error), effect: effect.kind, height: this.#h.ctx.height };
        this.#log.warn(fields, 'effect failed');
      }
    }
  }

  async #effect(effect: Effect, peer: PeerId): Promise<void> {
    const h = this.#h;
    const height = h.ctx.height;
    switch (effect.kind) {
      case 'newRound':
        this.#log.debug({ height, round: effect.round }, 'new round');
        return;
      case 'getValue':
        if (!h.replaying) await buildValue(h, effect.round);
        return;
      case 'propose':
        if (!h.replaying) await propose(h, effect.round, effect.value, effect.polRound);
        return;
      case 'vote':
        return vote(h, effect.type, effect.round, effect.value);
      case 'scheduleTimeout': {
        const { step, round } = effect;
        this.#timer(effect.delayMs, async () => {
          if (h.ctx.height !== height) return;
          await this.#h.record({ kind: 'timeout', step, round }, false);
          await this.#input({ kind: 'timeout', step, round });
        });
        return;
      }
      case 'decide':
        return this.#finalize(effect.round, effect.value);
      case 'evidence': {
        const evidence = effect.evidence;
        if (this.#localEvidence.length < maxLocalEvidence) this.#localEvidence.push(evidence);
        for (const listener of this.#evidenceListeners) listener(evidence);
        this.#log.warn({ height, validator: toHex(evidence.voteA.validatorAddress) }, 'equivocation seen');
        return;
      }
      case 'rejected':
        return h.reject(peer, engineRefusal(effect.reason));
    }
  }

  async #finalize(round: number, value: string): Promise<void> {
    const ctx = this.#h.ctx;
    const { block, commit, next } = await commitDecision(this.#h, round, value, this.#localEvidence);
    this.#localEvidence.length = 0;
    this.#state = next;
    this.#lastBlockAppHash = block.header.appHash;
    this.#h.lastDecision = { kind: 'decision', block, commit };
    // A block learnt whole from a peer means this node is behind: no wait for more precommits
    // then; nor when every validator's is already in.
    const caughtUp = ctx.certified !== null;
    this.#nextHeightAfter(caughtUp || this.#allPrecommitted() ? 0 : this.#o.timeouts.commitMs);
    this.#log.info({ height: ctx.height, round, txs: block.txs.length }, 'committed block');
    for (const listener of this.#listeners) listener({ block, commit, state: next });
  }

  /** Enters the height after the decided one in `delayMs` (a second call for the same height is a no-op then). */
  #nextHeightAfter(delayMs: number): void {
    const ctx = this.#h.ctx;
    this.#timer(delayMs, async () => {
      if (this.#h.ctx === ctx) await this.#enterHeight(ctx.height + 1);
    });
  }

  /** With `skipTimeoutCommit`: whether the next height may start at once (see `HeightContext.allPrecommitted`). */
  #allPrecommitted(): boolean {
    return this.#o.skipTimeoutCommit && this.#h.ctx.allPrecommitted(this.#state.lastBlockHeight);
  }

  async #enterHeight(height: number): Promise<void> {
    const h = this.#h;
    // Precommits that arrived while waiting make the last commit stronger.
    if (h.ctx?.hs.decision != null) h.lastCommit = h.ctx.commitOfDecision();
    h.ctx = new HeightContext(height, this.#state, this.#d.signer, this.#o.timeouts);
    await resumeHeight(h);
    this.#startHeightIfWaiting('enter');
    for (const [peer, message] of h.future.take()) await handleMessage(h, peer, message);
  }

  /** Starts round 0 now, or when there is something to put in a block (createEmptyBlocks=false). */
  #startHeightIfWaiting(trigger: StartTrigger): void {
    const ctx = this.#h.ctx;
    if (ctx === undefined || ctx.hs.started || !this.#running) return;
    const waiting = !this.#o.createEmptyBlocks && trigger === 'enter' && this.#d.mempool.size() === 0;
    const { delayMs, trigger: then } = waiting
      ? ctx.idleStartDelay(this.#lastBlockAppHash, this.#o)
      : { delayMs: 0, trigger };
    if (delayMs !== 0) {
      if (delayMs !== null)
        this.#timers.set(delayMs, () => {
          void this.#queue.run(async () => {
            if (this.#h.ctx === ctx) this.#startHeightIfWaiting(then);
          });
        });
      return;
    }
    void this.#queue.run(async () => {
      if (this.#h.ctx !== ctx || ctx.hs.started) return;
      await this.#h.record({ kind: 'start' }, false);
      await this.#input({ kind: 'start' });
    });
  }

  /** After `delayMs`, runs `task` in the input queue if the driver still runs. */
  #timer(delayMs: number, task: () => Promise<void>): void {
    if (!this.#running) return;
    this.#timers.set(delayMs, () => {
      void this.#queue.run(async () => {
        if (this.#running) await task();
      });
    });
  }

  /** Every `rebroadcastMs`: re-sends own votes and status when stuck (see `rebroadcastIfStuck`). */
  #scheduleRebroadcast(): void {
    if (!this.#running) return;
    this.#timers.set(this.#o.rebroadcastMs, () => {
      this.#lastTick = rebroadcastIfStuck(this.#h, this.#lastTick);
      this.#scheduleRebroadcast();
    });
  }
}
