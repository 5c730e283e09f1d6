import {
  type ChainState,
  type Commit,
  CommitFlag,
  type ConsensusMessage,
  defaultConsensusParams,
  generateKeyPair,
  genesisState,
  signVote,
  type Vote,
  VoteType,
} from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { maxBatchVotesPerValidator } from '../constants.js';
import { checkConsensusMessage } from './message-check.js';
import { SignatureVerdicts } from './signature-verdicts.js';

const chainId = 'check-test';
const keys = [1, 2, 3, 4].map((i) => generateKeyPair(new Uint8Array(32).fill(i)));
const state: ChainState = genesisState(
  {
    chainId,
    genesisTime: 1_767_225_600_000,
    initialHeight: 1,
    validators: keys.map((k) => ({ pubKey: k.publicKey, power: 10n })),
    consensusParams: defaultConsensusParams,
    appState: new Uint8Array(0),
  },
  keys.map((k) => ({ pubKey: k.publicKey, power: 10n })),
  new Uint8Array(32),
);
const view = { chainState: state, height: 1, round: 0 };

function vote(height: number, index: number, signer = index): Vote {
  const validator = state.validators.validators[index];
  const key = keys.find((k) => validator && Buffer.from(k.publicKey).equals(Buffer.from(validator.pubKey)));
  const signerKey = signer === index ? key : keys.find((k) => k !== key);
  if (validator === undefined || signerKey === undefined) throw new Error('no validator');
  return signVote(
    chainId,
    {
      type: VoteType.Prevote,
      height,
      round: 0,
      blockId: null,
      timestamp: 1_767_225_601_000,
      validatorAddress: validator.address,
      validatorIndex: index,
    },
    signerKey.secretKey,
  );
}

