import { blockId, toHex } from '@joule/consensus';
import { homePaths } from '@joule/node';
import type { JouleClient } from '@joule/node/client';
import { ClassicKvStore, LevelChainStore, txHash } from '@joule/state';
import type { BlockView, CommitView } from './ledger.js';

/** A block as `/block` serves it, for the ledger. */
export function blockView(r: Awaited<ReturnType<JouleClient['block']>>): BlockView {
  const b = r.block as unknown as {
    header: { height: string; app_hash: string; time: string };
    data: { txs: string[] };
    evidence?: { evidence?: unknown[] };
    last_commit: Record<string, unknown> | null;
  };
  return {
    height: Number(b.header.height),
    hash: r.block_id.hash.toLowerCase(),
    appHash: b.header.app_hash.toLowerCase(),
    time: Date.parse(b.header.time),
    txs: b.data.txs.map((tx) => toHex(txHash(hexBytes(tx)))),
    evidence: b.evidence?.evidence?.length ?? 0,
    lastCommit: b.last_commit === null ? null : commitView(b.last_commit),
  };
}

export function commitView(c: Record<string, unknown>): CommitView {
  const sigs = c.signatures as { block_id_flag: number; validator_address: string }[];
  return {
    height: Number(c.height),
    round: Number(c.round),
    blockHash: String((c.block_id as { hash: string }).hash).toLowerCase(),
    signatures: sigs.map((s) => ({ flag: s.block_id_flag, validator: s.validator_address.toLowerCase() })),
  };
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Every block and commit of a stopped node's store, read from disk. */
export async function readStore(
  home: string,
): Promise<{ height: number; blocks: BlockView[]; commits: CommitView[] }> {
  const kv = new ClassicKvStore({ location: homePaths(home).db });
  await kv.start();
  const store = new LevelChainStore({}, { kv });
  try {
    await store.start();
    const height = store.height();
    const blocks: BlockView[] = [];
    const commits: CommitView[] = [];
    for (let h = 1; h <= height; h++) {
      const block = await store.loadBlock(h);
      if (block === null) continue;
      blocks.push({
        height: h,
        hash: toHex(blockId(block).hash),
        appHash: toHex(block.header.appHash),
        time: block.header.time,
        txs: block.txs.map((tx) => toHex(txHash(tx))),
        evidence: block.evidence.length,
        lastCommit: block.lastCommit === null ? null : commitOf(block.lastCommit),
      });
      const commit = await store.loadCommit(h);
      if (commit !== null) commits.push(commitOf(commit));
    }
    return { height, blocks, commits };
  } finally {
    await store.stop();
    await kv.stop();
  }
}

function commitOf(c: {
  height: number;
  round: number;
  blockId: { hash: Uint8Array };
  signatures: readonly { flag: number; validatorAddress: Uint8Array }[];
}): CommitView {
  return {
    height: c.height,
    round: c.round,
    blockHash: toHex(c.blockId.hash),
    signatures: c.signatures.map((s) => ({ flag: s.flag, validator: toHex(s.validatorAddress) })),
  };
}
