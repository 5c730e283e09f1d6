import { decode, encode, equalBytes } from '../codec/canonical.js';
import { bytes, type Codec, list, nullable, refine, struct } from '../codec/schema.js';
import { maxBlockBytes, maxBlockEvidence, maxBlockTxs, maxTxBytes } from '../constants.js';
import { merkleRoot } from '../merkle/rfc6962.js';
import { type DuplicateVoteEvidence, duplicateVoteEvidenceCodec } from '../vote/evidence.js';
import type { BlockId } from './block-id.js';
import { type Commit, commitCodec, commitHash } from './commit.js';
import { type Header, headerCodec, headerHash } from './header.js';

/** A block: its header, its transactions, evidence of misbehaviour, and the commit of the block before. */
export interface Block {
  readonly header: Header;
  readonly txs: readonly Uint8Array[];
  readonly evidence: readonly DuplicateVoteEvidence[];
  /** `null` at the first height. */
  readonly lastCommit: Commit | null;
}

/**
 * Block objects found consistent (`blockProblem` gave nothing), so that the same block is not
 * hashed again each time it is checked, encoded, stored or sent: a block received is decoded (and
 * checked) once, then checked against the chain, encoded for its size, for the store and for
 * peers. Blocks are immutable values (every field is `readonly`): changing a checked block in
 * place is a bug, and a changed copy is a new object, checked afresh.
 */
const consistentBlocks = new WeakSet<Block>();

/**
 * Whether the block's body (transactions, evidence, last commit) is the one its header hashes: a
 * body that is not was changed by whoever sent it, since a signature or a commit covers the header.
 */
export function bodyProblem(block: Block): string | undefined {
  if (consistentBlocks.has(block)) return undefined;
  const { header } = block;
  if (!equalBytes(header.dataHash, txsHash(block.txs)))
    return 'header dataHash does not match the transactions';
  if (!equalBytes(header.evidenceHash, evidenceHash(block.evidence)))
    return 'header evidenceHash does not match the evidence';
  if (!equalBytes(header.lastCommitHash, commitHash(block.lastCommit)))
    return 'header lastCommitHash does not match lastCommit';
  return undefined;
}

/** Why the block's header does not match its contents, or `undefined`. */
export function blockProblem(block: Block): string | undefined {
  if (consistentBlocks.has(block)) return undefined;
  const problem = bodyProblem(block) ?? shapeProblem(block);
  if (problem === undefined) consistentBlocks.add(block);
  return problem;
}

/** The rules between a block's fields that involve no hash. */
function shapeProblem(block: Block): string | undefined {
  const { header } = block;
  // Whether this is the chain's first block depends on its initial height, which checkBlock
  // knows; here, a block has a last commit exactly when it names a last block.
  if ((header.lastBlockId === null) !== (block.lastCommit === null)) {
    return 'a block has a last commit exactly when it has a last block id';
  }
  if (block.lastCommit !== null && block.lastCommit.height !== header.height - 1)
    return 'lastCommit is not for the previous height';
  return undefined;
}

export const blockCodec: Codec<Block> = refine(
  struct<Block>('Block', {
    header: headerCodec,
    txs: list(bytes({ max: maxTxBytes }), maxBlockTxs) as Codec<readonly Uint8Array[]>,
    evidence: list(duplicateVoteEvidenceCodec, maxBlockEvidence) as Codec<readonly DuplicateVoteEvidence[]>,
    lastCommit: nullable(commitCodec),
  }),
  blockProblem,
);

export function txsHash(txs: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(txs);
}

export function evidenceHash(evidence: readonly DuplicateVoteEvidence[]): Uint8Array {
  return merkleRoot(evidence.map((e) => encode(duplicateVoteEvidenceCodec, e)));
}

/** The header fields a proposer chooses; the content hashes are computed by `makeBlock`. */
export type HeaderFields = Omit<Header, 'dataHash' | 'evidenceHash' | 'lastCommitHash'>;

/** A block whose header commits to the given contents. */
export function makeBlock(
  fields: HeaderFields,
  txs: readonly Uint8Array[],
  evidence: readonly DuplicateVoteEvidence[],
  lastCommit: Commit | null,
): Block {
  const header: Header = {
    ...fields,
    lastCommitHash: commitHash(lastCommit),
    dataHash: txsHash(txs),
    evidenceHash: evidenceHash(evidence),
  };
  const block = { header, txs, evidence, lastCommit };
  // Its hashes were just computed from its contents: only the other rules are left to check.
  if (shapeProblem(block) === undefined) consistentBlocks.add(block);
  return block;
}

export function blockId(block: Block): BlockId {
  return { hash: headerHash(block.header) };
}

/**
 * The canonical encoding of each block encoded before, by block object: a block is encoded for its
 * size when it is checked and again for the block store, and it is the same bytes each time (blocks
 * are immutable values, see `consistentBlocks`). Weak: an encoding lives as long as its block.
 */
const encodedBlocks = new WeakMap<Block, Uint8Array>();

/** The canonical encoding of `block`, made once per block object; the caller must not change the bytes. */
export function encodeBlock(block: Block): Uint8Array {
  let bytes = encodedBlocks.get(block);
  if (bytes === undefined) {
    bytes = encode(blockCodec, block);
    encodedBlocks.set(block, bytes);
  }
  return bytes;
}

/** Decodes and checks a block from untrusted bytes (at most `maxBlockBytes` plus its commit). */
export function decodeBlock(bytes: Uint8Array): Block {
  return decode(blockCodec, bytes, { maxBytes: maxBlockBytes + 256 * 1024 });
}
