import { addressOf } from '../crypto/address.js';
import type { KeyPair } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hash.js';
import type { ConsensusMessage } from '../driver/messages.js';
import type { Transport } from '../driver/transport.js';
import type { Vote } from '../vote/vote.js';
import { isPoison } from './kv-app.js';
import type { SimNode } from './node.js';

/** The checks of a scenario: signing, agreement, validity and evidence (see the README). */

/**
 * A tap on what each correct validator sends: two different signatures for one slot are reported
 * (safety), and so is a vote for a block the validator's own application rejected (validity: L22,
 * L28 and L36 only ever vote for a valid proposal).
 */
export class SigningChecker {
  readonly problems: string[] = [];
  readonly invalidVotes: string[] = [];
  readonly #signed = new Map<string, string>();

  tap(
    name: string,
    own: Uint8Array,
    rejected?: () => ReadonlySet<string>,
  ): (message: ConsensusMessage) => void {
    const me = toHex(own);
    return (message) => {
      if (message.kind === 'vote' && toHex(message.vote.validatorAddress) === me) {
        const v = message.vote;
        this.#check(name, 'votes', `${me.slice(0, 8)} h${v.height} r${v.round} t${v.type}`, votedValue(v));
        const value = votedValue(v);
        if (value !== 'nil' && rejected?.().has(value) === true && this.invalidVotes.length < 100)
          this.invalidVotes.push(
            `correct validator ${name} voted (h${v.height} r${v.round} t${v.type}) for a block its application rejected`,
          );
      }
      if (message.kind === 'proposal') {
        const { height, round, blockId } = message.proposal;
        this.#check(
          name,
          'proposals',
          `proposal ${me.slice(0, 8)} h${height} r${round}`,
          toHex(blockId.hash),
        );
      }
    };
  }

  #check(name: string, what: string, key: string, value: string): void {
    const before = this.#signed.get(key);
    if (before !== undefined && before !== value)
      this.problems.push(`correct validator ${name} signed conflicting ${what}: ${key}`);
    this.#signed.set(key, value);
  }
}

/** The conflicting votes each correct node received while at their height: it must hold evidence. */
export class ConflictWatcher {
  readonly seen = new Map<SimNode, Map<string, Set<string>>>();

  watch(transport: Transport, self: () => SimNode): Transport {
    return {
      ...transport,
      onMessage: (handler) =>
        transport.onMessage((peer, message) => {
          const node = self();
          const votes =
            message.kind === 'vote' ? [message.vote] : message.kind === 'votes' ? message.votes : [];
          for (const v of votes) {
            if (node.driver?.height !== v.height) continue;
            const seen = this.seen.get(node) ?? new Map<string, Set<string>>();
            this.seen.set(node, seen);
            const values = seen.get(evidenceKeyOf(v)) ?? new Set<string>();
            values.add(votedValue(v));
            seen.set(evidenceKeyOf(v), values);
          }
          handler(peer, message);
        }),
    };
  }
}

function votedValue(v: Vote): string {
  return v.blockId === null ? 'nil' : toHex(v.blockId.hash);
}

/** No two correct nodes decide different blocks at one height, and none changes its mind. */
export function agreement(correct: readonly SimNode[]): string[] {
  const problems: string[] = [];
  const byHeight = new Map<number, string>();
  for (const node of correct) {
    if (node.conflicts > 0) problems.push(`${node.name} decided two blocks at one height`);
    for (const [h, hash] of node.decisions) {
      const other = byHeight.get(h);
      if (other !== undefined && other !== hash)
        problems.push(`height ${h}: ${node.name} decided ${hash.slice(0, 8)}, another ${other.slice(0, 8)}`);
      byHeight.set(h, hash);
    }
  }
  return problems;
}

/**
 * Every decided block passed processProposal at a correct node (or was built by a correct
 * proposer), and none carries a poison transaction. A node that learns a decision whole from a
 * peer does not run processProposal itself (as CometBFT): +2/3 of the power committed the block,
 * so some correct validator accepted it.
 */
export function validity(correct: readonly SimNode[]): string[] {
  const problems: string[] = [];
  const accepted = new Set(correct.flatMap((node) => [...node.accepted]));
  const proposers = new Set(correct.flatMap((node) => (node.address === null ? [] : [toHex(node.address)])));
  for (const node of correct) {
    for (const { block, commit } of node.committed) {
      const hash = toHex(commit.blockId.hash);
      if (!accepted.has(hash) && !proposers.has(toHex(block.header.proposerAddress))) {
        problems.push(`${node.name} decided block ${block.header.height} that no correct node accepted`);
      }
      if (block.txs.some(isPoison))
        problems.push(`${node.name} decided block ${block.header.height} holding a poison tx`);
    }
  }
  return problems;
}

