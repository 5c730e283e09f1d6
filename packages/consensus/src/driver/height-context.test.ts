import { describe, expect, it } from 'vitest';
import { genesisState } from '../chain/update-state.js';
import { maxCachedProposerRounds } from '../constants.js';
import { toHex } from '../crypto/hash.js';
import { fastTimeouts, testGenesis, testKeys } from '../testkit/cluster.js';
import { proposerForRound } from '../validators/proposer.js';
import { HeightContext } from './height-context.js';

describe('HeightContext', () => {
  it("caches each round's proposer and always agrees with proposerForRound, past the cache bound", () => {
    const keys = testKeys(5);
    const genesis = testGenesis(keys, [1n, 2n, 3n, 5n, 8n]);
    const state = genesisState(genesis, genesis.validators, new Uint8Array(32));
    const ctx = new HeightContext(1, state, null, fastTimeouts);
    const rounds = 3 * maxCachedProposerRounds;
    // Twice over: the second pass reads back what the bounded cache kept or dropped.
    for (const pass of [1, 2]) {
      for (let round = 0; round < rounds; round++) {
        expect(toHex(ctx.proposer(round).address), `pass ${pass}, round ${round}`).toBe(
          toHex(proposerForRound(state.validators, round).address),
        );
      }
    }
    expect(ctx.proposer(7), 'a cached round returns the same validator object').toBe(ctx.proposer(7));
  });
});
