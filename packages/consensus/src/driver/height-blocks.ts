import type { Block } from '../block/block.js';
import { maxProposalBlockBytesPerHeight, maxProposalRoundsPerHeight } from './limits.js';
import type { ProposalMessage } from './messages.js';

export interface HeightBlocksOptions {
  /** Most bytes of blocks kept. Default `maxProposalBlockBytesPerHeight`. */
  readonly maxBytes?: number;
  /** Most rounds whose proposals are kept. Default `maxProposalRoundsPerHeight`. */
  readonly maxRounds?: number;
}

/** What one height's blocks cost, as metrics and tests read it. */
export interface HeightFootprint {
  readonly blocks: number;
  readonly bytes: number;
  readonly rounds: number;
}

/** Bytes a block's header, and each commit signature and piece of evidence, take at most when encoded. */
const headerBytes = 1024;
const commitSigBytes = 128;
const evidenceBytes = 1024;

/**
 * The size of `block` once encoded, from its parts (an upper bound for everything but its
 * transactions, which are counted exactly): cheap enough to call for every proposal.
 */
export function blockBytesEstimate(block: Block): number {
  let bytes = headerBytes + block.evidence.length * evidenceBytes;
  bytes += (block.lastCommit?.signatures.length ?? 0) * commitSigBytes;
  for (const tx of block.txs) bytes += tx.length + 5;
  return bytes;
}

/**
 * The blocks of one height the driver may still need, by value (the block id's hex), with the
 * valid proposals that carried them, by round, and the validity verdict of every value seen.
 * Invalid blocks are never kept (only their verdict). `prune` bounds what is kept: past
 * `maxRounds` rounds or `maxBytes` bytes, the proposals of the oldest earlier rounds go first,
 * with their blocks when nothing else holds them; values the caller protects (the lock, the valid
 * value, the decision, this round's and later rounds' proposals) always stay.
 */
export class HeightBlocks {
  readonly #maxBytes: number;
  readonly #maxRounds: number;
  readonly #blocks = new Map<string, { readonly block: Block; readonly bytes: number }>();
  /** Valid proposals by round, in the order they were kept. */
  readonly #proposals = new Map<number, { readonly message: ProposalMessage; readonly value: string }>();
  readonly #verdicts = new Map<string, boolean>();
  #bytes = 0;

  constructor(options: HeightBlocksOptions = {}) {
    this.#maxBytes = options.maxBytes ?? maxProposalBlockBytesPerHeight;
    this.#maxRounds = options.maxRounds ?? maxProposalRoundsPerHeight;
  }

  block(value: string): Block | undefined {
    return this.#blocks.get(value)?.block;
  }

  /** The valid proposal kept for `round`. */
  proposal(round: number): ProposalMessage | undefined {
    return this.#proposals.get(round)?.message;
  }

  verdict(value: string): boolean | undefined {
    return this.#verdicts.get(value);
  }

  setVerdict(value: string, valid: boolean): void {
    this.#verdicts.set(value, valid);
    if (!valid) this.#dropBlock(value);
  }

  /** Keeps a block this node built or learnt with a commit (no proposal of its own). */
  keepBlock(value: string, block: Block): void {
    if (this.#blocks.has(value)) return;
    const bytes = blockBytesEstimate(block);
    this.#blocks.set(value, { block, bytes });
    this.#bytes += bytes;
  }

  /** Keeps a valid proposal and its block. */
  keepProposal(round: number, message: ProposalMessage, value: string): void {
    this.keepBlock(value, message.block);
    this.#proposals.set(round, { message, value });
  }

  /**
   * Drops, oldest first, the proposals of rounds below `round` whose value is not in `protect`
   * while more than `maxRounds` rounds or `maxBytes` bytes are kept, and then blocks no proposal
   * holds and `protect` does not name. Returns the rounds whose proposals were dropped.
   */
  prune(round: number, protect: ReadonlySet<string>): number[] {
    const dropped: number[] = [];
    if (!this.#over()) return dropped;
    const old = [...this.#proposals].filter(([r, p]) => r < round && !protect.has(p.value));
    old.sort(([a], [b]) => a - b);
    for (const [r, p] of old) {
      if (!this.#over()) break;
      this.#proposals.delete(r);
      dropped.push(r);
      if (!this.#held(p.value)) this.#dropBlock(p.value);
    }
    for (const value of [...this.#blocks.keys()]) {
      if (this.#bytes <= this.#maxBytes) break;
      if (!protect.has(value) && !this.#held(value)) this.#dropBlock(value);
    }
    return dropped;
  }

  clear(): void {
    this.#blocks.clear();
    this.#proposals.clear();
    this.#verdicts.clear();
    this.#bytes = 0;
  }

  footprint(): HeightFootprint {
    return { blocks: this.#blocks.size, bytes: this.#bytes, rounds: this.#proposals.size };
  }

  #over(): boolean {
    return this.#proposals.size > this.#maxRounds || this.#bytes > this.#maxBytes;
  }

  #held(value: string): boolean {
    for (const p of this.#proposals.values()) if (p.value === value) return true;
    return false;
  }

  #dropBlock(value: string): void {
    const entry = this.#blocks.get(value);
    if (entry === undefined) return;
    this.#blocks.delete(value);
    this.#bytes -= entry.bytes;
  }
}
