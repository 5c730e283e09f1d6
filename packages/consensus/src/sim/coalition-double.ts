import { type Block, blockId } from '../block/block.js';
import { toHex } from '../crypto/hash.js';
import type { ConsensusMessage } from '../driver/messages.js';
import type { Transport } from '../driver/transport.js';
import type { ValidatorSet } from '../validators/validator-set.js';
import { signProposal } from '../vote/proposal.js';
import { VoteType } from '../vote/vote.js';
import { freshVariant, type Member, signAs } from './coalition-view.js';
import type { SimNetwork } from './network.js';
import type { SeededRng } from './rng.js';

export interface DoublePolkaDeps {
  readonly chainId: string;
  readonly network: SimNetwork;
  readonly rng: SeededRng;
  /** The validator set of a height, as the chain fixed it (public data), or null if not known yet. */
  readonly validatorsAt: (height: number) => ValidatorSet | null;
  /** Network names of a validator's nodes, by hex address. */
  readonly namesOf: (addressHex: string) => readonly string[];
  readonly now: () => number;
  readonly log?: (line: string) => void;
}

/** Most correct validators whose two-way splits are all tried (2^n splits). */
const maxSplitValidators = 12;

/**
 * The `double-polka` adversary: the Byzantine validators acting as one to make two quorums in one
 * round. Their drivers run as correct validators, except in the rounds one of them proposes: there
 * the coalition splits the correct validators in two groups A and B and sends A a fresh block V
 * with every member's prevote and precommit for V, and B a fresh block W with theirs for W.
 *
 * With quorums of more than 2/3 of the power nothing comes of it: a group and the coalition hold
 * at most 2/3 (even when the coalition holds exactly 1/3, the exact-third seeds), so at worst the
 * round ends without a decision. A quorum of "at least 2/3" lets both groups decide in an
 * exact-third seed, and one that counts validators instead of power lets both decide where the
 * coalition has little power but many validators (`--powers 1,1,2,5 --byzantine 2`). The split
 * alternates between the one that balances the groups' power and the one that balances their
 * numbers, so either mutation meets the split that breaks it.
 */
export class DoublePolka {
  readonly #members: readonly Member[];
  readonly #memberNames: Set<string>;
  readonly #d: DoublePolkaDeps;
  /** "height/round" of the rounds attacked so far (the last few). */
  readonly #attacked: string[] = [];
  #byHeads = false;

  constructor(members: readonly Member[], deps: DoublePolkaDeps) {
    this.#members = members;
    this.#memberNames = new Set(members.map((m) => m.name));
    this.#d = deps;
  }

  /** A member's transport: its own proposal starts an attack; its own votes in an attacked round stay home. */
  transport(inner: Transport): Transport {
    const pass = (message: ConsensusMessage): boolean => {
      if (message.kind === 'proposal') {
        this.#attack(message.block, message.proposal.height, message.proposal.round);
        return false;
      }
      if (message.kind === 'vote') return !this.#isAttacked(message.vote.height, message.vote.round);
      return true;
    };
    return {
      ...inner,
      broadcast: (message) => {
        if (pass(message)) inner.broadcast(message);
      },
      send: (peer, message) => {
        if (message.kind === 'votes') {
          const votes = message.votes.filter((v) => !this.#isAttacked(v.height, v.round));
          if (votes.length > 0) inner.send(peer, { kind: 'votes', votes });
        } else if (pass(message)) inner.send(peer, message);
      },
    };
  }

  #isAttacked(height: number, round: number): boolean {
    return this.#attacked.includes(`${height}/${round}`);
  }

  #attack(base: Block, height: number, round: number): void {
    const set = this.#d.validatorsAt(height);
    const proposer = this.#members.find((m) => toHex(m.address) === toHex(base.header.proposerAddress));
    if (set === null || proposer === undefined || this.#isAttacked(height, round)) return;
    this.#attacked.push(`${height}/${round}`);
    if (this.#attacked.length > 50) this.#attacked.shift();
    const mine = new Set(this.#members.map((m) => toHex(m.address)));
    const correct = set.validators.filter((v) => !mine.has(toHex(v.address)));
    this.#byHeads = !this.#byHeads;
    const [a, b] = bestSplit(correct, this.#byHeads);
    const timestamp = this.#d.now();
    for (const group of [a, b]) {
      const block = freshVariant(base, proposer.address, this.#d.rng);
      const id = blockId(block);
      const value = toHex(id.hash);
      const proposal = signProposal(
        this.#d.chainId,
        { height, round, polRound: -1, blockId: id, timestamp },
        proposer.key.secretKey,
      );
      const votes = [VoteType.Prevote, VoteType.Precommit].flatMap((type) =>
        this.#members.flatMap(
          (m) => signAs(this.#d.chainId, m, set, { type, height, round, timestamp }, value) ?? [],
        ),
      );
      const names = group.flatMap((v) => this.#d.namesOf(toHex(v.address)));
      this.#d.log?.(
        `double-polka: h${height} r${round} ${value.slice(0, 8)} to ${names.join(',')} (${this.#byHeads ? 'by numbers' : 'by power'})`,
      );
      for (const name of names) {
        if (this.#memberNames.has(name)) continue;
        this.#d.network.sendAs(proposer.name, name, { kind: 'proposal', proposal, block });
        this.#d.network.sendAs(proposer.name, name, { kind: 'votes', votes });
      }
    }
  }
}

/**
 * The split of `validators` in two that maximizes the smaller group's power (or, `byHeads`, its
 * size, then its power). Exhaustive over at most `maxSplitValidators` validators.
 */
export function bestSplit<T extends { readonly votingPower: bigint }>(
  validators: readonly T[],
  byHeads: boolean,
): [T[], T[]] {
  const n = Math.min(validators.length, maxSplitValidators);
  let best: [T[], T[]] = [[...validators], []];
  let bestScore: [number, bigint] = [-1, -1n];
  for (let mask = 0; mask < 1 << n; mask++) {
    const a: T[] = [];
    const b: T[] = [];
    validators.forEach((v, i) => {
      (i < n && (mask >> i) & 1 ? a : b).push(v);
    });
    const power = (g: T[]) => g.reduce((sum, v) => sum + v.votingPower, 0n);
    const [pa, pb] = [power(a), power(b)];
    let minPower = pa;
    if (pb < pa) minPower = pb;
    const score: [number, bigint] = byHeads ? [Math.min(a.length, b.length), minPower] : [0, minPower];
    if (score[0] > bestScore[0] || (score[0] === bestScore[0] && score[1] > bestScore[1])) {
      best = [a, b];
      bestScore = score;
    }
  }
  return best;
}
