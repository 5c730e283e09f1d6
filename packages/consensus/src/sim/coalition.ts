import { type Block, blockId } from '../block/block.js';
import { toHex } from '../crypto/hash.js';
import type { ConsensusMessage } from '../driver/messages.js';
import type { Transport } from '../driver/transport.js';
import { proposerForRound } from '../validators/proposer.js';
import type { ValidatorSet } from '../validators/validator-set.js';
import { type Proposal, signProposal } from '../vote/proposal.js';
import { type Vote, VoteType } from '../vote/vote.js';
import {
  anyPower,
  forgedPolRound,
  freshVariant,
  type HeightView,
  HeightViews,
  isLateRound,
  type Member,
  olderPolka,
  polkaIn,
  powersOf,
  signAs,
} from './coalition-view.js';
import type { SimNetwork } from './network.js';
import type { SeededRng } from './rng.js';

export type { Member } from './coalition-view.js';

export interface CoalitionDeps {
  readonly chainId: string;
  readonly network: SimNetwork;
  readonly rng: SeededRng;
  /** The validator set of a height, as the chain fixed it (public data), or null if not known yet. */
  readonly validatorsAt: (height: number) => ValidatorSet | null;
  /** Network names of a validator's nodes, by hex address (a twin has two). */
  readonly namesOf: (addressHex: string) => readonly string[];
  readonly now: () => number;
  readonly schedule: (delayMs: number, run: () => void) => void;
  readonly log?: (line: string) => void;
  /** How long the network cuts off the first correct node to decide a height (0: never). */
  readonly isolateMs: number;
  /** Whether the network shields a few correct validators in each round (see `drop`). */
  readonly shield: boolean;
  /** Whether half of its fresh proposals claim a forged polRound (see `#propose`). */
  readonly forge?: boolean;
  /**
   * From this time on (`now()`), it withholds: it proposes nothing and votes nil, so the locks it
   * split among the correct validators must be released by their own re-proposals (L28 with the
   * validRound as polRound) for the chain to go on.
   */
  readonly withholdFrom?: number;
}

/**
 * The `lock-attack` adversary: the Byzantine validators of a scenario acting as one, with the
 * network, and seeing every message any of them receives. Their drivers only follow the chain
 * (all they send but `status` is dropped); the coalition signs for them. In each round it:
 *
 * - prevotes, for every member, the first proposal it sees — whatever the members are locked on;
 * - on a polka in its view (own prevotes included), precommits the height's first such value to
 *   ONE correct validator with less than 1/3 of the power and nil to all others (that one can
 *   collect a commit, the others cannot), and any later value to everyone;
 * - where a member proposes: a value with an older polka than the one it precommitted, re-proposed
 *   with that polRound and its proof of lock (against L28), or else a fresh variant of a block of
 *   the height, polRound -1 (against L22) — or, with `forge`, at half of such proposals, with the
 *   polRound of the round whose polka the others locked on: a proof of lock that does not exist
 *   (against an L28 that does not check it).
 *
 * At half of the heights where it can work it plays the late polka: it holds back its prevote in
 * round 0, so that the correct prevotes make no polka, and gives it to the late re-proposer only
 * once that one precommitted (it keeps the value as validValue, unlocked), to the others once they
 * are past the round: a polka nobody locked on, re-proposed once the others locked another value.
 *
 * Its network half (`drop`, `onDecide`; before GST only) shields in each round a set of correct
 * validators just large enough that the rest, who lock, cannot decide without the coalition:
 * they never receive the round's prevotes (so they do not lock, and the next proposer proposes
 * fresh) — or, in the late round, its proposal (so the correct prevotes make no polka). It cuts
 * off the first node to decide a height, and then loses the re-proposals of that node's value by
 * correct proposers: the others only see values that locked validators must refuse.
 */
export class Coalition {
  readonly #members: readonly Member[];
  readonly #memberNames: Set<string>;
  readonly #d: CoalitionDeps;
  readonly #views: HeightViews;

  constructor(members: readonly Member[], deps: CoalitionDeps) {
    this.#members = members;
    this.#memberNames = new Set(members.map((m) => m.name));
    this.#d = deps;
    this.#views = new HeightViews(new Set(members.map((m) => toHex(m.address))), deps);
  }

