import { type Block, blockId as blockIdOf } from '../block/block.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { checkBlock } from './block-check.js';
import type { DriverHost } from './host.js';
import type { PeerId } from './transport.js';

/**
 * Whether a block may be decided: chain rules, evidence, then the application's processProposal
 * (skipped for a block `certified` by a commit of +2/3: the application must accept any block the
 * chain decided). Final verdicts are cached in the height context; the block's sender is
 * rejected for an invalid one.
 */
export async function validateBlock(
  host: DriverHost,
  block: Block,
  peer: PeerId,
  options: { certified?: boolean } = {},
): Promise<boolean> {
  const { ctx, deps } = host;
  const key = toHex(blockIdOf(block).hash);
  const cached = ctx.validity.get(key);
  if (cached !== undefined && (cached || !options.certified)) return cached;
  const refusal = await chainRuleRefusal(host, block);
  if (refusal !== null) {
    // Chain rules are deterministic: the verdict is final for this height.
    ctx.validity.set(key, false);
    host.reject(peer, `invalid block: ${refusal.message}`);
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
    // A failing application is not a verdict: not cached, so the block is judged again.
    host.log.warn({ error: String(error), height: block.header.height }, 'processProposal failed');
    return false;
  }
  const valid = verdict === 'accept';
  ctx.validity.set(key, valid);
  if (!valid) host.reject(peer, 'application rejected the proposed block');
  return valid;
}

/**
 * Why the chain rules refuse `block` at the current height (the header's rules, then its evidence
 * against the chain store), or `null`: a function of the chain alone, the same on every node.
 */
export async function chainRuleRefusal(host: DriverHost, block: Block): Promise<Error | null> {
  const { ctx, deps } = host;
  try {
    checkBlock(ctx.state, block);
    await deps.evidence.checkBlockEvidence(block.evidence, {
      height: ctx.state.lastBlockHeight,
      time: ctx.state.lastBlockTime,
    });
    return null;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
}
