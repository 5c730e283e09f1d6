/**
 * What the harness has seen of every node's chain, and the invariants over it: every node's chain
 * a prefix of every other's (one block hash per height), equal app hashes at every common height,
 * no validator with two different precommits for one height and round (from the commits every
 * node stored and the `last_commit` of every block), no evidence of equivocation in a block, every
 * acknowledged transaction in the chain at the height it was acknowledged at.
 */

/** `CommitFlag` of @joule/consensus: a precommit for the block, for nil, or none. */
const flagCommit = 2;
const flagNil = 3;

export interface CommitView {
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
  readonly signatures: readonly {
    readonly flag: number;
    readonly validator: string;
  }[];
}

export interface BlockView {
  readonly height: number;
  readonly hash: string;
  readonly appHash: string;
  /** Block time, Unix ms. */
  readonly time: number;
  readonly txs: readonly string[];
  readonly evidence: number;
  readonly lastCommit: CommitView | null;
}

export interface Fork {
  readonly height: number;
  readonly node: string;
  readonly hash: string;
  readonly canonical: string;
  readonly canonicalNode: string;
}

export interface DoubleSign {
  readonly validator: string;
  readonly height: number;
  readonly round: number;
  readonly votes: readonly string[];
}

export class Ledger {
  /** The first block seen at each height, and from which node. */
  readonly #blocks = new Map<number, { hash: string; appHash: string; node: string; time: number }>();
  /** `height/round/validator` → what the precommit was for (a block hash or `nil`). */
  readonly #votes = new Map<string, Set<string>>();
  readonly forks: Fork[] = [];
  readonly appHashMismatches: { height: number; node: string }[] = [];
  readonly doubleSigns: DoubleSign[] = [];
  /** Heights whose block carries evidence, and how much. */
  readonly evidence = new Map<number, number>();
  /** Block times that did not increase with the height (a clock gone back). */
  readonly nonMonotonicTimes: { height: number; node: string }[] = [];

  /** Records `node`'s block; a different hash or app hash than another node's is a fork. */
  addBlock(node: string, block: BlockView): void {
    const seen = this.#blocks.get(block.height);
    if (seen === undefined) {
      this.#blocks.set(block.height, { hash: block.hash, appHash: block.appHash, node, time: block.time });
      const before = this.#blocks.get(block.height - 1);
      const after = this.#blocks.get(block.height + 1);
      if (
        (before !== undefined && before.time >= block.time) ||
        (after !== undefined && after.time <= block.time)
      )
        this.nonMonotonicTimes.push({ height: block.height, node });
    } else {
      if (seen.hash !== block.hash && !this.forks.some((f) => f.height === block.height && f.node === node))
        this.forks.push({
          height: block.height,
          node,
          hash: block.hash,
          canonical: seen.hash,
          canonicalNode: seen.node,
        });
      if (seen.appHash !== block.appHash) this.appHashMismatches.push({ height: block.height, node });
    }
    if (block.evidence > 0) this.evidence.set(block.height, block.evidence);
    if (block.lastCommit !== null) this.addCommit(block.lastCommit);
  }

  /** Records the precommits of a commit; two different ones by one validator are a double sign. */
  addCommit(commit: CommitView): void {
    for (const s of commit.signatures) {
      if (s.flag !== flagCommit && s.flag !== flagNil) continue;
      const vote = s.flag === flagCommit ? commit.blockHash : 'nil';
      const key = `${commit.height}/${commit.round}/${s.validator}`;
      const votes = this.#votes.get(key) ?? new Set<string>();
      if (votes.has(vote)) continue;
      votes.add(vote);
      this.#votes.set(key, votes);
      if (votes.size === 2)
        this.doubleSigns.push({
          validator: s.validator,
          height: commit.height,
          round: commit.round,
          votes: [...votes],
        });
    }
  }

  /** The block hash the network agreed at `height`, if seen. */
  hashAt(height: number): string | undefined {
    return this.#blocks.get(height)?.hash;
  }

  /** The highest height seen from any node. */
  get top(): number {
    let top = 0;
    for (const h of this.#blocks.keys()) if (h > top) top = h;
    return top;
  }
}
