import type { Application } from '../app/application.js';
import { type Block, blockId as blockIdOf } from '../block/block.js';
import { blockIdEquals } from '../block/block-id.js';
import { type Commit, CommitFlag, commitSigToVote, verifyCommit } from '../block/commit.js';
import { applyBlock, misbehaviorOf } from '../chain/apply-block.js';
import type { ChainState } from '../chain/chain-state.js';
import type { ChainStore } from '../chain/chain-store.js';
import { type Genesis, genesisState } from '../chain/update-state.js';
import { equalBytes } from '../codec/canonical.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { apply, newHeightState } from '../engine/machine.js';
import {
  defaultTimeouts,
  type Effect,
  type HeightState,
  type Input,
  type Timeouts,
} from '../engine/types.js';
import { proposerForRound } from '../validators/proposer.js';
import { indexOfValidator, totalVotingPower } from '../validators/validator-set.js';
import type { DuplicateVoteEvidence } from '../vote/evidence.js';
import { verifyProposalSignature } from '../vote/proposal.js';
import { type Vote, VoteType, verifyVoteSignature } from '../vote/vote.js';
import { valueIdOf } from '../votes/vote-keeper.js';
import { isOneThird, isQuorum, weightsOf } from '../votes/weights.js';
import type { Wal } from '../wal/wal.js';
import { checkBlock, expectedBlockTime, makeNextBlock } from './block-check.js';
import type { Clock } from './clock.js';
import { buildCommit } from './commit-builder.js';
import type { ConsensusMessage, DecisionMessage, ProposalMessage, StatusMessage } from './messages.js';
import { type EvidenceSource, type Logger, type Signer, silentLogger, type TxPool } from './ports.js';
import type { PeerId, Transport } from './transport.js';
import { decodeWalRecord, encodeWalRecord, type WalRecord } from './wal-records.js';

export interface DriverOptions {
  readonly timeouts: Timeouts;
  /** As CometBFT: false waits for transactions (or the interval, or a needed proof block) before each height. */
  readonly createEmptyBlocks: boolean;
  /** With `createEmptyBlocks` false, still make a block after this long (0: never). */
  readonly createEmptyBlocksIntervalMs: number;
  /**
   * As CometBFT's `skip_timeout_commit`: once precommits for the decided block from every
   * validator (100 % of the power) are in, the next height starts without waiting out
   * `timeouts.commitMs` (nothing is left to wait for). Off by default.
   */
  readonly skipTimeoutCommit: boolean;
  /** Period of the rebroadcast of own votes and status, ms. */
  readonly rebroadcastMs: number;
  /** Most inputs waiting to be processed; more are dropped (and the peer told). */
  readonly maxPendingInputs: number;
  /** Most messages for the next height kept until it starts. */
  readonly maxFutureMessages: number;
  /** Proposals are accepted for at most this many rounds above the current one. */
  readonly maxProposalRoundsAhead: number;
}

export const defaultDriverOptions: DriverOptions = {
  timeouts: defaultTimeouts,
  createEmptyBlocks: true,
  createEmptyBlocksIntervalMs: 0,
  skipTimeoutCommit: false,
  rebroadcastMs: 2000,
  maxPendingInputs: 10_000,
  maxFutureMessages: 1_000,
  maxProposalRoundsAhead: 100,
};

export interface DriverDeps {
  readonly genesis: Genesis;
  readonly app: Application;
  readonly store: ChainStore;
  readonly wal: Wal;
  readonly transport: Transport;
  readonly clock: Clock;
  /** `null` for a node that follows the chain without voting. */
  readonly signer: Signer | null;
  readonly mempool: TxPool;
  readonly evidence: EvidenceSource;
  readonly logger?: Logger;
}

/** A committed block as the driver reports it to observers. */
export interface CommittedEvent {
  readonly block: Block;
  readonly commit: Commit;
  readonly state: ChainState;
}

const SELF = 'self';
/** Most equivocations kept from the current height until it commits and they can enter the pool. */
const maxLocalEvidence = 100;

/**
 * The host of the consensus core: it checks every message (height, signer, signature, block
 * validity), writes the WAL before acting, signs through the double-sign guard, turns the core's
 * effects into I/O (broadcasts, timers, commits) and runs one height after another. All inputs go
 * through one serial queue, so the core sees them one at a time and a node's behaviour depends only
 * on the order of its inputs.
 */
