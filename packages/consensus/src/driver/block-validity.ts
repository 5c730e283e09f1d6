import { type Block, blockId as blockIdOf } from '../block/block.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { checkBlock } from './block-check.js';
import type { DriverHost } from './host.js';
import type { PeerFaultCode } from './peer-fault.js';
import type { PeerId } from './transport.js';

/**
 * Whether a block may be decided: chain rules, evidence, then the application's processProposal
 * (skipped for a block `certified` by a commit of +2/3: the application must accept any block the
 * chain decided). Final verdicts are cached in the height context. An invalid block is reported
 * with an `ignore` fault: it is correctly signed (or certified), so its signer, not the peer that
 * relayed it, is to blame.
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
  let code: PeerFaultCode = 'BLOCK_INVALID';
  try {
    checkBlock(ctx.state, block);
    code = 'BLOCK_BAD_EVIDENCE';
    await deps.evidence.checkBlockEvidence(block.evidence, {
      height: ctx.state.lastBlockHeight,
      time: ctx.state.lastBlockTime,
    });
  } catch (error) {
    // Chain rules are deterministic: the verdict is final for this height.
    ctx.blocks.setVerdict(key, false);
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
    // A failing application is not a verdict: not cached, so the block is judged again.
    host.log.warn({ error: String(error), height: block.header.height }, 'processProposal failed');
    return false;
  }
  const valid = verdict === 'accept';
  ctx.blocks.setVerdict(key, valid);
  if (!valid) host.reject(peer, 'BLOCK_REJECTED_BY_APP');
  return valid;
}
