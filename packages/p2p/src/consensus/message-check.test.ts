import {
  type ChainState,
  defaultConsensusParams,
  generateKeyPair,
  genesisState,
  signVote,
  type Vote,
  VoteType,
} from '@joule/consensus';
import { describe, expect, it } from 'vitest';
import { checkConsensusMessage } from './message-check.js';

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
    expect(checkConsensusMessage(view, { kind: 'vote', vote: vote(1, 0) }).action).toBe('relay');
  });

  it('calls a badly signed vote of the current height invalid', () => {
    expect(checkConsensusMessage(view, { kind: 'vote', vote: vote(1, 0, 1) }).action).toBe('invalid');
  });

  it('ignores stale votes and flags votes from heights ahead', () => {
    expect(
      checkConsensusMessage(
        { ...view, chainState: { ...state, lastBlockHeight: 5 } },
        { kind: 'vote', vote: vote(1, 0) },
      ).action,
    ).toBe('ignore');
    const ahead = checkConsensusMessage(view, { kind: 'vote', vote: vote(9, 0) });
    expect(ahead).toEqual({ action: 'ignore', aheadHeight: 9 });
  });

  it('delivers status without relaying it, and flags a peer ahead', () => {
    expect(checkConsensusMessage(view, { kind: 'status', height: 1, round: 0, step: 1 }).action).toBe(
      'deliver',
    );
    expect(checkConsensusMessage(view, { kind: 'status', height: 50, round: 0, step: 1 }).aheadHeight).toBe(
      50,
    );
  });

  it('ignores everything before the driver has a chain state', () => {
    expect(
      checkConsensusMessage(
        { chainState: undefined, height: 0, round: 0 },
        { kind: 'vote', vote: vote(1, 0) },
      ).action,
    ).toBe('ignore');
  });
});
