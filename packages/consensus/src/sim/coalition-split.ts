import { blockId } from '../block/block.js';
import { toHex } from '../crypto/hash.js';
import type { ConsensusMessage } from '../driver/messages.js';
import type { Transport } from '../driver/transport.js';
import { proposerForRound } from '../validators/proposer.js';
import type { ValidatorSet } from '../validators/validator-set.js';
import { type Vote, VoteType } from '../vote/vote.js';
import { type Member, signAs } from './coalition-view.js';
import type { SimNetwork } from './network.js';

export interface LockSplitDeps {
  readonly chainId: string;
  readonly network: SimNetwork;
  /** The validator set of a height, as the chain fixed it (public data), or null if not known yet. */
  readonly validatorsAt: (height: number) => ValidatorSet | null;
  /** Network names of a validator's nodes, by hex address. */
  readonly namesOf: (addressHex: string) => readonly string[];
  readonly now: () => number;
  readonly log?: (line: string) => void;
}

/**
 * The `lock-split` adversary: Byzantine validators that equivocate on prevotes, and a network that
 * loses one proposal, to leave the correct validators locked on different values, then vote nil.
 * In each height where the powers allow it, it picks one correct validator A and a group C of
 * others (round 1's proposer is correct and not A; the rest form B), such that A, B and the
 * coalition hold more than 2/3 of the power but A and B alone do not, and B, C and the coalition
 * do but B and C alone do not:
 *
 * - round 0: the proposal never reaches C (they prevote nil); the members prevote its value V to A
 *   and nil to the others, so A alone sees a polka and locks V, and the others time out;
 * - round 1: the proposer, with no valid value, proposes a fresh W; A refuses it; the members
 *   prevote W to the others and nil to A, so the others lock W and A stays locked on V;
 * - from round 2 on the members vote nil.
 *
 * Then only A's unlocking lets the chain go on: the next proposer locked on W re-proposes it with
 * polRound 1 and its proof of lock (L28), and A, locked in round 0, prevotes it. A proposer that
 * re-proposed with polRound -1 would leave A refusing W for ever. The members precommit nil.
 */
export class LockSplit {
  readonly #members: readonly Member[];
  readonly #memberNames: Set<string>;
  readonly #d: LockSplitDeps;
  /** Per height: the plan (A's and C's network names), or null where the powers allow none. */
  readonly #plans = new Map<number, { readonly a: Set<string>; readonly c: Set<string> } | null>();
  /** "height/round/type" where the members voted. */
  readonly #voted = new Set<string>();

  constructor(members: readonly Member[], deps: LockSplitDeps) {
    this.#members = members;
    this.#memberNames = new Set(members.map((m) => m.name));
    this.#d = deps;
  }

