import { describe, expect, it } from 'vitest';
import { type Block, blockId, makeBlock } from '../block/block.js';
import { type Commit, CommitFlag, type CommitSig } from '../block/commit.js';
import type { Header } from '../block/header.js';
import { generateKeyPair } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hash.js';
import { genesisTime } from '../testkit/cluster.js';
import { type Harness, proposalOf, setupDriver, voteOf } from '../testkit/lone-driver.js';
import { makeDuplicateVoteEvidence } from '../vote/evidence.js';
import { VoteType } from '../vote/vote.js';
import { ConsensusHaltError } from './halt.js';

/**
 * "Bad input": one validator's driver (of a 4-validator genesis) fed bad messages
 * through a fake transport. Nothing throws out of the driver, the peer is reported with a
 * typed fault (a `reject` only when it sent what no honest node sends), and the node stays at its height and round (and does not vote for bad blocks).
 */

/** Delivers `message` as `peer`; runs 500 ms of virtual time (under the 1 s propose timeout). */
async function feed(h: Harness, name: string, message: Parameters<Harness['deliver']>[1], peer = 'p1') {
  const before = { height: h.driver.height, round: h.driver.round };
  const reports = h.transport.reports.length;
  const broadcasts = h.transport.broadcasts.length;
  expect(() => h.deliver(peer, message), `${name}: the transport handler does not throw`).not.toThrow();
  await h.run(500);
  expect({ height: h.driver.height, round: h.driver.round }, `${name}: height/round unchanged`).toEqual(
    before,
  );
  expect(h.failures(), `${name}: no input failed inside the driver`).toEqual([]);
  return {
    reports: h.transport.reports.slice(reports),
    votes: h.transport.broadcasts.slice(broadcasts).flatMap((m) => (m.kind === 'vote' ? [m.vote] : [])),
  };
}

function rebuilt(block: Block, patch: Partial<Header>): Block {
  return makeBlock({ ...block.header, ...patch }, block.txs, block.evidence, block.lastCommit);
}

