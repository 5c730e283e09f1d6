import { commitSigToVote } from '../block/commit.js';
import { toHex } from '../crypto/hash.js';
import { VoteType } from '../vote/vote.js';
import { admitDecision } from './admission.js';
import { chainRuleRefusal, validateBlock } from './block-validity.js';
import { DecidedBlockRefusedError } from './halt.js';
import type { DriverHost } from './host.js';
import type { ConsensusMessage, DecisionMessage, ProposalMessage, StatusMessage } from './messages.js';
import type { PeerId } from './transport.js';

/**
 * A decided block with its commit, from a peer ahead: once verified (the commit, then the chain
 * rules, not this node's processProposal) its precommits go to the engine, then the commit
 * certificate that decides the height.
 */
export async function onDecision(host: DriverHost, peer: PeerId, message: DecisionMessage): Promise<void> {
  const { ctx } = host;
  const hs = ctx.hs;
  const { block, commit } = message;
  const verdict = admitDecision(ctx, block, commit);
  if (verdict.kind === 'ahead') noticeAhead(host, block.header.height);
  if (verdict.kind === 'refuse') return host.reject(peer, verdict.code);
  if (verdict.kind !== 'admit') return;
  // +2/3 of the power committed it, so (as CometBFT) the chain rules are checked but not this
  // node's processProposal: the application must accept any block the chain decided. A block the
  // chain rules refuse halts the node, as CometBFT's finalizeCommit panics: the relaying peer is
  // not blamed (+2/3 signed it), and the node neither applies it nor waits for another forever.
  // The halt is thrown: the input queue stops the driver and tells its `onHalt` listeners.
  const refusal = await chainRuleRefusal(host, block);
  if (refusal !== null) {
    const code = (refusal.error as { code?: unknown }).code;
    throw new DecidedBlockRefusedError({
      height: block.header.height,
      hash: toHex(verdict.id.hash),
      reason: refusal.error.message,
      ...(typeof code === 'string' ? { code } : {}),
    });
  }
  const valid = await validateBlock(host, block, peer, { certified: true });
  if (!valid) return;
  await host.record({ kind: 'message', peer, message }, false);
  ctx.certified = commit;
  const value = toHex(verdict.id.hash);
  ctx.blocks.keepBlock(value, block);
  // Keep the precommits: they make this node's commit for the next block's lastCommit.
  for (let i = 0; i < commit.signatures.length; i++) {
    const vote = commitSigToVote(commit, i);
    if (vote !== null) await host.input({ kind: 'vote', vote }, peer);
  }
  if (hs.decision === null)
    await host.input({ kind: 'commitCertificate', round: commit.round, value, valid }, peer);
}

/**
 * A peer's position: behind in height, it gets the block and commit it lacks (from memory for the
 * last height, else from the store); behind in this height (or waiting for the proposal), the
 * round's proposal and the votes it may lack. Every answer is taken from the peer's
 * `host.catchUp` budget: a flood of status frames costs a burst of reads and sends, then block
 * sync's request rate (heights further back are block sync's in any case).
 */
export async function onStatus(host: DriverHost, peer: PeerId, status: StatusMessage): Promise<void> {
  const { ctx, deps } = host;
  const hs = ctx.hs;
  if (status.height > hs.height) return;
  const behind = status.round < hs.round || (status.round === hs.round && status.step < hs.step);
  const waitingForProposal = status.round === hs.round && status.step === 1;
  const current = status.height === hs.height && hs.decision === null;
  if (current && !behind && !waitingForProposal) return;
  if (!host.catchUp.take(peer)) return;
  if (status.height < hs.height) {
    const decision =
      (status.height === hs.height - 1 ? host.lastDecision : null) ??
      (await storedDecision(host, status.height));
    if (decision !== null) deps.transport.send(peer, decision);
    return;
  }
  if (hs.decision !== null) {
    const block = ctx.blocks.block(hs.decision.value);
    if (block !== undefined)
      deps.transport.send(peer, { kind: 'decision', block, commit: ctx.commitOfDecision() });
    return;
  }
  const proposal = ctx.blocks.proposal(hs.round);
  if (proposal !== undefined) sendProposal(host, peer, proposal);
  if (!behind) return;
  const votes = [status.round, hs.round].flatMap((r) => [
    ...hs.votes.votes(VoteType.Prevote, r),
    ...hs.votes.votes(VoteType.Precommit, r),
  ]);
  if (votes.length > 0) deps.transport.send(peer, { kind: 'votes', votes });
}

/**
 * Sends a proposal with its proof of lock (to `peer`, or to all): a node locked in an older round
 * prevotes a re-proposal only when it holds the +2/3 prevotes of its polRound (L28), which it may
 * have missed.
 */
export function sendProposal(host: DriverHost, peer: PeerId | null, message: ProposalMessage): void {
  const { transport } = host.deps;
  const send = (m: ConsensusMessage) => (peer === null ? transport.broadcast(m) : transport.send(peer, m));
  send(message);
  const { polRound, blockId } = message.proposal;
  if (polRound < 0) return;
  const value = toHex(blockId.hash);
  const pol = host.ctx.hs.votes
    .votes(VoteType.Prevote, polRound)
    .filter((v) => v.blockId !== null && toHex(v.blockId.hash) === value);
  host.log.debug(
    { round: message.proposal.round, polRound, pol: pol.length, to: peer ?? 'all' },
    'proof of lock sent',
  );
  if (pol.length > 0) send({ kind: 'votes', votes: pol });
}

async function storedDecision(host: DriverHost, height: number): Promise<DecisionMessage | null> {
  const { store } = host.deps;
  if (height < store.base()) return null;
  const [block, commit] = await Promise.all([store.loadBlock(height), store.loadCommit(height)]);
  return block !== null && commit !== null ? { kind: 'decision', block, commit } : null;
}

/**
 * A message from a later height: this node is behind, so it says where it is (once per height).
 * Not for the next height once this one is decided: the node is committing its block (or waiting
 * out the commit timeout) and handles the buffered messages when the next height starts; a status
 * now would only make every peer ahead send this height's whole block back as a decision.
 */
export function noticeAhead(host: DriverHost, height: number): void {
  const { ctx } = host;
  if (ctx.askedAhead || host.replaying) return;
  if (height === ctx.height + 1 && ctx.hs.decision !== null) return;
  ctx.askedAhead = true;
  const hs = ctx.hs;
  host.deps.transport.broadcast({ kind: 'status', height: hs.height, round: hs.round, step: hs.step });
}

/**
 * Liveness under lossy gossip: when a tick finds the node still at `lastTick`, the (height, round,
 * step) of the previous tick, it re-sends its own latest votes and its status (peers answer a
 * status that is behind with what it lacks). A node that is making progress sends nothing extra —
 * the energy community's nodes sit behind 4G links, where every byte counts. Returns this tick's position.
 */
export function rebroadcastIfStuck(host: DriverHost, lastTick: string): string {
  const hs = host.ctx.hs;
  const { signer, transport } = host.deps;
  const position = `${hs.height}/${hs.round}/${hs.step}/${hs.started}`;
  if (position === lastTick) {
    if (signer !== null && hs.started) {
      const me = toHex(signer.address);
      for (const type of [VoteType.Prevote, VoteType.Precommit]) {
        const vote = hs.votes.voteOf(type, hs.round, me);
        if (vote !== undefined) transport.broadcast({ kind: 'vote', vote });
      }
    }
    transport.broadcast({ kind: 'status', height: hs.height, round: hs.round, step: hs.step });
  }
  return position;
}
