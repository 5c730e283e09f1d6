import { describe, expect, it } from 'vitest';
import type { Application } from '../app/application.js';
import { blockId } from '../block/block.js';
import { addressOf } from '../crypto/address.js';
import { toHex } from '../crypto/hash.js';
import { SignStep } from '../signer/signer-store.js';
import { KvApp, type KvDurable } from '../sim/kv-app.js';
import { delegateApp } from '../testkit/cluster.js';
import { type Harness, proposalOf, setupDriver, voteOf } from '../testkit/lone-driver.js';
import { VoteType } from '../vote/vote.js';
import { MemoryWal } from '../wal/memory-wal.js';
import {
  ApplicationFailedError,
  CommitFailedError,
  ConsensusHaltError,
  HaltLatch,
  ReplayMismatchError,
} from './halt.js';
import { decodeWalRecord } from './wal-records.js';

/**
 * What stops the driver for good: an application that throws during consensus, a decided block
 * that cannot be committed, and a WAL that does not re-derive what the double-sign guard signed.
 * Each is a typed `ConsensusHaltError`; the driver then signs nothing more and takes no input.
 */

const appWith =
  (overrides: (inner: KvApp) => Partial<Application>) =>
  (kv: KvDurable): Application => {
    const inner = new KvApp(kv);
    return delegateApp(inner, overrides(inner));
  };

const ownVotes = (h: Harness) =>
  h.transport.broadcasts.flatMap((m) =>
    m.kind === 'vote' && toHex(m.vote.validatorAddress) === toHex(addressOf(h.self.publicKey))
      ? [m.vote]
      : [],
  );

/** After a halt: time passes, messages arrive, and the node says and signs nothing. */
async function expectSilent(h: Harness, name: string): Promise<void> {
  const sent = h.transport.broadcasts.length + h.transport.sends.length;
  const block = h.goodBlock();
  for (const key of h.others)
    h.deliver('p1', {
      kind: 'vote',
      vote: voteOf(h, key, { type: VoteType.Prevote, round: 1, blockId: blockId(block) }),
    });
  await h.run(20_000);
  expect(
    h.transport.broadcasts.length + h.transport.sends.length,
    `${name}: nothing sent after the halt`,
  ).toBe(sent);
}