describe('driver bad input: votes', () => {
  it.each([
    {
      name: 'a vote with a bad signature',
      mutate: (v: ReturnType<typeof voteOf>) => {
        const signature = v.signature.slice();
        signature[0] = (signature[0] as number) ^ 1;
        return { ...v, signature };
      },
      fault: { code: 'VOTE_BAD_SIGNATURE', action: 'reject' },
    },
    {
      name: 'a vote with a wrong validatorIndex',
      mutate: (v: ReturnType<typeof voteOf>) => ({ ...v, validatorIndex: (v.validatorIndex + 1) % 4 }),
      fault: { code: 'VOTE_WRONG_SIGNER', action: 'reject' },
    },
    {
      name: 'a vote with a validatorIndex beyond the set',
      mutate: (v: ReturnType<typeof voteOf>) => ({ ...v, validatorIndex: 900 }),
      fault: { code: 'VOTE_WRONG_SIGNER', action: 'reject' },
    },
  ])('$name is refused and reported', async ({ name, mutate, fault }) => {
    const h = await setupDriver();
    const vote = mutate(voteOf(h, h.others[0], { type: VoteType.Prevote, round: 0, blockId: null }));
    const { reports, votes } = await feed(h, name, { kind: 'vote', vote });
    expect(reports, `${name}: reported as the sender's fault`).toEqual([{ peer: 'p1', fault }]);
    expect(votes, `${name}: the node did not react`).toEqual([]);
  });

  it('a vote signed by a key outside the validator set is refused and reported', async () => {
    const h = await setupDriver();
    const stranger = generateKeyPair(new Uint8Array(32).fill(99));
    const vote = voteOf(h, stranger, { type: VoteType.Prevote, round: 0, blockId: null, validatorIndex: 0 });
    const { reports } = await feed(h, 'non-validator vote', { kind: 'vote', vote });
    expect(reports, 'non-validator vote: reported').toEqual([
      { peer: 'p1', fault: { code: 'VOTE_WRONG_SIGNER', action: 'reject' } },
    ]);
  });

  it('one bad vote inside a votes batch is reported; the batch does not throw', async () => {
    const h = await setupDriver();
    const good = voteOf(h, h.others[0], { type: VoteType.Prevote, round: 0, blockId: null });
    const other = voteOf(h, h.others[1], { type: VoteType.Prevote, round: 0, blockId: null });
    const forged = { ...other, signature: new Uint8Array(64) };
    const { reports } = await feed(h, 'votes batch', { kind: 'votes', votes: [good, forged] });
    expect(reports, 'votes batch: the forged vote is reported once').toEqual([
      { peer: 'p1', fault: { code: 'VOTE_BAD_SIGNATURE', action: 'reject' } },
    ]);
  });

  it('votes for a far-future height, the next height and old heights are dropped without a report', async () => {
    const h = await setupDriver();
    const far = voteOf(h, h.others[0], { type: VoteType.Prevote, round: 0, blockId: null, height: 6 });
    const next = voteOf(h, h.others[0], { type: VoteType.Prevote, round: 0, blockId: null, height: 2 });
    const forgedNext = { ...next, signature: new Uint8Array(64) };
    // Stale and early votes are normal in gossip: a correct peer must not be penalised for them.
    expect((await feed(h, 'far-future height', { kind: 'vote', vote: far })).reports).toEqual([]);
    expect((await feed(h, 'next height', { kind: 'vote', vote: next })).reports).toEqual([]);
    // A next-height vote is kept unchecked until that height starts; then a forgery is reported.
    expect((await feed(h, 'forged next height', { kind: 'vote', vote: forgedNext }, 'p3')).reports).toEqual(
      [],
    );

    // Move the node to height 2 with a valid decision, then send it height-1 votes and decisions.
    const decision = h.decision(h.goodBlock(), [0, 1, 2]);
    h.deliver('p2', decision);
    await h.run(2000);
    expect(h.driver.height, 'a valid decision (positive control) moves the node to height 2').toBe(2);
    expect(h.transport.reports, 'the buffered forgery is reported at height 2').toEqual([
      { peer: 'p3', fault: { code: 'VOTE_BAD_SIGNATURE', action: 'reject' } },
    ]);
    const old = voteOf(h, h.others[2], {
      type: VoteType.Precommit,
      round: 0,
      blockId: decision.commit.blockId,
      height: 1,
    });
    expect((await feed(h, 'old-height vote', { kind: 'vote', vote: old })).reports).toEqual([]);
    expect((await feed(h, 'old-height decision', decision)).reports).toEqual([]);
  });

  it('votes in rounds far ahead are bounded per validator: the third such round is ignored, unblamed', async () => {
    const h = await setupDriver();
    const vote = (round: number) => voteOf(h, h.others[0], { type: VoteType.Prevote, round, blockId: null });
    expect((await feed(h, 'round 50', { kind: 'vote', vote: vote(50) })).reports, 'round 50 kept').toEqual(
      [],
    );
    expect((await feed(h, 'round 51', { kind: 'vote', vote: vote(51) })).reports, 'round 51 kept').toEqual(
      [],
    );
    expect((await feed(h, 'round 52', { kind: 'vote', vote: vote(52) })).reports, 'round 52 refused').toEqual(
      [{ peer: 'p1', fault: { code: 'VOTE_TOO_FAR_AHEAD', action: 'ignore' } }],
    );
  });

  it('a duplicate vote is not counted twice (no report, no quorum from one validator)', async () => {
    const h = await setupDriver();
    await h.run(1500); // propose timeout: the node prevotes nil
    const a = voteOf(h, h.others[0], { type: VoteType.Prevote, round: 0, blockId: null });
    const again = voteOf(h, h.others[0], { type: VoteType.Prevote, round: 0, blockId: null, timestamp: 7 });
    // Own nil prevote + one other = 2/4: a duplicate counted twice would make 3/4 and a nil precommit.
    for (const [i, vote] of [a, a, a, again].entries()) {
      const { reports, votes } = await feed(h, `duplicate #${i}`, { kind: 'vote', vote });
      expect(reports, `duplicate #${i}: not reported`).toEqual([]);
      expect(
        votes.filter((v) => v.type === VoteType.Precommit),
        `duplicate #${i}: no quorum`,
      ).toEqual([]);
    }
    const b = voteOf(h, h.others[1], { type: VoteType.Prevote, round: 0, blockId: null });
    h.deliver('p2', { kind: 'vote', vote: b });
    await h.run(100);
    const precommits = h.transport.broadcasts.filter((m) => m.kind === 'vote' && m.vote.type === 2);
    expect(precommits.length, 'a third distinct validator (positive control) makes the nil polka').toBe(1);
  });
});

