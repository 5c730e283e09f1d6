import { toHex } from '../crypto/hash.js';
import type { Proposal } from '../vote/proposal.js';
import { type Vote, VoteType } from '../vote/vote.js';
import { isOneThird } from '../votes/weights.js';
import { admitProposal, admitVote } from './admission.js';
import { validateBlock } from './block-validity.js';
import { noticeAhead, onDecision, onStatus } from './catch-up.js';
import type { DriverHost } from './host.js';
import { SELF } from './host.js';
import { maxFutureProposals } from './limits.js';
import type { ConsensusMessage, ProposalMessage } from './messages.js';
import type { PeerId } from './transport.js';
import type { WalRecord } from './wal-records.js';

/**
 * One message from a peer (or from this node, or from the WAL on replay): admitted or not, then
 * written to the WAL before the engine sees it.
 */
export async function handleMessage(
  host: DriverHost,
  peer: PeerId,
  message: ConsensusMessage,
): Promise<void> {
  switch (message.kind) {
    case 'vote':
      return onVote(host, peer, message.vote);
    case 'votes':
      for (const vote of message.votes) await onVote(host, peer, vote);
      return;
    case 'proposal':
      return onProposal(host, peer, message);
    case 'decision':
      return onDecision(host, peer, message);
    case 'status':
      return onStatus(host, peer, message);
  }
}

async function onVote(host: DriverHost, peer: PeerId, vote: Vote): Promise<void> {
  const hs = host.ctx.hs;
  const verdict = admitVote(host.ctx, vote);
  if (verdict.kind === 'ahead') {
    noticeAhead(host, vote.height);
    if (verdict.nextHeight) host.future.push(peer, { kind: 'vote', vote });
  }
  if (verdict.kind === 'refuse') return host.reject(peer, verdict.code);
  if (verdict.kind !== 'admit') return;
  await host.record({ kind: 'message', peer, message: { kind: 'vote', vote } }, peer === SELF);
  await host.input({ kind: 'vote', vote }, peer);
  // A late precommit that completes the decided block's commit ends the commit wait.
  if (hs.decision !== null && vote.type === VoteType.Precommit) host.afterLatePrecommit();
  // An idle node (createEmptyBlocks=false) joins a height that more than 1/3 of the power started.
  if (isOneThird(hs.votes.senderPower(vote.round), hs.votes.weights.total)) host.startHeightIfWaiting('vote');
}

/**
 * One record of the current height's WAL, through the same handlers as when it first arrived; a
 * proposal takes the verdict recorded with it (`valid`, or `invalidProposal` for an invalid
 * block), so the application is not asked again.
 */
export async function replayRecord(host: DriverHost, record: WalRecord): Promise<void> {
  switch (record.kind) {
    case 'start':
      return host.input({ kind: 'start' });
    case 'timeout':
      return host.input({ kind: 'timeout', step: record.step, round: record.round });
    case 'signing':
      return;
    case 'proposal':
      return onProposal(host, record.peer, record.message, record.valid);
    case 'invalidProposal':
      return replayInvalidProposal(host, record.peer, record.proposal);
    case 'message':
      return handleMessage(host, record.peer, record.message);
  }
}

/** `recorded`: the verdict the WAL holds for the block (on replay). */
async function onProposal(
  host: DriverHost,
  peer: PeerId,
  message: ProposalMessage,
  recorded?: boolean,
): Promise<void> {
  const ctx = host.ctx;
  const { proposal, block } = message;
  const verdict = admitProposal(ctx, proposal, block, host.options.maxProposalRoundsAhead);
  if (verdict.kind === 'ahead') {
    noticeAhead(host, proposal.height);
    if (verdict.nextHeight) host.future.push(peer, message);
  }
  if (verdict.kind === 'refuse') return host.reject(peer, verdict.code);
  if (verdict.kind !== 'admit') return;
  const value = toHex(verdict.id.hash);
  // On replay the verdict is the recorded one: the application is not asked again.
  if (recorded !== undefined) ctx.blocks.setVerdict(value, recorded);
  const valid = recorded ?? (await validateBlock(host, block, peer));
  const { round, polRound } = proposal;
  // A valid block is recorded with its verdict; an invalid one is neither kept nor logged: the WAL
  // gets the signed proposal alone, which is its verdict and all the engine needs again on replay
  // (an invalid value for the round).
  if (valid) {
    await host.record({ kind: 'proposal', peer, message, valid }, peer === SELF);
    ctx.blocks.keepProposal(round, message, value);
  } else await host.record({ kind: 'invalidProposal', peer, proposal }, false);
  host.log.debug(
    { height: ctx.height, round, polRound, value: value.slice(0, 8), valid, from: peer },
    'proposal',
  );
  const proposer = toHex(verdict.proposer.address);
  await host.input({ kind: 'proposal', round, record: { value, polRound, valid, proposer } }, peer);
  ctx.pruneRounds();
  if (valid) host.startHeightIfWaiting('proposal');
}

/** An invalid proposal replayed from the WAL: the engine's input again, without its block. */
async function replayInvalidProposal(host: DriverHost, peer: PeerId, proposal: Proposal): Promise<void> {
  const { ctx } = host;
  if (proposal.height !== ctx.height || ctx.hs.proposals.has(proposal.round)) return;
  const value = toHex(proposal.blockId.hash);
  ctx.blocks.setVerdict(value, false);
  const proposer = toHex(ctx.proposer(proposal.round).address);
  const record = { value, polRound: proposal.polRound, valid: false, proposer };
  await host.input({ kind: 'proposal', round: proposal.round, record }, peer);
}

/**
 * Messages for the next height, kept until it starts: at most `max`, a tenth of them per peer,
 * and (they carry blocks) at most `maxFutureProposals` proposals, of its first `maxRoundsAhead` rounds.
 */
export class FutureMessages {
  readonly #max: number;
  readonly #maxRoundsAhead: number;
  #messages: [PeerId, ConsensusMessage][] = [];

  constructor(max: number, maxRoundsAhead: number) {
    this.#max = max;
    this.#maxRoundsAhead = maxRoundsAhead;
  }

  push(peer: PeerId, message: ConsensusMessage): void {
    if (this.#messages.length >= this.#max) return;
    if (message.kind === 'proposal') {
      if (message.proposal.round > this.#maxRoundsAhead) return;
      let proposals = 0;
      for (const [, m] of this.#messages) if (m.kind === 'proposal') proposals++;
      if (proposals >= maxFutureProposals) return;
    }
    let fromPeer = 0;
    for (const [p] of this.#messages) if (p === peer) fromPeer++;
    if (fromPeer < Math.ceil(this.#max / 10)) this.#messages.push([peer, message]);
  }

  /** Empties the buffer, returning what it held in arrival order. */
  take(): [PeerId, ConsensusMessage][] {
    return this.#messages.splice(0);
  }
}