export class ConsensusDriver {
  readonly #o: DriverOptions;
  readonly #d: DriverDeps;
  readonly #log: Logger;
  /** The chain state after the last committed block. */
  #state!: ChainState;
  /** The chain state the current height builds on (equal to `#state` until the height commits). */
  #hstate!: ChainState;
  #hs!: HeightState;
  #running = false;
  #replaying = false;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #timers = new Set<() => void>();
  #blocks = new Map<string, Block>();
  #validity = new Map<string, boolean>();
  #proposalMsgs = new Map<number, ProposalMessage>();
  #future: [PeerId, ConsensusMessage][] = [];
  #lastCommit: Commit | null = null;
  #lastDecision: DecisionMessage | null = null;
  #lastBlockAppHash: Uint8Array | null = null;
  #localEvidence: DuplicateVoteEvidence[] = [];
  #listeners: ((event: CommittedEvent) => void)[] = [];
  #evidenceListeners: ((evidence: DuplicateVoteEvidence) => void)[] = [];
  #lastTick = '';
  /** A verified commit for this height's block, received whole from a peer. */
  #certified: Commit | null = null;
  /** Whether this height already told the peers where it is after seeing them ahead. */
  #askedAhead = false;

  constructor(options: Partial<DriverOptions>, deps: DriverDeps) {
    this.#o = { ...defaultDriverOptions, ...options };
    this.#d = deps;
    this.#log = deps.logger ?? silentLogger;
  }

  get height(): number {
    return this.#hs?.height ?? 0;
  }
  get round(): number {
    return this.#hs?.round ?? 0;
  }
  get chainState(): ChainState {
    return this.#state;
  }

