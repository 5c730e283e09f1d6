import { describe, expect, it } from 'vitest';
import { makeNextBlock } from '../driver/block-check.js';
import { EvidenceError } from '../evidence/errors.js';
import { genesisTime, testGenesis, testKeys } from '../testkit/cluster.js';
import { genesisValidatorSets } from '../validators/updates.js';
import type { ValidatorSet } from '../validators/validator-set.js';
import { makeDuplicateVoteEvidence } from '../vote/evidence.js';
import { signVote, VoteType } from '../vote/vote.js';
import { misbehaviorOf } from './apply-block.js';
import { genesisState } from './update-state.js';

const keys = testKeys(3);
const genesis = testGenesis(keys, [5n, 3n, 2n]);
const set: ValidatorSet = genesisValidatorSets(genesis.validators).validators;
const state = genesisState(genesis, genesis.validators, new Uint8Array(32));
/** Block time of height 4 of the chain the store holds; the including block is much later. */
const timeOf4 = genesisTime + 4_000;

/** Validator `i` of the set (power order: 5, 3, 2) equivocates at height 4. */
function equivocation(i: number) {
  const validator = set.validators[i];
  const key = keys.find(
    (k) => validator !== undefined && k.publicKey.every((b, j) => b === validator.pubKey[j]),
  );
  if (validator === undefined || key === undefined) throw new Error('no such validator');
  const vote = (blockId: { hash: Uint8Array } | null) =>
    signVote(
      genesis.chainId,
      {
        type: VoteType.Prevote,
        height: 4,
        round: 0,
        blockId,
        timestamp: timeOf4 + 10,
        validatorAddress: validator.address,
        validatorIndex: i,
      },
      key.secretKey,
    );
  return makeDuplicateVoteEvidence(vote(null), vote({ hash: new Uint8Array(32).fill(9) }));
}

const chain = {
  loadEvidenceValidators: async (h: number) => (h === 4 ? set : null),
  loadBlockTime: async (h: number) => (h === 4 ? timeOf4 : null),
};

describe('misbehaviorOf (what finalizeBlock hands the application)', () => {
  it("carries CometBFT's fields: the offender's power, the total power and the time of the offence's height", async () => {
    const evidence = [equivocation(1), equivocation(2)];
    const block = makeNextBlock(
      state,
      set.validators[0]?.address as Uint8Array,
      [],
      evidence,
      null,
      genesisTime + 99_000,
    );
    const got = await misbehaviorOf(block, chain);
    expect(
      got.map((m) => [m.kind, m.height, m.time, m.validatorPower, m.totalVotingPower]),
      'per piece, in block order',
    ).toEqual([
      ['duplicate-vote', 4, timeOf4, 3n, 10n],
      ['duplicate-vote', 4, timeOf4, 2n, 10n],
    ]);
    expect(got[0]?.validatorAddress, 'the offender').toEqual(set.validators[1]?.address);
    expect(got[1]?.evidence, 'the evidence itself').toBe(evidence[1]);
  });

  it('refuses with a typed error when the store lacks the height (it does not hold the verified chain)', async () => {
    const block = makeNextBlock(
      state,
      set.validators[0]?.address as Uint8Array,
      [],
      [equivocation(0)],
      null,
      genesisTime,
    );
    const blind = { loadEvidenceValidators: async () => null, loadBlockTime: async () => null };
    const error = await misbehaviorOf(block, blind).catch((e: unknown) => e);
    expect(error, 'typed').toBeInstanceOf(EvidenceError);
    expect((error as EvidenceError).context.reason, 'reason').toBe('unknown-height');
  });
});
