import { blockId, makeBlock } from '../block/block.js';
import type { KeyPair } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hash.js';
import type { ConsensusMessage } from '../driver/messages.js';
import type { Transport } from '../driver/transport.js';
import { signProposal } from '../vote/proposal.js';
import { signVote, type Vote, VoteType } from '../vote/vote.js';
import { kvTx, poisonTx } from './kv-app.js';
import type { SimNetwork } from './network.js';
import type { SeededRng } from './rng.js';

/**
 * How a Byzantine validator misbehaves. An equivocating proposer sends its second block as a
 * fresh proposal (polRound -1) — exactly the proposal a locked node must refuse; `equivocate-both`
 * equivocates on votes and proposals. An `amnesiac` forgets its locks when it proposes: every
 * proposal it sends anyone is a fresh block (polRound -1), and it equivocates on votes — the
 * attack that the lock rules (L22, L28) exist to defeat. `equivocate-many` signs three to five
 * values for each of its prevotes and precommits (its own, nil, random blocks) and sends each peer
 * several of them: to half the peers all the others first and its own value last (the order that
 * blinded a keeper of two votes per validator), to the rest a random subset in random order; it
 * equivocates on proposals as `equivocate-both`, so some nodes miss the proposal the others vote.
 * `forge-pol` re-proposes, from round 1 on, a fresh block with a forged polRound (a round below
 * the proposal's in which no polka for it exists) to a random half of the peers: a node that
 * accepts a proof of lock it does not hold unlocks for it. `nil-voter` votes as its driver does
 * in the first rounds of a height (none, two or three, drawn per height — or until two correct
 * validators are locked on different values) and nil on everything after (it never equivocates, and answers no one with a decision, which would show its
 * real precommits): the others can move through rounds but cannot decide without every correct
 * validator it leaves short of a quorum, and locks formed with its help in the first rounds must
 * be released by the correct validators' own re-proposals (polRound = validRound, L28) — the
 * tight-timing mode's adversary.
 * Twins are two honest nodes sharing one key.
 * `lock-attack` validators act together as a `Coalition` (coalition.ts), `double-polka` ones as a
 * `DoublePolka` (coalition-double.ts), `lock-split` ones as a `LockSplit` (coalition-split.ts).
 */
export const byzantineKinds = [
  'equivocate-votes',
  'equivocate-proposals',
  'equivocate-both',
  'equivocate-many',
  'amnesiac',
  'forge-pol',
  'nil-voter',
  'twin',
  'lock-attack',
  'double-polka',
  'lock-split',
] as const;
export type ByzantineKind = (typeof byzantineKinds)[number];

/**
 * A transport for a Byzantine node: it sends one version of each of its own votes (or proposals)
 * to a random subset of the peers (drawn anew for every message) and a conflicting, validly
 * signed version to the others.
 */