  onCommit(listener: (event: CommittedEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** Called with the evidence of every equivocation this node detects. */
  onEvidence(listener: (evidence: DuplicateVoteEvidence) => void): void {
    this.#evidenceListeners.push(listener);
  }

  /** Loads or creates the chain state, replays missing blocks into the app, then runs. Idempotent. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#d.transport.onMessage((peer, message) => this.#receive(peer, message));
    this.#d.mempool.onTxsAvailable(() => this.#startHeightIfWaiting('txs'));
    const stored = await this.#d.store.loadState();
    this.#state = stored ?? (await this.#initChain());
    await this.#handshake(stored !== null);
    this.#lastCommit =
      this.#state.lastBlockHeight >= this.#state.initialHeight
        ? await this.#d.store.loadCommit(this.#state.lastBlockHeight)
        : null;
    const lastBlock =
      this.#state.lastBlockHeight >= this.#state.initialHeight
        ? await this.#d.store.loadBlock(this.#state.lastBlockHeight)
        : null;
    this.#lastBlockAppHash = lastBlock?.header.appHash ?? null;
    await this.#serial(() => this.#enterHeight(this.#state.lastBlockHeight + 1));
    this.#scheduleRebroadcast();
  }

  /** Stops timers and input processing; waits for the input in progress. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    await this.#queue;
  }

  async #initChain(): Promise<ChainState> {
    const g = this.#d.genesis;
    const response = await this.#callInitChain();
    const validators = response.validators.length > 0 ? response.validators : g.validators;
    const state = genesisState(g, validators, response.appHash);
    await this.#d.store.saveGenesisState(state);
    return state;
  }

  /** The application's `initChain` with the genesis this node was given. */
  #callInitChain(): ReturnType<Application['initChain']> {
    const g = this.#d.genesis;
    return this.#d.app.initChain({
      chainId: g.chainId,
      time: g.genesisTime,
      initialHeight: g.initialHeight,
      validators: g.validators,
      appStateBytes: g.appState,
    });
  }

  /**
   * Brings the application level with the chain store (CometBFT's handshake): an application with
   * no chain yet gets `initChain` again (the node may have stopped between saving the genesis state
   * and committing block 1), then every committed block it has not applied is replayed into it.
   */
  async #handshake(hadState: boolean): Promise<void> {
    const info = await this.#d.app.info();
    const stored = this.#state.lastBlockHeight;
    if (info.lastBlockHeight > stored) {
      throw new Error(
        `application is at height ${info.lastBlockHeight}, ahead of the block store at ${stored}`,
      );
    }
    if (hadState && info.lastBlockHeight === 0) {
      const response = await this.#callInitChain();
      if (stored < this.#state.initialHeight && !equalBytes(response.appHash, this.#state.appHash)) {
        throw new Error('the application computes another genesis app hash than the stored chain state');
      }
      this.#log.info({}, 'the application had no chain: initChain again');
    }
    for (let h = Math.max(info.lastBlockHeight + 1, this.#state.initialHeight); h <= stored; h++) {
      const block = await this.#d.store.loadBlock(h);
      if (block === null)
        throw new Error(`block ${h} is missing from the store; cannot replay it into the application`);
      await this.#d.app.finalizeBlock({
        block,
        hash: blockIdOf(block).hash,
        misbehavior: await misbehaviorOf(block, this.#d.store),
      });
      await this.#d.app.commit();
      this.#log.info({ height: h }, 'replayed block into the application');
    }
    if (stored >= this.#state.initialHeight) {
      const after = await this.#d.app.info();
      if (!equalBytes(after.lastBlockAppHash, this.#state.appHash)) {
        throw new Error(
          `the application's app hash at height ${stored} differs from the chain's: its state has diverged (restore it from a snapshot or resync)`,
        );
      }
    }
  }

  // ---- input queue -------------------------------------------------------------------------

  #serial(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task).catch((error: unknown) => {
      this.#log.warn({ error: String(error), stack: (error as Error)?.stack }, 'consensus input failed');
    });
    this.#queue = run;
    return run;
  }

  #receive(peer: PeerId, message: ConsensusMessage): void {
    if (!this.#running) return;
    if (this.#pending >= this.#o.maxPendingInputs) {
      this.#d.transport.reportPeer(peer, 'input queue full');
      return;
    }
    this.#pending++;
    void this.#serial(async () => {
      this.#pending--;
      if (this.#running) await this.#handle(peer, message);
    });
  }

  async #record(record: WalRecord, sync: boolean): Promise<void> {
    if (!this.#replaying) await this.#d.wal.append(encodeWalRecord(record), { sync });
  }

  async #handle(peer: PeerId, message: ConsensusMessage): Promise<void> {
    switch (message.kind) {
      case 'vote':
        return this.#onVote(peer, message.vote);
      case 'votes':
        for (const vote of message.votes) await this.#onVote(peer, vote);
        return;
      case 'proposal':
        return this.#onProposal(peer, message);
      case 'decision':
        return this.#onDecision(peer, message);
      case 'status':
        return this.#onStatus(peer, message);
    }
  }

  #bufferFuture(peer: PeerId, message: ConsensusMessage): void {
    if (this.#future.length >= this.#o.maxFutureMessages) return;
    // One peer may fill at most a tenth of the buffer, so a flooding peer cannot crowd out the rest.
    let fromPeer = 0;
    for (const [p] of this.#future) if (p === peer) fromPeer++;
    if (fromPeer < Math.ceil(this.#o.maxFutureMessages / 10)) this.#future.push([peer, message]);
  }

  async #onVote(peer: PeerId, vote: Vote): Promise<void> {
    const hs = this.#hs;
    if (vote.height !== hs.height) {
      if (vote.height > hs.height) this.#noticeAhead(vote.height);
      if (vote.height === hs.height + 1) this.#bufferFuture(peer, { kind: 'vote', vote });
      return; // stale votes are normal in gossip
    }
    const who = toHex(vote.validatorAddress);
    const known = hs.votes.voteFor(vote.type, vote.round, who, valueIdOf(vote));
    if (known !== undefined && equalBytes(known.signature, vote.signature)) return;
    const validator = this.#hstate.validators.validators[vote.validatorIndex];
    if (validator === undefined || !equalBytes(validator.address, vote.validatorAddress)) {
      return this.#reject(peer, 'vote from a non-validator or with a wrong index');
    }
    if (!verifyVoteSignature(this.#hstate.chainId, vote, validator.pubKey)) {
      return this.#reject(peer, 'bad vote signature');
    }
    // Nothing the keeper would not count reaches the WAL: a re-signed copy of a known vote, a
    // third value, or a round too far ahead (which is also reported: it is spam).
    const admission = hs.votes.admission(vote, hs.round);
    if (admission === 'too-far-ahead') return this.#reject(peer, 'too-far-ahead');
    if (admission === 'duplicate') return;
    await this.#record({ kind: 'message', peer, message: { kind: 'vote', vote } }, peer === SELF);
    await this.#input({ kind: 'vote', vote }, peer);
    // A late precommit that completes the decided block's commit ends the commit wait.
    if (hs.decision !== null && vote.type === VoteType.Precommit && this.#allPrecommitted())
      this.#nextHeightAfter(0);
    // An idle node (createEmptyBlocks=false) joins a height that more than 1/3 of the power started.
    if (isOneThird(hs.votes.senderPower(vote.round), hs.votes.weights.total))
      this.#startHeightIfWaiting('vote');
  }

  async #onProposal(peer: PeerId, message: ProposalMessage): Promise<void> {
    const hs = this.#hs;
    const { proposal, block } = message;
    if (proposal.height !== hs.height) {
      if (proposal.height > hs.height) this.#noticeAhead(proposal.height);
      if (proposal.height === hs.height + 1) this.#bufferFuture(peer, message);
      return;
    }
    if (hs.proposals.has(proposal.round)) return;
    if (proposal.round > hs.round + this.#o.maxProposalRoundsAhead)
      return this.#reject(peer, 'proposal too far ahead');
    if (proposal.polRound >= proposal.round)
      return this.#reject(peer, 'proposal polRound not below its round');
    const proposer = proposerForRound(this.#hstate.validators, proposal.round);
    if (!verifyProposalSignature(this.#hstate.chainId, proposal, proposer.pubKey)) {
      return this.#reject(peer, 'proposal not signed by the round proposer');
    }
    const id = blockIdOf(block);
    if (!blockIdEquals(id, proposal.blockId))
      return this.#reject(peer, 'proposal block does not match its block id');
    const valid = await this.#validate(block, peer);
    await this.#record({ kind: 'message', peer, message }, peer === SELF);
    this.#proposalMsgs.set(proposal.round, message);
    const value = toHex(id.hash);
    this.#log.debug(
      {
        height: hs.height,
        round: proposal.round,
        polRound: proposal.polRound,
        value: value.slice(0, 8),
        valid,
        from: peer,
      },
      'proposal',
    );
    this.#blocks.set(value, block);
    await this.#input(
      {
        kind: 'proposal',
        round: proposal.round,
        record: { value, polRound: proposal.polRound, valid, proposer: toHex(proposer.address) },
      },
      peer,
    );
    if (valid) this.#startHeightIfWaiting('proposal');
  }

  async #onDecision(peer: PeerId, message: DecisionMessage): Promise<void> {
    const hs = this.#hs;
    const { block, commit } = message;
    if (block.header.height > hs.height) this.#noticeAhead(block.header.height);
    if (block.header.height !== hs.height || hs.decision !== null) return;
    const id = blockIdOf(block);
    if (this.#certified !== null && blockIdEquals(this.#certified.blockId, id)) return;
    try {
      verifyCommit(this.#hstate.chainId, this.#hstate.validators, id, hs.height, commit);
    } catch (error) {
      return this.#reject(peer, `decision with an invalid commit: ${(error as Error).message}`);
    }
    // +2/3 of the power committed it, so (as CometBFT) the chain rules are checked but not this
    // node's processProposal: the application must accept any block the chain decided.
    const valid = await this.#validate(block, peer, { certified: true });
    if (!valid) return;
    await this.#record({ kind: 'message', peer, message }, false);
    this.#certified = commit;
    const value = toHex(id.hash);
    this.#blocks.set(value, block);
    // Keep the precommits: they make this node's commit for the next block's lastCommit.
    for (let i = 0; i < commit.signatures.length; i++) {
      const vote = commitSigToVote(commit, i);
      if (vote !== null) await this.#input({ kind: 'vote', vote }, peer);
    }
    if (hs.decision === null)
      await this.#input({ kind: 'commitCertificate', round: commit.round, value, valid }, peer);
  }

  async #onStatus(peer: PeerId, status: StatusMessage): Promise<void> {
    const hs = this.#hs;
    if (status.height < hs.height) {
      const decision =
        (status.height === hs.height - 1 ? this.#lastDecision : null) ??
        (await this.#storedDecision(status.height));
      if (decision !== null) this.#d.transport.send(peer, decision);
      return;
    }
    if (status.height !== hs.height) return;
    if (hs.decision !== null) {
      const block = this.#blocks.get(hs.decision.value);
      if (block !== undefined)
        this.#d.transport.send(peer, { kind: 'decision', block, commit: this.#commitOfDecision() });
      return;
    }
    const behind = status.round < hs.round || (status.round === hs.round && status.step < hs.step);
    const waitingForProposal = status.round === hs.round && status.step === 1;
    if (!behind && !waitingForProposal) return;
    const proposal = this.#proposalMsgs.get(hs.round);
    if (proposal !== undefined) this.#sendProposal(peer, proposal);
    if (!behind) return;
    const votes = [status.round, hs.round].flatMap((r) => [
      ...hs.votes.votes(VoteType.Prevote, r),
      ...hs.votes.votes(VoteType.Precommit, r),
    ]);
    if (votes.length > 0) this.#d.transport.send(peer, { kind: 'votes', votes });
  }

  /**
   * Sends a proposal with its proof of lock: a node locked in an older round prevotes a
   * re-proposal only when it holds the +2/3 prevotes of its polRound (L28), which it may have missed.
   */
  #sendProposal(peer: PeerId | null, message: ProposalMessage): void {
    const send = (m: ConsensusMessage) =>
      peer === null ? this.#d.transport.broadcast(m) : this.#d.transport.send(peer, m);
    send(message);
    const { polRound, blockId } = message.proposal;
    if (polRound < 0) return;
    const value = toHex(blockId.hash);
    const pol = this.#hs.votes
      .votes(VoteType.Prevote, polRound)
      .filter((v) => v.blockId !== null && toHex(v.blockId.hash) === value);
    this.#log.debug(
      { round: message.proposal.round, polRound, pol: pol.length, to: peer ?? 'all' },
      'proof of lock sent',
    );
    if (pol.length > 0) send({ kind: 'votes', votes: pol });
  }

  async #storedDecision(height: number): Promise<DecisionMessage | null> {
    if (height < this.#d.store.base()) return null;
    const [block, commit] = await Promise.all([
      this.#d.store.loadBlock(height),
      this.#d.store.loadCommit(height),
    ]);
    return block !== null && commit !== null ? { kind: 'decision', block, commit } : null;
  }

  /**
   * A message from a later height: this node is behind, so it says where it is (once per height).
   * Not for the next height once this one is decided: the node is committing its block (or waiting
   * out the commit timeout) and handles the buffered messages when the next height starts; a status
   * now would only make every peer ahead send this height's whole block back as a decision.
   */
  #noticeAhead(height: number): void {
    if (this.#askedAhead || this.#replaying) return;
    if (height === this.#hs.height + 1 && this.#hs.decision !== null) return;
    this.#askedAhead = true;
    const hs = this.#hs;
    this.#d.transport.broadcast({ kind: 'status', height: hs.height, round: hs.round, step: hs.step });
  }

  #reject(peer: PeerId, reason: string): void {
    if (peer !== SELF) this.#d.transport.reportPeer(peer, reason);
    this.#log.debug({ peer, reason, height: this.#hs.height }, 'message refused');
  }

  /** Whether a block may be decided: chain rules, evidence, then the application. Cached per block. */
  async #validate(block: Block, peer: PeerId, options: { certified?: boolean } = {}): Promise<boolean> {
    const key = toHex(blockIdOf(block).hash);
    const cached = this.#validity.get(key);
    if (cached !== undefined && (cached || !options.certified)) return cached;
    try {
      checkBlock(this.#hstate, block);
      await this.#d.evidence.checkBlockEvidence(block.evidence, {
        height: this.#hstate.lastBlockHeight,
        time: this.#hstate.lastBlockTime,
      });
    } catch (error) {
      // Chain rules are deterministic: the verdict is final for this height.
      this.#validity.set(key, false);
      this.#reject(peer, `invalid block: ${(error as Error).message}`);
      return false;
    }
    if (options.certified) return true;
    let verdict: 'accept' | 'reject';
    try {
      verdict = await this.#d.app.processProposal({
        height: block.header.height,
        time: block.header.time,
        proposerAddress: block.header.proposerAddress,
        txs: block.txs,
        hash: fromHex(key),
      });
    } catch (error) {
      // A failing application is not a verdict: not cached, so the block is judged again.
      this.#log.warn({ error: String(error), height: block.header.height }, 'processProposal failed');
      return false;
    }
    const valid = verdict === 'accept';
    this.#validity.set(key, valid);
    if (!valid) this.#reject(peer, 'application rejected the proposed block');
    return valid;
  }

  // ---- the core and its effects --------------------------------------------------------------

  async #input(input: Input, peer: PeerId = SELF): Promise<void> {
    const effects = apply(this.#hs, input);
    for (const effect of effects) {
      try {
        await this.#effect(effect, peer);
      } catch (error) {
        // One failed effect (a block that could not be built, a full disk for one record) must
        // not drop the effects after it, such as the timeout that lets the round move on.
        this.#log.warn(
          { error: String(error), effect: effect.kind, height: this.#hs.height },
          'effect failed',
        );
      }
    }
  }

  async #effect(effect: Effect, peer: PeerId): Promise<void> {
    const hs = this.#hs;
    switch (effect.kind) {
      case 'newRound':
        this.#log.debug({ height: hs.height, round: effect.round }, 'new round');
        return;
      case 'getValue':
        if (!this.#replaying) await this.#buildValue(effect.round);
        return;
      case 'propose':
        if (!this.#replaying) await this.#propose(effect.round, effect.value, effect.polRound);
        return;
      case 'vote':
        return this.#vote(effect.type, effect.round, effect.value);
      case 'scheduleTimeout':
        this.#timer(effect.delayMs, () => {
          const height = hs.height;
          void this.#serial(async () => {
            if (!this.#running || this.#hs.height !== height) return;
            await this.#record({ kind: 'timeout', step: effect.step, round: effect.round }, false);
            await this.#input({ kind: 'timeout', step: effect.step, round: effect.round });
          });
        });
        return;
      case 'decide':
        return this.#finalize(effect.round, effect.value);
      case 'evidence':
        if (this.#localEvidence.length < maxLocalEvidence) this.#localEvidence.push(effect.evidence);
        for (const listener of this.#evidenceListeners) listener(effect.evidence);
        this.#log.warn(
          { height: hs.height, validator: toHex(effect.evidence.voteA.validatorAddress) },
          'equivocation seen',
        );
        return;
      case 'rejected':
        return this.#reject(peer, effect.reason);
    }
  }

  async #buildValue(round: number): Promise<void> {
    const state = this.#hstate;
    const signer = this.#d.signer;
    if (signer === null) return;
    const height = state.lastBlockHeight + 1;
    const maxBytes = state.consensusParams.maxBlockBytes;
    const evidence = this.#d.evidence.pending(Math.floor(maxBytes / 10));
    const reaped = this.#d.mempool.reap(Math.floor(maxBytes * 0.8), state.consensusParams.maxBlockGas);
    const prepared = await this.#d.app.prepareProposal({
      height,
      time: state.lastBlockTime,
      proposerAddress: signer.address,
      txs: reaped,
      maxTxBytes: Math.floor(maxBytes * 0.8),
    });
    const lastCommit = height > state.initialHeight ? this.#lastCommit : null;
    const partial = { lastCommit };
    const block = makeNextBlock(
      state,
      signer.address,
      prepared.txs,
      evidence,
      lastCommit,
      expectedBlockTime(state, partial),
    );
    const value = toHex(blockIdOf(block).hash);
    this.#blocks.set(value, block);
    this.#validity.set(value, true);
    await this.#input({ kind: 'ownValue', round, value });
  }

  async #propose(round: number, value: string, polRound: number): Promise<void> {
    const signer = this.#d.signer;
    const block = this.#blocks.get(value);
    if (signer === null || block === undefined) return;
    let proposal: ProposalMessage['proposal'];
    await this.#d.wal.append(encodeWalRecord({ kind: 'signing', step: 'propose', round }), { sync: true });
    try {
      proposal = await signer.signProposal({
        height: this.#hs.height,
        round,
        polRound,
        blockId: blockIdOf(block),
        timestamp: this.#d.clock.now(),
      });
    } catch (error) {
      this.#log.warn({ error: String(error), round }, 'signer refused a proposal');
      return;
    }
    const message: ProposalMessage = { kind: 'proposal', proposal, block };
    await this.#d.wal.append(encodeWalRecord({ kind: 'message', peer: SELF, message }));
    this.#sendProposal(null, message);
    this.#proposalMsgs.set(round, message);
    await this.#input({
      kind: 'proposal',
      round,
      record: { value, polRound, valid: true, proposer: toHex(signer.address) },
    });
  }

  async #vote(type: VoteType, round: number, value: string | null): Promise<void> {
    const signer = this.#d.signer;
    if (signer === null) return;
    const index = indexOfValidator(this.#hstate.validators, signer.address);
    if (index < 0) return;
    let vote: Vote;
    const step = type === VoteType.Prevote ? 'prevote' : 'precommit';
    if (!this.#replaying)
      await this.#d.wal.append(encodeWalRecord({ kind: 'signing', step, round }), { sync: true });
    try {
      vote = await signer.signVote({
        type,
        height: this.#hs.height,
        round,
        blockId: value === null ? null : { hash: fromHex(value) },
        timestamp: this.#voteTime(round, value),
        validatorAddress: signer.address,
        validatorIndex: index,
      });
    } catch (error) {
      // On replay this is expected for votes older than the last signed one: their own records
      // follow in the WAL and replay them.
      const fields = { error: String(error), round, type };
      if (this.#replaying) this.#log.debug(fields, 'signer refused a replayed vote');
      else this.#log.warn(fields, 'signer refused a vote');
      return;
    }
    // Unsynced: the `signing` record already made the inputs durable; the guard re-issues this.
    if (!this.#replaying) {
      await this.#d.wal.append(
        encodeWalRecord({ kind: 'message', peer: SELF, message: { kind: 'vote', vote } }),
      );
    }
    this.#log.debug({ height: vote.height, round, type, value: value?.slice(0, 8) ?? 'nil' }, 'voted');
    this.#d.transport.broadcast({ kind: 'vote', vote });
    await this.#input({ kind: 'vote', vote });
  }

  /**
   * A vote's timestamp (CometBFT's voteTime): the clock, but never earlier than 1 ms after the
   * block voted for (or, for nil, the locked block or the round's proposal). The next block's time
   * is the median of these, so it always exceeds this block's time — even when a clock is wrong.
   */
  #voteTime(round: number, value: string | null): number {
    const hs = this.#hs;
    const basis = value ?? hs.lockedValue ?? this.#proposalMsgs.get(round)?.proposal.blockId;
    const key =
      typeof basis === 'string' || basis === undefined || basis === null ? basis : toHex(basis.hash);
    const block = key == null ? undefined : this.#blocks.get(key);
    const floor = Math.max(this.#hstate.lastBlockTime, block?.header.time ?? 0) + 1;
    return Math.max(this.#d.clock.now(), floor);
  }

  #commitOfDecision(): Commit {
    const decision = this.#hs.decision;
    if (decision === null) throw new Error('no decision');
    return this.#decisionCommit(decision.round, { hash: fromHex(decision.value) });
  }

  async #finalize(round: number, value: string): Promise<void> {
    const hs = this.#hs;
    const block = this.#blocks.get(value);
    if (block === undefined) throw new Error(`decided block ${value} is not known`);
    const id = { hash: fromHex(value) };
    const commit = this.#decisionCommit(round, id);
    const { next, retainHeight, mempoolError } = await applyBlock(this.#d, this.#hstate, block, id, commit);
    if (mempoolError !== null)
      this.#log.warn(
        { error: String(mempoolError), height: hs.height },
        'mempool update failed after commit',
      );
    this.#state = next;
    this.#lastBlockAppHash = block.header.appHash;
    this.#lastDecision = { kind: 'decision', block, commit };
    // The next height comes whatever happens below. A block learnt whole from a peer means this
    // node is behind: no wait for more precommits then; nor when every validator's is already in.
    const caughtUp = this.#certified !== null;
    this.#nextHeightAfter(caughtUp || this.#allPrecommitted() ? 0 : this.#o.timeouts.commitMs);
    this.#log.info({ height: hs.height, round, txs: block.txs.length }, 'committed block');
    await this.#afterCommit(hs.height, block, retainHeight);
    for (const listener of this.#listeners) listener({ block, commit, state: next });
  }

  /** Enters the height after the decided one in `delayMs` (a second call for the same height is a no-op then). */
  #nextHeightAfter(delayMs: number): void {
    const hs = this.#hs;
    this.#timer(delayMs, () => {
      void this.#serial(async () => {
        if (this.#running && this.#hs === hs) await this.#enterHeight(hs.height + 1);
      });
    });
  }

  /**
   * With `skipTimeoutCommit`: whether the decided block is applied and holds precommits (in its
   * decision round) from 100 % of the power, so that waiting out the commit timeout gathers nothing more.
   */
  #allPrecommitted(): boolean {
    const decision = this.#hs.decision;
    if (!this.#o.skipTimeoutCommit || decision === null) return false;
    // Only once the decided block is applied: a failed commit leaves the state a height behind, and
    // a late precommit must not start the next height on it.
    if (this.#state.lastBlockHeight !== this.#hs.height) return false;
    const power = this.#hs.votes.power(VoteType.Precommit, decision.round, decision.value);
    return power === this.#hs.votes.weights.total;
  }

  /** Evidence and pruning after a commit (the mempool updates within it); a failure here is logged, never fatal. */
  async #afterCommit(height: number, block: Block, retainHeight: number): Promise<void> {
    const step = async (what: string, run: () => Promise<unknown> | unknown) => {
      try {
        await run();
      } catch (error) {
        this.#log.warn({ error: String(error), height }, `${what} failed after commit`);
      }
    };
    await step('evidence update', () => this.#d.evidence.update(height, block.header.time, block.evidence));
    for (const evidence of this.#localEvidence.splice(0)) {
      await this.#d.evidence
        .add(evidence, { height, time: block.header.time })
        .catch((error: unknown) => this.#log.debug({ error: String(error) }, 'own evidence not added'));
    }
    if (retainHeight > this.#d.store.base()) await step('pruning', () => this.#d.store.prune(retainHeight));
  }

  /**
   * The commit of this height's decision: built from the precommits this node holds, or — when
   * they are not +2/3 (a decision learnt whole from a peer) — the verified commit it came with.
   */
  #decisionCommit(round: number, id: { hash: Uint8Array }): Commit {
    const hs = this.#hs;
    const built = buildCommit(hs.height, round, id, this.#hstate.validators, hs.votes);
    const certified = this.#certified;
    if (certified === null || !blockIdEquals(certified.blockId, id)) return built;
    let power = 0n;
    built.signatures.forEach((sig, i) => {
      if (sig.flag === CommitFlag.Commit) power += this.#hstate.validators.validators[i]?.votingPower ?? 0n;
    });
    return isQuorum(power, totalVotingPower(this.#hstate.validators)) ? built : certified;
  }

  async #enterHeight(height: number): Promise<void> {
    const previous = this.#hs;
    if (previous?.decision != null) {
      // Precommits that arrived while waiting make the last commit stronger.
      this.#lastCommit = this.#commitOfDecision();
    }
    this.#hstate = this.#state;
    const validators = this.#state.validators;
    const signer = this.#d.signer;
    this.#hs = newHeightState(
      height,
      weightsOf(validators),
      (round) => signer !== null && equalBytes(proposerForRound(validators, round).address, signer.address),
      this.#o.timeouts,
    );
    this.#blocks.clear();
    this.#validity.clear();
    this.#proposalMsgs.clear();
    this.#certified = null;
    this.#askedAhead = false;
    const records = await this.#d.wal.replay(height);
    if (records.length === 0) await this.#d.wal.startHeight(height);
    this.#replaying = true;
    try {
      for (const bytes of records) await this.#replayRecord(bytes);
    } finally {
      this.#replaying = false;
    }
    if (records.length > 0) this.#log.info({ height, records: records.length }, 'replayed the WAL');
    this.#startHeightIfWaiting('enter');
    const future = this.#future.splice(0);
    for (const [peer, message] of future) await this.#handle(peer, message);
  }

  async #replayRecord(bytes: Uint8Array): Promise<void> {
    const record = decodeWalRecord(bytes);
    if (record.kind === 'start') return this.#input({ kind: 'start' });
    if (record.kind === 'timeout')
      return this.#input({ kind: 'timeout', step: record.step, round: record.round });
    if (record.kind === 'signing') return;
    return this.#handle(record.peer, record.message);
  }

  /** Starts round 0 now, or when there is something to put in a block (createEmptyBlocks=false). */
  #startHeightIfWaiting(trigger: 'enter' | 'txs' | 'interval' | 'vote' | 'proposal'): void {
    const hs = this.#hs;
    if (hs === undefined || hs.started || !this.#running) return;
    const ready =
      this.#o.createEmptyBlocks ||
      trigger !== 'enter' ||
      this.#d.mempool.size() > 0 ||
      this.#needProofBlock();
    if (!ready) {
      if (this.#o.createEmptyBlocksIntervalMs > 0) {
        this.#timer(
          this.#o.createEmptyBlocksIntervalMs,
          () =>
            void this.#serial(async () => {
              if (this.#hs === hs) this.#startHeightIfWaiting('interval');
            }),
        );
      }
      return;
    }
    void this.#serial(async () => {
      if (this.#hs !== hs || hs.started) return;
      await this.#record({ kind: 'start' }, false);
      await this.#input({ kind: 'start' });
    });
  }

  /** A block is needed to carry a changed app hash (and at the first height), as CometBFT. */
  #needProofBlock(): boolean {
    if (this.#state.lastBlockHeight < this.#state.initialHeight) return true;
    return this.#lastBlockAppHash === null || !equalBytes(this.#lastBlockAppHash, this.#state.appHash);
  }

  #timer(delayMs: number, callback: () => void): void {
    if (!this.#running) return;
    const cancel = this.#d.clock.setTimer(delayMs, () => {
      this.#timers.delete(cancel);
      callback();
    });
    this.#timers.add(cancel);
  }

  /**
   * Liveness under lossy gossip: when a tick finds the node still at the (height, round, step) of
   * the previous tick, it re-sends its own latest votes and its status (peers answer a status that
   * is behind with what it lacks). A node that is making progress sends nothing extra — the energy
   * community's nodes sit behind 4G links, where every byte counts.
   */
  #scheduleRebroadcast(): void {
    this.#timer(this.#o.rebroadcastMs, () => {
      const hs = this.#hs;
      const position = `${hs.height}/${hs.round}/${hs.step}/${hs.started}`;
      if (position === this.#lastTick) {
        const signer = this.#d.signer;
        if (signer !== null && hs.started) {
          const me = toHex(signer.address);
          for (const type of [VoteType.Prevote, VoteType.Precommit]) {
            const vote = hs.votes.voteOf(type, hs.round, me);
            if (vote !== undefined) this.#d.transport.broadcast({ kind: 'vote', vote });
          }
        }
        this.#d.transport.broadcast({ kind: 'status', height: hs.height, round: hs.round, step: hs.step });
      }
      this.#lastTick = position;
      this.#scheduleRebroadcast();
    });
  }
}
