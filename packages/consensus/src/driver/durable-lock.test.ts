import { describe, expect, it } from 'vitest';
import type { Application } from '../app/application.js';
import { type Block, blockId } from '../block/block.js';
import { addressOf } from '../crypto/address.js';
import { toHex } from '../crypto/hash.js';
import { KvApp, type KvDurable, kvTx } from '../sim/kv-app.js';
import { delegateApp, genesisTime } from '../testkit/cluster.js';
import { type Harness, proposalOf, setupDriver, voteOf } from '../testkit/lone-driver.js';
import { proposerForRound } from '../validators/proposer.js';
import { type Vote, VoteType } from '../vote/vote.js';
import { makeNextBlock } from './block-check.js';
import { decodeWalRecord, encodeWalRecord, type WalRecord, walRecordCodec } from './wal-records.js';

/**
 * A validator's lock survives a crash even when its application misbehaves on the way back.
 * It precommits B1 in round 0 (so it is locked on B1) and crashes; while the WAL is replayed its
 * application throws once when asked about B1. In round 1 a fresh B2 (polRound -1) is proposed:
 * a locked validator must prevote nil, since nobody showed it a proof of lock for B2.
 *
 * Before the verdict was in the WAL, replay asked `processProposal` again, took the throw for
 * "invalid", L36 (which locks only on a valid block) never fired, and the node prevoted B2.
 */

/** The application of a node, with a list of the blocks it was asked about, that throws once for one block. */
function flakyApp(asked: string[], throwOnceFor: { hash: string | null }) {
  return (kv: KvDurable): Application => {
    const inner = new KvApp(kv);
    return delegateApp(inner, {
      processProposal: async (request) => {
        const hash = toHex(request.hash);
        asked.push(hash);
        if (throwOnceFor.hash === hash) {
          throwOnceFor.hash = null;
          throw new Error('disk read failed');
        }
        return inner.processProposal(request);
      },
    });
  };
}

/** The votes of `type` and `round` the node broadcast (its own). */
const ownVotes = (h: Harness, type: VoteType, round: number): Vote[] =>
  h.transport.broadcasts.flatMap((m) =>
    m.kind === 'vote' &&
    m.vote.type === type &&
    m.vote.round === round &&
    toHex(m.vote.validatorAddress) === toHex(addressOf(h.self.publicKey))
      ? [m.vote]
      : [],
  );

/** Round 0: B1 is proposed, the others prevote it; the node prevotes it, locks and precommits it. */
async function lockOnB1(h: Harness): Promise<Block> {
  const b1 = h.goodBlock();
  h.deliver('p0', proposalOf(h, b1, { round: 0 }));
  for (const key of h.others.slice(0, 2))
    h.deliver('p1', {
      kind: 'vote',
      vote: voteOf(h, key, { type: VoteType.Prevote, round: 0, blockId: blockId(b1) }),
    });
  await h.run(100);
  return b1;
}

/** Round 1: a fresh B2 from the round's proposer, with two prevotes of round 1 (so the node skips there). */
async function freshB2InRound1(h: Harness): Promise<Block> {
  const proposer = proposerForRound(h.state.validators, 1);
  const b2 = makeNextBlock(h.state, proposer.address, [kvTx('k', 'b2')], [], null, genesisTime);
  h.deliver('p2', proposalOf(h, b2, { round: 1 }));
  for (const key of h.others.filter((k) => toHex(k.publicKey) !== toHex(proposer.pubKey)).slice(0, 2))
    h.deliver('p2', {
      kind: 'vote',
      vote: voteOf(h, key, { type: VoteType.Prevote, round: 1, blockId: null }),
    });
  await h.run(100);
  return b2;
}

