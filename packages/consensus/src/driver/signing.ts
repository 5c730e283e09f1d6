import { blockId as blockIdOf } from '../block/block.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { SignStep } from '../signer/signer-store.js';
import { indexOfValidator } from '../validators/validator-set.js';
import type { Proposal } from '../vote/proposal.js';
import { type Vote, VoteType } from '../vote/vote.js';
import { expectedBlockTime, makeNextBlock } from './block-check.js';
import { sendProposal } from './catch-up.js';
import { diskFullOf } from './disk-full.js';
import { ApplicationFailedError } from './halt.js';
import type { DriverHost } from './host.js';
import { SELF } from './host.js';
import type { ProposalMessage } from './messages.js';
import { encodeWalRecord } from './wal-records.js';

/**
 * The engine asked this node, the round's proposer, for a value: a block of evidence from the
 * pool and transactions from the mempool (as the application prepares them), valid by construction.
 * The application is given the time the block will carry (the median time of the last commit).
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
  const lastCommit = height > state.initialHeight ? host.lastCommit : null;
  const time = expectedBlockTime(state, { lastCommit });
  let txs: readonly Uint8Array[];
  try {
    const maxTxBytes = Math.floor(maxBytes * 0.8);
    const proposerAddress = signer.address;
    ({ txs } = await deps.app.prepareProposal({ height, time, proposerAddress, txs: reaped, maxTxBytes }));
  } catch (error) {
    throw new ApplicationFailedError('prepareProposal', height, error);
  }
  const block = makeNextBlock(state, signer.address, txs, evidence, lastCommit, time);
  const value = toHex(blockIdOf(block).hash);
  ctx.blocks.keepBlock(value, block);
  ctx.blocks.setVerdict(value, true);
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
  const block = ctx.blocks.block(value);
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
    // A signer that cannot save its state (a full disk) stops the driver; a refusal does not.
    const halt = diskFullOf(error);
    if (halt !== null) throw halt;
    host.log.warn({ error: String(error), round }, 'signer refused a proposal');
    return;
  }
  const message: ProposalMessage = { kind: 'proposal', proposal, block };
  // Durable before it leaves: after a restart the node knows its proposal and sends it again.
  const record = encodeWalRecord({ kind: 'proposal', peer: SELF, message, valid: true });
  await deps.wal.append(record, { sync: true });
  sendProposal(host, null, message);
  ctx.blocks.keepProposal(round, message, value);
  await host.input({
    kind: 'proposal',
    round,
    record: { value, polRound, valid: true, proposer: toHex(signer.address) },
  });
  ctx.pruneRounds();
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
    const halt = diskFullOf(error);
    if (halt !== null) throw halt;
    // On replay this is expected for votes older than the last signed one: their own records
    // follow in the WAL and replay them.
    const fields = { error: String(error), round, type };
    if (host.replaying) host.log.debug(fields, 'signer refused a replayed vote');
    else host.log.warn(fields, 'signer refused a vote');
    return;
  }
  if (host.replaying)
    ctx.rederived.add(`${round}/${step === 'prevote' ? SignStep.Prevote : SignStep.Precommit}`);
  // Unsynced: the `signing` record already made the inputs durable; the guard re-issues this.
  await host.record({ kind: 'message', peer: SELF, message: { kind: 'vote', vote } }, false);
  host.log.debug({ height: vote.height, round, type, value: value?.slice(0, 8) ?? 'nil' }, 'voted');
  deps.transport.broadcast({ kind: 'vote', vote });
  await host.input({ kind: 'vote', vote });
}