describe('checkConsensusMessage', () => {
  it('relays a validator’s signed vote of the current height', () => {
    const signatures = new SignatureVerdicts();
    expect(checkConsensusMessage(view, { kind: 'vote', vote: vote(1, 0) }, signatures).action).toBe('relay');
  });

  it('calls a badly signed vote invalid at every height whose set is known, not only the current one', () => {
    const signatures = new SignatureVerdicts();
    for (const height of [1, 2]) {
      expect(
        checkConsensusMessage(view, { kind: 'vote', vote: vote(height, 0, 1) }, signatures).action,
        `height ${height}`,
      ).toBe('invalid');
    }
    const later = {
      ...view,
      chainState: { ...state, lastBlockHeight: 1, lastValidators: state.validators },
    };
    expect(
      checkConsensusMessage(later, { kind: 'vote', vote: vote(1, 0, 1) }, signatures).action,
      'the height below',
    ).toBe('invalid');
  });

  it('checks a bad signature once however often it comes', () => {
    const signatures = new SignatureVerdicts();
    const bad = vote(2, 1, 2);
    for (let i = 0; i < 5; i++) {
      expect(checkConsensusMessage(view, { kind: 'vote', vote: bad }, signatures).action).toBe('invalid');
    }
    expect(signatures.checks, 'one check').toBe(1);
    expect(signatures.invalidHits, 'four answered by the cache').toBe(4);
  });

  it('keeps the invalid signatures within its byte bound and reports the bytes it holds', () => {
    // Distinct bad signatures of one size: a signed vote whose timestamp was changed after signing.
    const bad = (i: number): ConsensusMessage => ({
      kind: 'vote',
      vote: { ...vote(2, 1), timestamp: 1_767_225_601_000 + 1 + i },
    });
    const one = new SignatureVerdicts();
    expect(checkConsensusMessage(view, bad(0), one).action).toBe('invalid');
    const entry = one.invalidBytes;
    expect(entry, 'key, signature and sign bytes').toBeGreaterThan(32 + 64);
    const signatures = new SignatureVerdicts({ maxBytes: 3 * entry });
    for (let i = 0; i < 10; i++) checkConsensusMessage(view, bad(i), signatures);
    expect(signatures.failed).toBe(10);
    expect(signatures.invalidBytes, 'the last three, within the bound').toBe(3 * entry);
    checkConsensusMessage(view, bad(9), signatures);
    expect(signatures.invalidHits, 'a kept one is answered by the cache').toBe(1);
    checkConsensusMessage(view, bad(0), signatures);
    expect(signatures.failed, 'an evicted one is checked again').toBe(11);
    const none = new SignatureVerdicts({ maxBytes: 0 });
    for (let i = 0; i < 3; i++) checkConsensusMessage(view, bad(0), none);
    expect(none.failed, 'a cache of 0 bytes keeps nothing').toBe(3);
    expect(none.invalidBytes).toBe(0);
  });

  it('ends a vote batch at its first bad vote', () => {
    const signatures = new SignatureVerdicts();
    const votes = [vote(2, 0), vote(2, 1, 2), vote(2, 2), vote(2, 3)];
    const verdict = checkConsensusMessage(view, { kind: 'votes', votes }, signatures);
    expect(verdict.action).toBe('invalid');
    expect(signatures.checks, 'the good vote and the bad one, no more').toBe(2);
  });

  it('refuses, unchecked, a vote batch over set size × votes per validator or spanning heights', () => {
    const signatures = new SignatureVerdicts();
    const bad = vote(1, 0, 1);
    const cap = keys.length * maxBatchVotesPerValidator;
    const capped = Array.from({ length: cap + 1 }, () => bad);
    expect(checkConsensusMessage(view, { kind: 'votes', votes: capped }, signatures).action).toBe(
      'malformed',
    );
    expect(
      checkConsensusMessage(view, { kind: 'votes', votes: [vote(1, 0), vote(2, 1)] }, signatures).action,
    ).toBe('malformed');
    expect(signatures.checks, 'no signature checked').toBe(0);
    expect(
      checkConsensusMessage(view, { kind: 'votes', votes: [0, 1, 2, 3].map((i) => vote(1, i)) }, signatures)
        .action,
    ).toBe('relay');
  });

  it('calls a decision whose commit holds a bad signature invalid, after one check', () => {
    const signatures = new SignatureVerdicts();
    const blockId = { hash: new Uint8Array(32).fill(7), partSetHeader: undefined };
    const commit: Commit = {
      height: 1,
      round: 0,
      blockId: blockId as unknown as Commit['blockId'],
      signatures: state.validators.validators.map((v) => ({
        flag: CommitFlag.Commit,
        validatorAddress: v.address,
        timestamp: 1_767_225_601_000,
        signature: new Uint8Array(64).fill(3),
      })),
    };
    const decision = {
      kind: 'decision',
      block: { header: { height: 1 } },
      commit,
    } as unknown as ConsensusMessage;
    expect(checkConsensusMessage(view, decision, signatures).action).toBe('invalid');
    expect(signatures.checks, 'stops at the first bad slot').toBe(1);
    const short = { ...commit, signatures: commit.signatures.slice(1) };
    expect(
      checkConsensusMessage(view, { ...decision, commit: short } as ConsensusMessage, signatures).action,
    ).toBe('malformed');
  });

  it('ignores stale votes and flags votes from heights ahead', () => {
    const signatures = new SignatureVerdicts();
    expect(
      checkConsensusMessage(
        { ...view, chainState: { ...state, lastBlockHeight: 5 } },
        { kind: 'vote', vote: vote(1, 0) },
        signatures,
      ).action,
    ).toBe('ignore');
    const ahead = checkConsensusMessage(view, { kind: 'vote', vote: vote(9, 0) }, signatures);
    expect(ahead).toEqual({ action: 'ignore', aheadHeight: 9 });
    expect(signatures.checks, 'nothing outside the window is checked').toBe(0);
  });

  it('delivers status without relaying it, and flags a peer ahead', () => {
    const signatures = new SignatureVerdicts();
    expect(
      checkConsensusMessage(view, { kind: 'status', height: 1, round: 0, step: 1 }, signatures).action,
    ).toBe('deliver');
    expect(
      checkConsensusMessage(view, { kind: 'status', height: 50, round: 0, step: 1 }, signatures).aheadHeight,
    ).toBe(50);
  });

  it('ignores everything before the driver has a chain state', () => {
    const signatures = new SignatureVerdicts();
    expect(
      checkConsensusMessage(
        { chainState: undefined, height: 0, round: 0 },
        { kind: 'vote', vote: vote(1, 0) },
        signatures,
      ).action,
    ).toBe('ignore');
  });
});