export function equivocatingTransport(
  kind: Exclude<ByzantineKind, 'twin' | 'lock-attack' | 'double-polka' | 'lock-split'>,
  name: string,
  inner: Transport,
  network: SimNetwork,
  key: KeyPair,
  address: Uint8Array,
  chainId: string,
  rng: SeededRng,
): Transport {
  const votes = kind !== 'equivocate-proposals' && kind !== 'forge-pol';
  const proposals = kind !== 'equivocate-votes' && kind !== 'nil-voter';
  const split = (message: ConsensusMessage, other: ConsensusMessage) => {
    for (const peer of network.names)
      if (peer !== name) network.sendAs(name, peer, rng.chance(0.5) ? message : other);
  };
  // A nil-voter's own votes, wherever its driver sends them (broadcasts and answers to a status).
  // Per height it votes nil from a drawn round on, or (`untilSplit`) as soon as two correct
  // validators' latest non-nil precommits — their locks — differ; each slot's choice is kept, so
  // it never signs two votes for one slot.
  const plan = new Map<number, number>();
  const honest = new Map<string, boolean>();
  const locks = new Map<number, Map<string, string>>();
  const forget = (height: number) => {
    for (const h of plan.keys()) if (h < height - 10) plan.delete(h);
    for (const h of locks.keys()) if (h < height - 10) locks.delete(h);
    if (honest.size > 1000) honest.clear();
  };
  const observe = (message: ConsensusMessage) => {
    if (kind !== 'nil-voter') return;
    const votes = message.kind === 'vote' ? [message.vote] : message.kind === 'votes' ? message.votes : [];
    for (const v of votes) {
      if (v.type !== VoteType.Precommit || v.blockId === null || sameBytes(v.validatorAddress, address))
        continue;
      const byValidator = locks.get(v.height) ?? new Map<string, string>();
      locks.set(v.height, byValidator);
      byValidator.set(toHex(v.validatorAddress), toHex(v.blockId.hash));
    }
  };
  const nil = (vote: Vote): Vote => {
    if (!sameBytes(vote.validatorAddress, address) || vote.blockId === null) return vote;
    let from = plan.get(vote.height);
    if (from === undefined) {
      from = rng.pick(nilFromRounds);
      plan.set(vote.height, from);
      forget(vote.height);
    }
    const slot = `${vote.height}/${vote.round}/${vote.type}`;
    let keep = honest.get(slot);
    if (keep === undefined) {
      keep = from === untilSplit ? new Set(locks.get(vote.height)?.values()).size < 2 : vote.round < from;
      honest.set(slot, keep);
    }
    if (keep) return vote;
    const { signature: _s, ...unsigned } = vote;
    return signVote(chainId, { ...unsigned, blockId: null }, key.secretKey);
  };
  const nilled = (message: ConsensusMessage): ConsensusMessage =>
    message.kind === 'vote'
      ? { kind: 'vote', vote: nil(message.vote) }
      : message.kind === 'votes'
        ? { kind: 'votes', votes: message.votes.map(nil) }
        : message;
  return {
    ...inner,
    onMessage: (handler) =>
      inner.onMessage((peer, message) => {
        observe(message);
        handler(peer, message);
      }),
    send(peer, message) {
      if (kind !== 'nil-voter') inner.send(peer, message);
      else if (message.kind !== 'decision') inner.send(peer, nilled(message));
    },
    broadcast(message) {
      if (kind === 'nil-voter') {
        inner.broadcast(nilled(message));
        return;
      }
      if (
        kind === 'equivocate-many' &&
        message.kind === 'vote' &&
        sameBytes(message.vote.validatorAddress, address)
      ) {
        const { signature: _s, ...unsigned } = message.vote;
        const others = Array.from({ length: rng.int(2, 4) }, (_, i) =>
          i === 0 && unsigned.blockId !== null ? null : { hash: rng.bytes(32) },
        ).map(
          (id): ConsensusMessage => ({
            kind: 'vote',
            vote: signVote(chainId, { ...unsigned, blockId: id }, key.secretKey),
          }),
        );
        for (const peer of network.names) {
          if (peer === name) continue;
          const sequence = rng.chance(0.5)
            ? [...shuffle(others, rng), message]
            : shuffle([message, ...others], rng).slice(0, rng.int(1, others.length + 1));
          for (const m of sequence) network.sendAs(name, peer, m);
        }
        return;
      }
      if (votes && message.kind === 'vote' && sameBytes(message.vote.validatorAddress, address)) {
        const { signature: _s, ...unsigned } = message.vote;
        const blockIdOther = unsigned.blockId === null ? { hash: rng.bytes(32) } : null;
        const other = signVote(chainId, { ...unsigned, blockId: blockIdOther }, key.secretKey);
        split(message, { kind: 'vote', vote: other });
        return;
      }
      if (proposals && message.kind === 'proposal') {
        const { block, proposal } = message;
        const { dataHash: _d, evidenceHash: _e, lastCommitHash: _l, ...fields } = block.header;
        const extra = rng.chance(0.25)
          ? poisonTx(`p${rng.nextUint32()}`)
          : kvTx(`byz${rng.nextUint32()}`, 'x');
        const alt = makeBlock(fields, [...block.txs, extra], block.evidence, block.lastCommit);
        const { signature: _s, ...unsigned } = proposal;
        // A forged polRound: no polka for this fresh block exists in any round.
        const polRound = kind === 'forge-pol' && proposal.round > 0 ? rng.int(0, proposal.round - 1) : -1;
        const altProposal = signProposal(
          chainId,
          { ...unsigned, polRound, blockId: blockId(alt) },
          key.secretKey,
        );
        const fresh: ConsensusMessage = { kind: 'proposal', proposal: altProposal, block: alt };
        if (kind === 'amnesiac') inner.broadcast(fresh);
        else split(message, fresh);
        return;
      }
      inner.broadcast(message);
    },
  };
}

/** The rounds from which a `nil-voter` votes nil, one drawn per height (`untilSplit`: see there). */
const untilSplit = -1;
const nilFromRounds = [0, 0, 2, 3, untilSplit, untilSplit, untilSplit];

function shuffle<T>(items: readonly T[], rng: SeededRng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