describe('driver bad input: proposals and blocks', () => {
  const wrong = new Uint8Array(32).fill(0xee);
  it.each([
    { name: 'a block with a wrong app hash', patch: { appHash: wrong } },
    {
      name: 'a block with a wrong validators hash',
      patch: { validatorsHash: wrong },
    },
    {
      name: 'a block with a wrong time',
      patch: { time: genesisTime + 5 },
    },
    { name: 'a block of another chain', patch: { chainId: 'other-chain' } },
  ])('$name: reported (blaming no relay), and the node prevotes nil', async ({ name, patch }) => {
    const h = await setupDriver();
    const block = rebuilt(h.goodBlock(), patch);
    const { reports, votes } = await feed(h, name, proposalOf(h, block, { round: 0 }));
    expect(reports, `${name}: one report, an ignore`).toEqual([
      { peer: 'p1', fault: { code: 'BLOCK_INVALID', action: 'ignore' } },
    ]);
    expect(
      votes.map((v) => [v.type, v.blockId]),
      `${name}: prevote nil`,
    ).toEqual([[VoteType.Prevote, null]]);
  });

  it('a valid proposal (positive control) is prevoted, without a report', async () => {
    const h = await setupDriver();
    const block = h.goodBlock();
    const { reports, votes } = await feed(h, 'valid proposal', proposalOf(h, block, { round: 0 }));
    expect(reports, 'valid proposal: no report').toEqual([]);
    expect(
      votes.map((v) => v.blockId && toHex(v.blockId.hash)),
      'valid proposal: prevoted',
    ).toEqual([toHex(blockId(block).hash)]);
  });

  it.each([
    {
      name: 'a proposal not signed by the round proposer',
      make: (h: Harness) => proposalOf(h, h.goodBlock(), { round: 0, signer: 'not-proposer' }),
      fault: { code: 'PROPOSAL_BAD_SIGNATURE', action: 'reject' },
    },
    {
      name: 'a proposal whose block does not match its block id',
      make: (h: Harness) => {
        const message = proposalOf(h, h.goodBlock(), { round: 0 });
        return { ...message, block: rebuilt(message.block, { time: genesisTime + 1 }) };
      },
      fault: { code: 'PROPOSAL_BLOCK_MISMATCH', action: 'reject' },
    },
    {
      name: 'a proposal with polRound equal to its round',
      make: (h: Harness) => proposalOf(h, h.goodBlock(), { round: 1, polRound: 1 }),
      fault: { code: 'PROPOSAL_BAD_POL_ROUND', action: 'reject' },
    },
    {
      name: 'a proposal with polRound above its round',
      make: (h: Harness) => proposalOf(h, h.goodBlock(), { round: 1, polRound: 3 }),
      fault: { code: 'PROPOSAL_BAD_POL_ROUND', action: 'reject' },
    },
    {
      name: 'a proposal for a round far ahead',
      make: (h: Harness) => proposalOf(h, h.goodBlock(), { round: 5_000 }),
      fault: { code: 'PROPOSAL_TOO_FAR_AHEAD', action: 'ignore' },
    },
  ])('$name is refused and reported; no vote', async ({ name, make, fault }) => {
    const h = await setupDriver();
    const { reports, votes } = await feed(h, name, make(h));
    expect(reports, `${name}: reported`).toEqual([{ peer: 'p1', fault }]);
    expect(votes, `${name}: no vote`).toEqual([]);
  });
});

describe('driver bad input: decisions', () => {
  it.each([
    {
      name: 'a commit with a forged signature',
      commit: (c: Commit): Commit => ({
        ...c,
        signatures: c.signatures.map(
          (s, i): CommitSig => (i === 0 ? { ...s, signature: new Uint8Array(64) } : s),
        ),
      }),
    },
    {
      name: 'a commit with too little power',
      commit: (c: Commit): Commit => ({
        ...c,
        signatures: c.signatures.map(
          (s, i): CommitSig =>
            i === 0
              ? s
              : {
                  flag: CommitFlag.Absent,
                  validatorAddress: new Uint8Array(0),
                  timestamp: 0,
                  signature: new Uint8Array(0),
                },
        ),
      }),
    },
    {
      name: 'a commit for another block',
      commit: (c: Commit): Commit => ({ ...c, blockId: { hash: new Uint8Array(32).fill(3) } }),
    },
  ])('a decision with $name is refused and reported', async ({ name, commit }) => {
    const h = await setupDriver();
    const good = h.decision(h.goodBlock(), [0, 1, 2]);
    const { reports } = await feed(h, name, { ...good, commit: commit(good.commit) });
    expect(reports, `${name}: one report, the sender's fault`).toEqual([
      { peer: 'p1', fault: { code: 'DECISION_BAD_COMMIT', action: 'reject' } },
    ]);
    await h.run(3000);
    expect(h.driver.height, `${name}: still at height 1`).toBe(1);
    expect(await h.store.loadBlock(1), `${name}: nothing committed`).toBeNull();
  });

  /**
   * Regression: a node whose chain rules refused a block that +2/3 of the power had committed
   * reported the relaying peer and stayed at that height for good, silently. As CometBFT's
   * finalizeCommit ("+2/3 committed an invalid block"), it now halts, loudly: the rules (evidence
   * included) are a function of the chain, so either its own store diverged or more than 1/3 is
   * faulty. It neither applies the block nor blames the peer that relayed the network's decision.
   */
  it.each([
    { name: 'a wrong app hash', code: 'DECIDED_BLOCK_REFUSED', reason: 'app hash does not match' },
    {
      name: 'evidence of a height not yet committed',
      code: 'DECIDED_BLOCK_REFUSED',
      reason: 'evidence of height 1',
    },
  ])(
    'a decision whose block breaks the chain rules ($name) halts the node, even with a valid commit',
    async ({ name, code, reason }) => {
      const h = await setupDriver();
      const good = h.goodBlock();
      const other = h.others[0];
      const evidence = makeDuplicateVoteEvidence(
        voteOf(h, other, { type: VoteType.Prevote, round: 0, blockId: null }),
        voteOf(h, other, { type: VoteType.Prevote, round: 0, blockId: blockId(good) }),
      );
      const bad =
        name === 'a wrong app hash'
          ? rebuilt(good, { appHash: new Uint8Array(32).fill(1) })
          : makeBlock(good.header, good.txs, [evidence], good.lastCommit);
      const halts: string[] = [];
      h.driver.onHalt((error) => halts.push(`${error.code}: ${error.message}`));
      expect(() => h.deliver('p1', h.decision(bad, [0, 1, 2])), `${name}: no throw`).not.toThrow();
      await h.run(5000);
      expect(halts.length, `${name}: halted once`).toBe(1);
      expect(halts[0], `${name}: typed, with the rule`).toContain(code);
      expect(halts[0], `${name}: the rule`).toContain(reason);
      expect(h.halts[0], `${name}: one halt mechanism`).toBeInstanceOf(ConsensusHaltError);
      await expect(h.driver.start(), `${name}: a halted driver does not start again`).rejects.toBe(
        h.halts[0],
      );
      expect(h.transport.reports, `${name}: the relaying peer is not blamed`).toEqual([]);
      expect(await h.store.loadBlock(1), `${name}: not committed`).toBeNull();
      const sent = h.transport.broadcasts.length;
      h.deliver('p1', h.decision(good, [0, 1, 2]));
      await h.run(5000);
      expect(await h.store.loadBlock(1), `${name}: halted for good, nothing more is applied`).toBeNull();
      expect(h.transport.broadcasts.length, `${name}: nothing more is sent`).toBe(sent);
    },
  );
});

