import { blockId as blockIdOf } from '../block/block.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { indexOfValidator } from '../validators/validator-set.js';
import type { Proposal } from '../vote/proposal.js';
import { type Vote, VoteType } from '../vote/vote.js';
import { expectedBlockTime, makeNextBlock } from './block-check.js';
import { sendProposal } from './catch-up.js';
import type { DriverHost } from './host.js';
import { SELF } from './host.js';
import type { ProposalMessage } from './messages.js';
import { encodeWalRecord } from './wal-records.js';

/**
 * The engine asked this node, the round's proposer, for a value: a block of evidence from the
 * pool and transactions from the mempool (as the application prepares them), valid by construction.
 */
export async function buildValue(host: DriverHost, round: number): Promise<void> {
  const { ctx, deps } = host;
  const state = ctx.state;
  const signer = deps.signer;
  if (signer === null) return;
  const height = state.lastBlockHeight + 1;
  const maxBytes = state.consensusParams.maxBlockBytes;
  const evidence = deps.evidence.pending(Math.floor(maxBytes / 10));
  const reaped = deps.mempool.reap(Math.floor(maxBytes * 0.8), state.consensusParams.maxBlockGas);
  const prepared = await deps.app.prepareProposal({
    height,
    time: state.lastBlockTime,
    proposerAddress: signer.address,
    txs: reaped,
    maxTxBytes: Math.floor(maxBytes * 0.8),
  });
  const lastCommit = height > state.initialHeight ? host.lastCommit : null;
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
  ctx.blocks.set(value, block);
  ctx.validity.set(value, true);
  await host.input({ kind: 'ownValue', round, value });
}

/** Signs (through the double-sign guard), logs, sends and feeds back this node's proposal. */
export async function propose(
  host: DriverHost,
  round: number,
  value: string,
  polRound: number,
): Promise<void> {
  const { ctx, deps } = host;
  const signer = deps.signer;
  const block = ctx.blocks.get(value);
  if (signer === null || block === undefined) return;
  let proposal: Proposal;
  await deps.wal.append(encodeWalRecord({ kind: 'signing', step: 'propose', round }), { sync: true });
  try {
    proposal = await signer.signProposal({
      height: ctx.height,
      round,
      polRound,
      blockId: blockIdOf(block),
      timestamp: deps.clock.now(),
    });
  } catch (error) {
    host.log.warn({ error: String(error), round }, 'signer refused a proposal');
    return;
  }
  const message: ProposalMessage = { kind: 'proposal', proposal, block };
  await deps.wal.append(encodeWalRecord({ kind: 'message', peer: SELF, message }));
  sendProposal(host, null, message);
  ctx.proposalMsgs.set(round, message);
  await host.input({
    kind: 'proposal',
    round,
    record: { value, polRound, valid: true, proposer: toHex(signer.address) },
  });
}

/**
 * Signs (through the double-sign guard), logs, sends and feeds back this node's vote. On WAL
 * replay the guard hands back the signature it gave before, and nothing is written again.
 */
export async function vote(
  host: DriverHost,
  type: VoteType,
  round: number,
  value: string | null,
): Promise<void> {
  const { ctx, deps } = host;
  const signer = deps.signer;
  if (signer === null) return;
  const index = indexOfValidator(ctx.state.validators, signer.address);
  if (index < 0) return;
  let vote: Vote;
  const step = type === VoteType.Prevote ? 'prevote' : 'precommit';
  if (!host.replaying)
    await deps.wal.append(encodeWalRecord({ kind: 'signing', step, round }), { sync: true });
  try {
    vote = await signer.signVote({
      type,
      height: ctx.height,
      round,
      blockId: value === null ? null : { hash: fromHex(value) },
      timestamp: ctx.voteTime(round, value, deps.clock.now()),
      validatorAddress: signer.address,
      validatorIndex: index,
    });
  } catch (error) {
    // On replay this is expected for votes older than the last signed one: their own records
    // follow in the WAL and replay them.
    const fields = { error: String(error), round, type };
    if (host.replaying) host.log.debug(fields, 'signer refused a replayed vote');
    else host.log.warn(fields, 'signer refused a vote');
    return;
  }
  // Unsynced: the `signing` record already made the inputs durable; the guard re-issues this.
  if (!host.replaying) {
    await deps.wal.append(encodeWalRecord({ kind: 'message', peer: SELF, message: { kind: 'vote', vote } }));
  }
  host.log.debug({ height: vote.height, round, type, value: value?.slice(0, 8) ?? 'nil' }, 'voted');
  deps.transport.broadcast({ kind: 'vote', vote });
  await host.input({ kind: 'vote', vote });
}