  /** A member's transport: its driver's proposals and status go out, its votes do not (the members vote here). */
  transport(inner: Transport): Transport {
    const pass = (message: ConsensusMessage) => message.kind === 'proposal' || message.kind === 'status';
    return {
      ...inner,
      broadcast: (message) => {
        if (message.kind === 'proposal')
          this.#onProposal(message.proposal.height, message.proposal.round, message);
        if (pass(message)) inner.broadcast(message);
      },
      send: (peer, message) => {
        if (pass(message)) inner.send(peer, message);
      },
      onMessage: (handler) =>
        inner.onMessage((peer, message) => {
          if (message.kind === 'proposal' && !this.#memberNames.has(peer))
            this.#onProposal(message.proposal.height, message.proposal.round, message);
          if (message.kind === 'vote') this.#onVote(message.vote);
          handler(peer, message);
        }),
    };
  }

  /** The network's verdict (before and after GST): the round-0 proposal never reaches C. */
  drop(_from: string, to: string, message: ConsensusMessage): boolean {
    if (message.kind !== 'proposal' || message.proposal.round !== 0) return false;
    return this.#plan(message.proposal.height)?.c.has(to) === true;
  }

  #plan(height: number): { readonly a: Set<string>; readonly c: Set<string> } | null {
    const known = this.#plans.get(height);
    if (known !== undefined) return known;
    const set = this.#d.validatorsAt(height);
    if (set === null) return null;
    const plan = planSplit(set, new Set(this.#members.map((m) => toHex(m.address))), height);
    const named =
      plan === null
        ? null
        : {
            a: new Set(this.#d.namesOf(plan.a)),
            c: new Set(plan.c.flatMap((hex) => this.#d.namesOf(hex))),
          };
    this.#plans.set(height, named);
    for (const h of this.#plans.keys()) if (h < height - 10) this.#plans.delete(h);
    this.#d.log?.(
      named === null
        ? `lock-split: h${height} no split possible`
        : `lock-split: h${height} A=${[...named.a].join(',')} C=${[...named.c].join(',')}`,
    );
    return named;
  }

  #onProposal(height: number, round: number, message: ConsensusMessage & { kind: 'proposal' }): void {
    const set = this.#d.validatorsAt(height);
    const plan = this.#plan(height);
    if (set === null || !this.#first(`${height}/${round}/pv`)) return;
    const value = toHex(blockId(message.block).hash);
    if (plan === null || round > 1) this.#vote(set, VoteType.Prevote, height, round, () => null);
    else if (round === 0)
      this.#vote(set, VoteType.Prevote, height, round, (peer) => (plan.a.has(peer) ? value : null));
    else this.#vote(set, VoteType.Prevote, height, round, (peer) => (plan.a.has(peer) ? null : value));
  }

  /** A correct vote: the members prevote nil in its round if they have not voted, and precommit nil on a precommit. */
  #onVote(vote: Vote): void {
    const set = this.#d.validatorsAt(vote.height);
    if (set === null) return;
    if (vote.round > 1 && this.#first(`${vote.height}/${vote.round}/pv`))
      this.#vote(set, VoteType.Prevote, vote.height, vote.round, () => null);
    if (vote.type === VoteType.Precommit && this.#first(`${vote.height}/${vote.round}/pc`))
      this.#vote(set, VoteType.Precommit, vote.height, vote.round, () => null);
  }

  #first(key: string): boolean {
    if (this.#voted.has(key)) return false;
    this.#voted.add(key);
    if (this.#voted.size > 500) this.#voted.delete(this.#voted.values().next().value as string);
    return true;
  }

  /** Every member's vote, with the value `valueFor` gives each peer (null: nil). */
  #vote(
    set: ValidatorSet,
    type: VoteType,
    height: number,
    round: number,
    valueFor: (peer: string) => string | null,
  ): void {
    const slot = { type, height, round, timestamp: this.#d.now() };
    for (const m of this.#members) {
      const signed = new Map<string | null, Vote | null>();
      for (const peer of this.#d.network.names) {
        if (this.#memberNames.has(peer)) continue;
        const value = valueFor(peer);
        if (!signed.has(value)) signed.set(value, signAs(this.#d.chainId, m, set, slot, value));
        const vote = signed.get(value);
        if (vote != null) this.#d.network.sendAs(m.name, peer, { kind: 'vote', vote });
      }
    }
  }
}

/**
 * A and C (hex addresses) for a height, or null: see `LockSplit`. Tries each correct validator as
 * A (from one drawn by the height) and every group C of the others.
 */
export function planSplit(
  set: ValidatorSet,
  mine: ReadonlySet<string>,
  height: number,
): { readonly a: string; readonly c: readonly string[] } | null {
  let total = 0n;
  let ours = 0n;
  for (const v of set.validators) {
    total += v.votingPower;
    if (mine.has(toHex(v.address))) ours += v.votingPower;
  }
  const correct = set.validators.filter((v) => !mine.has(toHex(v.address)));
  const next = toHex(proposerForRound(set, 1).address);
  if (mine.has(next) || correct.length < 3 || correct.length > 12) return null;
  const quorum = (p: bigint) => p * 3n > total * 2n;
  for (let k = 0; k < correct.length; k++) {
    const a = correct[(height + k) % correct.length] as (typeof correct)[number];
    if (toHex(a.address) === next) continue;
    const others = correct.filter((v) => v !== a);
    for (let mask = 1; mask < 1 << others.length; mask++) {
      let pb = 0n;
      let pc = 0n;
      const c: string[] = [];
      others.forEach((v, i) => {
        if ((mask >> i) & 1) {
          pc += v.votingPower;
          c.push(toHex(v.address));
        } else pb += v.votingPower;
      });
      const pa = a.votingPower;
      if (quorum(pa + pb + ours) && !quorum(pa + pb) && quorum(pb + pc + ours) && !quorum(pb + pc) && pb > 0n)
        return { a: toHex(a.address), c };
    }
  }
  return null;
}