/** The slot a vote fills: equivocation is two different votes for one slot. */
export function evidenceKeyOf(v: Vote): string {
  return `${toHex(v.validatorAddress)}/${v.height}/${v.round}/${v.type}`;
}

/**
 * Evidence is only ever about Byzantine validators, and every correct node that received two
 * conflicting votes for one slot while at that height reported evidence for it.
 */
export function evidenceProblems(
  correct: readonly SimNode[],
  byzantineIndexes: Iterable<number>,
  keys: readonly KeyPair[],
  seen: Map<SimNode, Map<string, Set<string>>>,
): string[] {
  const byzantine = new Set(
    [...byzantineIndexes].map((i) => toHex(addressOf((keys[i] as KeyPair).publicKey))),
  );
  const problems: string[] = [];
  for (const node of correct) {
    const reported = new Set(node.evidence.map((e) => evidenceKeyOf(e.voteA)));
    for (const e of node.evidence) {
      const who = toHex(e.voteA.validatorAddress);
      if (!byzantine.has(who))
        problems.push(`${node.name} holds evidence against correct validator ${who.slice(0, 8)}`);
    }
    for (const [key, values] of seen.get(node) ?? []) {
      if (values.size > 1 && !reported.has(key) && node.crashes === 0) {
        problems.push(`${node.name} received conflicting votes ${key.slice(0, 8)}… but reported no evidence`);
      }
    }
  }
  return problems;
}

/**
 * The tight-timing liveness of a calm network (every message arrives within `maxDelayMs` once
 * sent, and no correct node crashes after `fromMs`), for the heights that start after `fromMs`:
 *
 * - each is decided within `maxRounds` rounds (of the highest round a correct node was in at
 *   `fromMs`, for the height then in progress): a node left behind in rounds must catch up at once
 *   (L55), not one timeout at a time;
 * - each correct node that decided the previous height in step (within `maxDelayMs` of the first)
 *   decides it within `maxDelayMs` of the first correct node: it entered the height by the time
 *   the first could (the commit timeout is the same for all), the proposal and precommits that made
 *   the first decide reach it by then, and L49 decides on them whatever round it is in. Catching up
 *   through a peer's decision message is slower than that (it waits for the peers' next height).
 */
export function tightLiveness(
  correct: readonly SimNode[],
  options: {
    readonly fromMs: number;
    readonly heightAtStart: number;
    readonly roundAtStart: number;
    readonly maxRounds: number;
    readonly maxDelayMs: number;
  },
): string[] {
  const problems: string[] = [];
  const heights = new Set(correct.flatMap((node) => [...node.decidedAt.keys()]));
  const first = new Map<number, number>();
  for (const h of heights) {
    const times = correct.flatMap((node) => {
      const d = node.decidedAt.get(h);
      return d === undefined ? [] : [d.at];
    });
    first.set(h, Math.min(...times));
  }
  for (const h of [...heights].sort((a, b) => a - b)) {
    if (h < options.heightAtStart) continue;
    const t0 = first.get(h) as number;
    const bound = (h === options.heightAtStart ? options.roundAtStart : 0) + options.maxRounds;
    for (const node of correct) {
      const d = node.decidedAt.get(h);
      if (d === undefined) continue;
      if (d.round > bound && problems.length < 20)
        problems.push(`${node.name} decided height ${h} in round ${d.round}, later than round ${bound}`);
      const previous = node.decidedAt.get(h - 1);
      const t1 = first.get(h - 1);
      // From two heights above the one in progress at `fromMs` on, every message of the height
      // was sent after `fromMs` (a Byzantine validator can be at most one height ahead of the
      // correct ones), so none was lost.
      const inStep =
        h >= options.heightAtStart + 2 &&
        previous !== undefined &&
        t1 !== undefined &&
        t1 >= options.fromMs &&
        previous.at <= t1 + options.maxDelayMs;
      if (inStep && d.at > t0 + options.maxDelayMs && problems.length < 20)
        problems.push(
          `${node.name} decided height ${h} ${d.at - t0} ms after the first, more than ${options.maxDelayMs} ms`,
        );
    }
  }
  return problems;
}
