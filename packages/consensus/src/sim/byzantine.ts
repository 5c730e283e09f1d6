import { blockId, makeBlock } from '../block/block.js';
import type { KeyPair } from '../crypto/ed25519.js';
import type { ConsensusMessage } from '../driver/messages.js';
import type { Transport } from '../driver/transport.js';
import { signProposal } from '../vote/proposal.js';
import { signVote } from '../vote/vote.js';
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
 * Twins are two honest nodes sharing one key.
 * `lock-attack` validators act together as a `Coalition` (coalition.ts).
 */
export type ByzantineKind =
  | 'equivocate-votes'
  | 'equivocate-proposals'
  | 'equivocate-both'
  | 'equivocate-many'
  | 'amnesiac'
  | 'twin'
  | 'lock-attack';

/**
 * A transport for a Byzantine node: it sends one version of each of its own votes (or proposals)
 * to a random subset of the peers (drawn anew for every message) and a conflicting, validly
 * signed version to the others.
 */
export function equivocatingTransport(
  kind: Exclude<ByzantineKind, 'twin' | 'lock-attack'>,
  name: string,
  inner: Transport,
  network: SimNetwork,
  key: KeyPair,
  address: Uint8Array,
  chainId: string,
  rng: SeededRng,
): Transport {
  const votes = kind !== 'equivocate-proposals';
  const proposals = kind !== 'equivocate-votes';
  const split = (message: ConsensusMessage, other: ConsensusMessage) => {
    for (const peer of network.names)
      if (peer !== name) network.sendAs(name, peer, rng.chance(0.5) ? message : other);
  };
  return {
    ...inner,
    broadcast(message) {
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
        const altProposal = signProposal(
          chainId,
          { ...unsigned, polRound: -1, blockId: blockId(alt) },
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