describe('the driver halts', () => {
  it('when processProposal throws: a typed fatal error, never an "invalid" verdict and a nil prevote', async () => {
    const h = await setupDriver({
      app: appWith(() => ({
        processProposal: async () => {
          throw new Error('database read failed');
        },
      })),
    });
    h.deliver('p0', proposalOf(h, h.goodBlock(), { round: 0 }));
    await h.run(100);
    expect(
      h.halts.map((e) => [e.name, e.code, e.context.method]),
      'one halt, naming processProposal',
    ).toEqual([['ApplicationFailedError', 'CONSENSUS_APP_FAILED', 'processProposal']]);
    expect(h.halts[0]?.message, 'the message carries the cause').toContain('database read failed');
    expect(ownVotes(h), 'no prevote (nil or otherwise) was signed').toEqual([]);
    await expectSilent(h, 'processProposal');
    await expect(h.driver.start(), 'a halted driver does not start again').rejects.toBeInstanceOf(
      ApplicationFailedError,
    );
  });

  it('when prepareProposal throws: the proposer neither proposes nor votes', async () => {
    const h = await setupDriver({
      proposerOf: 0,
      app: appWith(() => ({
        prepareProposal: async () => {
          throw new Error('mempool view unavailable');
        },
      })),
    });
    await h.run(10);
    expect(
      h.halts.map((e) => [e.code, e.context.method, e.context.height]),
      'one halt, naming prepareProposal',
    ).toEqual([['CONSENSUS_APP_FAILED', 'prepareProposal', 1]]);
    expect(
      h.transport.broadcasts.filter((m) => m.kind === 'proposal'),
      'no proposal',
    ).toEqual([]);
    await expectSilent(h, 'prepareProposal');
  });

  it.each([
    {
      step: 'finalizeBlock',
      override: { finalizeBlock: () => Promise.reject(new Error('state write failed')) },
    },
    { step: 'commit', override: { commit: () => Promise.reject(new Error('disk full')) } },
  ])(
    'when the decided block cannot be applied ($step fails): loudly, not a hang in the commit step',
    async ({ step, override }) => {
      const h = await setupDriver({ app: appWith(() => override as Partial<Application>) });
      const block = h.goodBlock();
      h.deliver('p1', h.decision(block, [0, 1, 2]));
      await h.run(100);
      expect(
        h.halts.map((e) => [e.name, e.code, e.context.height]),
        `${step}: one halt at height 1`,
      ).toEqual([['CommitFailedError', 'CONSENSUS_COMMIT_FAILED', 1]]);
      expect(h.halts[0]).toBeInstanceOf(ConsensusHaltError);
      expect(h.halts[0]).toBeInstanceOf(CommitFailedError);
      await expectSilent(h, step);
      expect(h.driver.height, `${step}: still at height 1`).toBe(1);
    },
  );

  describe('when the WAL does not re-derive the last signed vote', () => {
    /** The node prevotes and precommits B1 in round 0: the guard's last signature is that precommit. */
    async function precommitted(): Promise<Harness> {
      const h = await setupDriver();
      const b1 = h.goodBlock();
      h.deliver('p0', proposalOf(h, b1, { round: 0 }));
      for (const key of h.others.slice(0, 2))
        h.deliver('p1', {
          kind: 'vote',
          vote: voteOf(h, key, { type: VoteType.Prevote, round: 0, blockId: blockId(b1) }),
        });
      await h.run(100);
      expect(
        ownVotes(h).map((v) => v.type),
        'prevote and precommit signed',
      ).toEqual([VoteType.Prevote, VoteType.Precommit]);
      await h.driver.stop();
      return h;
    }

    it.each([
      { name: 'the WAL was lost', keep: () => false },
      { name: 'the proposal record is missing', keep: (kind: string) => kind !== 'proposal' },
    ])('$name: the start stops with CONSENSUS_REPLAY_MISMATCH', async ({ name, keep }) => {
      const h = await precommitted();
      const wal = new MemoryWal();
      const records = await h.disk.wal.replay(1);
      if (records.some((r) => keep(decodeWalRecord(r).kind))) {
        await wal.startHeight(1);
        for (const r of records) if (keep(decodeWalRecord(r).kind)) await wal.append(r, { sync: true });
      }
      const started = setupDriver({ disk: { ...h.disk, wal } });
      await expect(started, `${name}: a typed halt`).rejects.toBeInstanceOf(ReplayMismatchError);
      const error = (await started.catch((e: unknown) => e)) as ReplayMismatchError;
      expect([error.code, error.context], `${name}: names the signed position`).toEqual([
        'CONSENSUS_REPLAY_MISMATCH',
        { height: 1, round: 0, step: SignStep.Precommit },
      ]);
    });

    it('the intact WAL re-derives it: no halt', async () => {
      const h = await precommitted();
      const after = await setupDriver({ disk: { ...h.disk, wal: h.disk.wal.crash() } });
      expect(after.halts).toEqual([]);
      expect(after.driver.height).toBe(1);
    });
  });
});

describe('HaltLatch', () => {
  it('keeps the first halt, tells each listener once, and forgets a removed listener', () => {
    const latch = new HaltLatch();
    const heard: string[] = [];
    const warned: string[] = [];
    const log = {
      debug() {},
      info() {},
      warn: (_f: Record<string, unknown>, m: string) => void warned.push(m),
    };
    latch.listen((e) => heard.push(`a ${e.code}`));
    const remove = latch.listen((e) => heard.push(`b ${e.code}`));
    remove();
    expect(() => latch.check(), 'nothing to throw before a halt').not.toThrow();
    const first = new CommitFailedError(3, 0, 'disk full');
    latch.trip(first, log);
    latch.trip(new ApplicationFailedError('processProposal', 3, 'later'), log);
    expect(heard, 'one call, to the listener still there').toEqual(['a CONSENSUS_COMMIT_FAILED']);
    expect(warned, 'logged once (at warn, the logger having no error level)').toEqual(['consensus halted']);
    expect(latch.error, 'the first halt is kept').toBe(first);
    expect(() => latch.check(), 'check throws the first halt').toThrow(first);
  });
});