  /** The transport of a member's own driver: it reports what it receives, and speaks only status. */
  transport(inner: Transport): Transport {
    return {
      ...inner,
      broadcast: (message) => {
        if (message.kind === 'status') inner.broadcast(message);
        if (message.kind !== 'proposal') return;
        // Its driver's block is a base for fresh proposals; the driver's proposal is never sent.
        this.#views.get(message.proposal.height).base ??= message.block;
        this.#activity(message.proposal.height, message.proposal.round);
      },
      send: () => {},
      onMessage: (handler) =>
        inner.onMessage((peer, message) => {
          if (!this.#memberNames.has(peer)) this.observe(message);
          handler(peer, message);
        }),
    };
  }

  /** A correct node decided: the first at each height is cut off for a while. */
  onDecide(name: string, height: number): void {
    const view = this.#views.get(height);
    if (view.decidedBy !== null) return;
    view.decidedBy = name;
    if (this.#d.isolateMs === 0) return;
    this.#d.log?.(`adversary isolates ${name}, first to decide height ${height}, for ${this.#d.isolateMs}ms`);
    this.#d.network.isolate(name, this.#d.isolateMs);
  }

  /** The network's verdict on one message (SimNetwork asks only before GST): true drops it. */
  drop(from: string, to: string, message: ConsensusMessage): boolean {
    if (message.kind === 'proposal') {
      const { height, round, polRound, blockId: id } = message.proposal;
      const view = this.#views.get(height);
      const favored = view.decidedBy !== null && toHex(id.hash) === view.favored;
      if (polRound >= 0 && favored && !this.#memberNames.has(from)) return true;
      return isLateRound(view, round) && this.#views.shieldOf(height, round).has(to);
    }
    // Once a node decided alone, nobody is shielded any more: the others should now agree.
    const votes = message.kind === 'vote' ? [message.vote] : message.kind === 'votes' ? message.votes : [];
    return votes.some((v) => {
      const view = this.#views.get(v.height);
      if (v.type !== VoteType.Prevote || view.decidedBy !== null || isLateRound(view, v.round)) return false;
      return this.#views.shieldOf(v.height, v.round).has(to);
    });
  }

  observe(message: ConsensusMessage): void {
    switch (message.kind) {
      case 'proposal':
        this.#record(message.block, message.proposal);
        this.#activity(message.proposal.height, message.proposal.round);
        return;
      case 'vote':
      case 'votes':
        for (const vote of message.kind === 'vote' ? [message.vote] : message.votes) this.#onVote(vote);
        return;
      case 'decision':
        this.#views.get(message.block.header.height).base ??= message.block;
        return;
      case 'status':
        this.#activity(message.height, message.round);
        return;
    }
  }

  #record(block: Block, proposal: Proposal): void {
    const view = this.#views.get(proposal.height);
    view.base ??= block;
    if (view.proposals.has(proposal.round)) return;
    const value = toHex(proposal.blockId.hash);
    view.proposals.set(proposal.round, value);
    if (view.blocks.size < 20) view.blocks.set(value, block);
    this.#prevote(proposal.height, proposal.round);
  }

  #onVote(vote: Vote, own = false): void {
    if (vote.type === VoteType.Prevote) {
      const view = this.#views.get(vote.height);
      const round = view.prevotes.get(vote.round) ?? new Map<string, string>();
      view.prevotes.set(vote.round, round);
      const who = toHex(vote.validatorAddress);
      if (!round.has(who)) {
        round.set(who, vote.blockId === null ? 'nil' : toHex(vote.blockId.hash));
        view.pol.set(vote.round, [...(view.pol.get(vote.round) ?? []), vote]);
      }
      this.#maybePrecommit(vote.height, vote.round);
    }
    if (own) return;
    this.#release(vote);
    this.#activity(vote.height, vote.round);
  }

  /** The held prevotes reach a voter past the late round, or the late re-proposer that precommitted in it. */
  #release(vote: Vote): void {
    const view = this.#views.get(vote.height);
    const set = this.#d.validatorsAt(vote.height);
    const [round, value] = [...view.held][0] ?? [];
    if (set === null || round === undefined || value === undefined || vote.round < round) return;
    const who = toHex(vote.validatorAddress);
    if (vote.round === round && !(vote.type === VoteType.Precommit && who === view.reproposer)) return;
    const names = this.#d.namesOf(who).filter((n) => !view.releasedTo.has(n));
    if (names.length === 0) return;
    if (view.heldVotes === null) {
      this.#d.log?.(`coalition: releases its prevotes h${vote.height} r${round} ${value.slice(0, 8)}`);
      view.heldVotes = this.#signAll(set, VoteType.Prevote, vote.height, round, value);
      for (const held of view.heldVotes) this.#onVote(held, true);
    }
    const from = this.#members[0]?.name;
    for (const name of names) {
      view.releasedTo.add(name);
      if (from !== undefined) this.#d.network.sendAs(from, name, { kind: 'votes', votes: view.heldVotes });
    }
  }