/**
 * A relay cannot make a node halt or refuse a proposer's block by changing what the signed header
 * does not cover by itself: a block body (transactions, evidence, last commit) that does not hash
 * to its header is not the signed block, the sender's fault, and the genuine block still decides.
 */
describe('driver bad input: a signed header with another body', () => {
  const bodies = [
    {
      name: 'another transaction list',
      patch: (b: Block): Block => ({ ...b, txs: [new Uint8Array([1, 2, 3])] }),
    },
    {
      name: 'other evidence',
      patch: (b: Block, h: Harness): Block => {
        const other = h.others[0];
        const evidence = makeDuplicateVoteEvidence(
          voteOf(h, other, { type: VoteType.Prevote, round: 0, blockId: null }),
          voteOf(h, other, { type: VoteType.Prevote, round: 0, blockId: blockId(b) }),
        );
        return { ...b, evidence: [evidence] };
      },
    },
  ];

  it.each(bodies)("a decision with $name is the relay's fault, not a halt", async ({ name, patch }) => {
    const h = await setupDriver();
    const good = h.decision(h.goodBlock(), [0, 1, 2]);
    const halts: string[] = [];
    h.driver.onHalt((error) => halts.push(error.code));
    const { reports } = await feed(h, name, { ...good, block: patch(good.block, h) });
    expect(halts, `${name}: no halt`).toEqual([]);
    expect(reports, `${name}: the sender pays`).toEqual([
      { peer: 'p1', fault: { code: 'DECISION_BLOCK_MISMATCH', action: 'reject' } },
    ]);
    h.deliver('p2', good);
    await h.run(5000);
    expect(await h.store.loadBlock(1), `${name}: the genuine decision commits`).not.toBeNull();
  });

  it.each(bodies)(
    "a proposal with $name is the relay's fault, and the genuine one still counts",
    async ({ name, patch }) => {
      const h = await setupDriver();
      const message = proposalOf(h, h.goodBlock(), { round: 0 });
      const { reports } = await feed(h, name, { ...message, block: patch(message.block, h) });
      expect(reports, `${name}: the sender pays`).toEqual([
        { peer: 'p1', fault: { code: 'PROPOSAL_BLOCK_MISMATCH', action: 'reject' } },
      ]);
      const before = h.transport.broadcasts.length;
      h.deliver('p2', message);
      await h.run(500);
      const prevotes = h.transport.broadcasts
        .slice(before)
        .flatMap((m) => (m.kind === 'vote' && m.vote.type === VoteType.Prevote ? [m.vote] : []));
      expect(
        prevotes.map((v) => (v.blockId === null ? 'nil' : toHex(v.blockId.hash))),
        `${name}: a prevote for the genuine block`,
      ).toEqual([toHex(blockId(message.block).hash)]);
    },
  );
});
