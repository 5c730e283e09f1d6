import { type Block, blockId as blockIdOf } from '../block/block.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { checkBlock } from './block-check.js';
import { ApplicationFailedError } from './halt.js';
import type { DriverHost } from './host.js';
import type { PeerFaultCode } from './peer-fault.js';
import type { PeerId } from './transport.js';

/**
 * Whether a block may be decided: chain rules, evidence, then the application's processProposal
 * (skipped for a block `certified` by a commit of +2/3: the application must accept any block the
 * chain decided). Final verdicts are cached in the height context. An invalid block is reported
 * with an `ignore` fault: it is correctly signed (or certified), so its signer, not the peer that
 * relayed it, is to blame. An application that throws halts the driver (`CONSENSUS_APP_FAILED`):
 * a throw is not a verdict, and nothing is cached or recorded for the block.
 */
export async function validateBlock(
  host: DriverHost,
  block: Block,
  peer: PeerId,
  options: { certified?: boolean } = {},
): Promise<boolean> {
  const { ctx, deps } = host;
  const key = toHex(blockIdOf(block).hash);
  const cached = ctx.blocks.verdict(key);
  if (cached !== undefined && (cached || !options.certified)) return cached;
  const refusal = await chainRuleRefusal(host, block);
  if (refusal !== null) {
    // Chain rules are deterministic: the verdict is final for this height.
    ctx.blocks.setVerdict(key, false);
    const { code, error } = refusal;
    host.log.debug({ error: String(error), height: block.header.height, code }, 'invalid block');
    host.reject(peer, code);
    return false;
  }
  if (options.certified) return true;
  let verdict: 'accept' | 'reject';
  try {
    verdict = await deps.app.processProposal({
      height: block.header.height,
      time: block.header.time,
      proposerAddress: block.header.proposerAddress,
      txs: block.txs,
      hash: fromHex(key),
    });
  } catch (error) {
    // A throw is not a verdict: taken for "invalid", it would let a locked node prevote another
    // block (L22) and a replayed height lose its lock (L36). The node stops instead.
    throw new ApplicationFailedError('processProposal', block.header.height, error);
  }
  const valid = verdict === 'accept';
  ctx.blocks.setVerdict(key, valid);
  if (!valid) host.reject(peer, 'BLOCK_REJECTED_BY_APP');
  return valid;
}

/**
 * Why the chain rules refuse `block` at the current height (the header's rules, then its evidence
 * against the chain store), with the peer fault it is, or `null`: a function of the chain alone,
 * the same on every node.
 */
export async function chainRuleRefusal(
  host: DriverHost,
  block: Block,
): Promise<{ readonly code: PeerFaultCode; readonly error: Error } | null> {
  const { ctx, deps } = host;
  let code: PeerFaultCode = 'BLOCK_INVALID';
  try {
    checkBlock(ctx.state, block);
    code = 'BLOCK_BAD_EVIDENCE';
    await deps.evidence.checkBlockEvidence(block.evidence, {
      height: ctx.state.lastBlockHeight,
      time: ctx.state.lastBlockTime,
    });
    return null;
  } catch (error) {
    if (error instanceof Error) return { code, error };
    throw error;
  }
}
