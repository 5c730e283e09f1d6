import { toHex } from '../crypto/hash.js';
import { type Vote, VoteType } from '../vote/vote.js';
import { isOneThird } from '../votes/weights.js';
import { admitProposal, admitVote } from './admission.js';
import { validateBlock } from './block-validity.js';
import { noticeAhead, onDecision, onStatus } from './catch-up.js';
import type { DriverHost } from './host.js';
import { SELF } from './host.js';
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

/** One record of the height's WAL, replayed through the same handlers that first processed it. */
export async function replayRecord(host: DriverHost, record: WalRecord): Promise<void> {
  if (record.kind === 'start') return host.input({ kind: 'start' });
  if (record.kind === 'timeout')
    return host.input({ kind: 'timeout', step: record.step, round: record.round });
  if (record.kind === 'signing') return;
  return handleMessage(host, record.peer, record.message);
}

async function onVote(host: DriverHost, peer: PeerId, vote: Vote): Promise<void> {
  const hs = host.ctx.hs;
  const verdict = admitVote(host.ctx, vote);
  if (verdict.kind === 'ahead') {
    noticeAhead(host, vote.height);
    if (verdict.nextHeight) host.future.push(peer, { kind: 'vote', vote });
  }
  if (verdict.kind === 'reject') return host.reject(peer, verdict.reason);
  if (verdict.kind !== 'admit') return;
  await host.record({ kind: 'message', peer, message: { kind: 'vote', vote } }, peer === SELF);
  await host.input({ kind: 'vote', vote }, peer);
  // A late precommit that completes the decided block's commit ends the commit wait.
  if (hs.decision !== null && vote.type === VoteType.Precommit) host.afterLatePrecommit();
  // An idle node (createEmptyBlocks=false) joins a height that more than 1/3 of the power started.
  if (isOneThird(hs.votes.senderPower(vote.round), hs.votes.weights.total)) host.startHeightIfWaiting('vote');
}

async function onProposal(host: DriverHost, peer: PeerId, message: ProposalMessage): Promise<void> {
  const ctx = host.ctx;
  const { proposal, block } = message;
  const verdict = admitProposal(ctx, proposal, block, host.options.maxProposalRoundsAhead);
  if (verdict.kind === 'ahead') {
    noticeAhead(host, proposal.height);
    if (verdict.nextHeight) host.future.push(peer, message);
  }
  if (verdict.kind === 'reject') return host.reject(peer, verdict.reason);
  if (verdict.kind !== 'admit') return;
  const valid = await validateBlock(host, block, peer);
  await host.record({ kind: 'message', peer, message }, peer === SELF);
  ctx.proposalMsgs.set(proposal.round, message);
  const value = toHex(verdict.id.hash);
  const { round, polRound } = proposal;
  host.log.debug(
    { height: ctx.height, round, polRound, value: value.slice(0, 8), valid, from: peer },
    'proposal',
  );
  ctx.blocks.set(value, block);
  const proposer = toHex(verdict.proposer.address);
  await host.input({ kind: 'proposal', round, record: { value, polRound, valid, proposer } }, peer);
  if (valid) host.startHeightIfWaiting('proposal');
}

/** Messages for the next height, kept until it starts: at most `max`, a tenth of them per peer. */
export class FutureMessages {
  readonly #max: number;
  #messages: [PeerId, ConsensusMessage][] = [];

  constructor(max: number) {
    this.#max = max;
  }

  push(peer: PeerId, message: ConsensusMessage): void {
    if (this.#messages.length >= this.#max) return;
    let fromPeer = 0;
    for (const [p] of this.#messages) if (p === peer) fromPeer++;
    if (fromPeer < Math.ceil(this.#max / 10)) this.#messages.push([peer, message]);
  }

  /** Empties the buffer, returning what it held in arrival order. */
  take(): [PeerId, ConsensusMessage][] {
    return this.#messages.splice(0);
  }
}