describe('durable locks', () => {
  it.each([
    { name: 'a healthy application', throwsOnReplay: false },
    { name: 'an application that throws once on replay', throwsOnReplay: true },
  ])(
    'with $name, a validator locked on B1 before a crash prevotes nil for a fresh B2 after it',
    async ({ name, throwsOnReplay }) => {
      const asked: string[] = [];
      const throwOnceFor = { hash: null as string | null };
      const before = await setupDriver({ notProposerOf: [0, 1], app: flakyApp(asked, throwOnceFor) });
      const b1 = await lockOnB1(before);
      const b1Hash = toHex(blockId(b1).hash);
      const precommit = ownVotes(before, VoteType.Precommit, 0);
      expect(
        precommit.map((v) => v.blockId && toHex(v.blockId.hash)),
        `${name}: precommitted B1 in round 0`,
      ).toEqual([b1Hash]);
      expect(asked, `${name}: B1 judged once`).toEqual([b1Hash]);

      await before.driver.stop();
      if (throwsOnReplay) throwOnceFor.hash = b1Hash;
      asked.length = 0;
      const after = await setupDriver({
        notProposerOf: [0, 1],
        disk: { ...before.disk, wal: before.disk.wal.crash() },
        app: flakyApp(asked, throwOnceFor),
      });
      expect(after.halts, `${name}: the restart did not stop the node`).toEqual([]);
      const askedOnReplay = asked.splice(0);
      const replayedPrecommit = ownVotes(after, VoteType.Precommit, 0);

      const b2 = await freshB2InRound1(after);
      expect(after.driver.round, `${name}: in round 1`).toBe(1);
      const prevotes = ownVotes(after, VoteType.Prevote, 1);
      expect(
        prevotes.map((v) => (v.blockId === null ? 'nil' : toHex(v.blockId.hash))),
        `${name}: locked on B1, the node prevotes nil in round 1, never B2`,
      ).toEqual(['nil']);
      expect(asked, `${name}: B2 was judged (and found valid)`).toEqual([toHex(blockId(b2).hash)]);
      expect(askedOnReplay, `${name}: replay took the verdict on B1 from the WAL`).toEqual([]);
      expect(
        replayedPrecommit.map((v) => v.blockId && toHex(v.blockId.hash)),
        `${name}: the replay re-derived the precommit for B1`,
      ).toEqual([b1Hash]);
      expect(after.failures(), `${name}: no input failed`).toEqual([]);
    },
  );

  it('the WAL holds each proposal with the verdict on its block', async () => {
    const h = await setupDriver();
    const b1 = await lockOnB1(h);
    const records = (await h.disk.wal.replay(1)).map(decodeWalRecord);
    const proposals = records.filter((r) => r.kind === 'proposal');
    expect(
      proposals.map((r) => ({ valid: r.valid, hash: toHex(r.message.proposal.blockId.hash) })),
      'one proposal record, valid',
    ).toEqual([{ valid: true, hash: toHex(blockId(b1).hash) }]);
  });

  it('an invalid block: the WAL holds the signed proposal alone, and replay takes it as the verdict', async () => {
    const asked: string[] = [];
    const reject = { hash: null as string | null };
    const app = (kv: KvDurable): Application => {
      const inner = new KvApp(kv);
      return delegateApp(inner, {
        processProposal: async (request) => {
          const hash = toHex(request.hash);
          asked.push(hash);
          return hash === reject.hash ? 'reject' : inner.processProposal(request);
        },
      });
    };
    const before = await setupDriver({ notProposerOf: [0], app });
    const b1 = before.goodBlock();
    const b1Hash = toHex(blockId(b1).hash);
    reject.hash = b1Hash;
    before.deliver('p0', proposalOf(before, b1, { round: 0 }));
    await before.run(10);
    const prevote = (h: Harness) =>
      ownVotes(h, VoteType.Prevote, 0).map((v) => (v.blockId === null ? 'nil' : toHex(v.blockId.hash)));
    expect(prevote(before), 'the node prevoted nil for the invalid B1').toEqual(['nil']);
    const records = (await before.disk.wal.replay(1)).map(decodeWalRecord);
    const proposals = records.filter((r) => r.kind === 'proposal' || r.kind === 'invalidProposal');
    expect(
      proposals.map((r) => r.kind),
      'one invalidProposal record, no block',
    ).toEqual(['invalidProposal']);

    // After the crash the application would accept B1: replay must not ask it.
    await before.driver.stop();
    reject.hash = null;
    asked.length = 0;
    const after = await setupDriver({
      notProposerOf: [0],
      disk: { ...before.disk, wal: before.disk.wal.crash() },
      app,
    });
    expect(after.halts, 'the replay re-derived the nil prevote').toEqual([]);
    expect(asked, 'replay did not ask the application about B1').toEqual([]);
    expect(prevote(after), 'the replay prevoted nil again').toEqual(['nil']);
    expect(after.failures()).toEqual([]);
  });

  it('WAL records: `proposal` keeps tag 5, `invalidProposal` has its own (6), both read back as written', async () => {
    const h = await setupDriver();
    const message = proposalOf(h, h.goodBlock(), { round: 0 });
    const valid: WalRecord = { kind: 'proposal', peer: 'p0', message, valid: true };
    const invalid: WalRecord = { kind: 'invalidProposal', peer: 'p0', proposal: message.proposal };
    expect(walRecordCodec.exact, 'no tag is shared by two records').toBe(true);
    expect((walRecordCodec.toWire(valid, '') as unknown[])[0]).toBe(5);
    expect((walRecordCodec.toWire(invalid, '') as unknown[])[0]).toBe(6);
    expect(decodeWalRecord(encodeWalRecord(valid))).toEqual(valid);
    expect(decodeWalRecord(encodeWalRecord(invalid))).toEqual(invalid);
    expect(encodeWalRecord(invalid).length, 'no block in an invalidProposal record').toBeLessThan(
      encodeWalRecord(valid).length,
    );
  });
});