  /** Someone is in (height, round): propose there and in the next round where a member is proposer. */
  #activity(height: number, round: number): void {
    const set = this.#d.validatorsAt(height);
    if (set === null) return;
    const view = this.#views.get(height);
    for (const r of [round, round + 1]) {
      const member = this.#members.find((m) => toHex(m.address) === toHex(proposerForRound(set, r).address));
      // A late height's re-proposal waits for the value it must differ from.
      const waiting = view.late && view.favored === null && r >= 2;
      if (member !== undefined && !view.proposed.has(r) && view.base !== null && !waiting)
        this.#propose(set, view, height, r, member);
    }
  }

  #propose(set: ValidatorSet, view: HeightView, height: number, round: number, member: Member): void {
    view.proposed.add(round);
    if (this.#withholding()) return;
    const again = olderPolka(view, powersOf(set, new Set(this.#members.map((m) => toHex(m.address)))), round);
    const block =
      again === undefined
        ? freshVariant(view.base as Block, member.address, this.#d.rng)
        : view.blocks.get(again[1]);
    if (block === undefined) return;
    const forged = again === undefined && this.#d.forge === true && this.#d.rng.chance(0.5);
    const polRound = again?.[0] ?? (forged ? forgedPolRound(view, this.#powers(set), round) : -1);
    const proposal = signProposal(
      this.#d.chainId,
      { height, round, polRound, blockId: blockId(block), timestamp: this.#d.now() },
      member.key.secretKey,
    );
    this.#d.log?.(`coalition: ${member.name} proposes h${height} r${round} polRound ${polRound}`);
    this.#sendAll(member, { kind: 'proposal', proposal, block });
    if (again !== undefined) {
      // With its proof of lock: the prevotes of the polka, its own among them.
      const pol = view.pol.get(again[0]) ?? [];
      const votes = pol.filter((v) => v.blockId !== null && toHex(v.blockId.hash) === again[1]);
      this.#sendAll(member, { kind: 'votes', votes });
    }
    this.#record(block, proposal);
  }

  /** Every member prevotes the first proposal seen in the round (in the late round: later). */
  #prevote(height: number, round: number): void {
    const view = this.#views.get(height);
    const proposed = view.proposals.get(round);
    const set = this.#d.validatorsAt(height);
    if (proposed === undefined || set === null || view.prevoted.has(round)) return;
    view.prevoted.add(round);
    const value = this.#withholding() ? null : proposed;
    if (isLateRound(view, round) && value !== null) {
      view.held.set(round, value);
      this.#d.log?.(`coalition: holds back its prevotes h${height} r${round} ${value.slice(0, 8)}`);
      return;
    }
    for (const vote of this.#signAll(set, VoteType.Prevote, height, round, value)) {
      const member = this.#members.find((m) => toHex(m.address) === toHex(vote.validatorAddress));
      if (member !== undefined) this.#sendAll(member, { kind: 'vote', vote });
      this.#onVote(vote, true);
    }
  }

  /** On a polka in its view: precommit it (see the class comment); without one, nil after a while. */
  #maybePrecommit(height: number, round: number): void {
    const view = this.#views.get(height);
    const set = this.#d.validatorsAt(height);
    if (set === null || view.precommitted.has(round)) return;
    const powers = powersOf(set, new Set(this.#members.map((m) => toHex(m.address))));
    const votes = view.prevotes.get(round) ?? new Map<string, string>();
    const polka = isLateRound(view, round) || this.#withholding() ? undefined : polkaIn(votes, powers);
    if (polka === undefined) {
      // As a prevote timeout: nil to everyone, so that rounds without a polka still end.
      if (anyPower(votes, powers) * 3n <= powers.total * 2n || view.timed.has(round)) return;
      view.timed.add(round);
      this.#d.schedule(1000, () => {
        if (!view.precommitted.has(round)) this.#precommit(set, view, height, round, null, null);
      });
      return;
    }
    let target: Set<string> | null = null;
    if (view.favored === null || polka === view.favored) {
      view.favored = polka;
      target = this.#views.loneDecider(set, height, round);
    }
    this.#precommit(set, view, height, round, polka, target);
    this.#activity(height, round);
  }

  /** Precommits `value` to `target` (null: everyone) and nil to the others. */
  #precommit(
    set: ValidatorSet,
    view: HeightView,
    h: number,
    r: number,
    value: string | null,
    target: Set<string> | null,
  ): void {
    view.precommitted.add(r);
    const to =
      value === null ? 'nil' : `${value.slice(0, 8)} to ${target === null ? 'all' : [...target].join(',')}`;
    this.#d.log?.(`coalition: precommits h${h} r${r} ${to}`);
    const yes = this.#signAll(set, VoteType.Precommit, h, r, value);
    const nil = this.#signAll(set, VoteType.Precommit, h, r, null);
    yes.forEach((vote, i) => {
      const member = this.#members.find((m) => toHex(m.address) === toHex(vote.validatorAddress));
      for (const peer of this.#peers()) {
        const sent = target?.has(peer) === false ? (nil[i] as Vote) : vote;
        if (member !== undefined) this.#d.network.sendAs(member.name, peer, { kind: 'vote', vote: sent });
      }
    });
  }

  /** The votes of every member (in the set) for `value`. */
  #signAll(set: ValidatorSet, type: VoteType, height: number, round: number, value: string | null): Vote[] {
    const slot = { type, height, round, timestamp: this.#d.now() };
    return this.#members.flatMap((m) => signAs(this.#d.chainId, m, set, slot, value) ?? []);
  }

  #withholding(): boolean {
    return this.#d.withholdFrom !== undefined && this.#d.now() >= this.#d.withholdFrom;
  }

  #powers(set: ValidatorSet) {
    return powersOf(set, new Set(this.#members.map((m) => toHex(m.address))));
  }

  #peers(): string[] {
    return this.#d.network.names.filter((n) => !this.#memberNames.has(n));
  }

  #sendAll(member: Member, message: ConsensusMessage): void {
    for (const peer of this.#peers()) this.#d.network.sendAs(member.name, peer, message);
  }
}
