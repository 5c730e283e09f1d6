import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecTxResult, FinalizeBlockResponse, ValidatorUpdate } from '../app/application.js';
import { blockId } from '../block/block.js';
import { encode } from '../codec/canonical.js';
import { addressOf } from '../crypto/address.js';
import type { KeyPair } from '../crypto/ed25519.js';
import { sha256, toHex } from '../crypto/hash.js';
import { makeNextBlock } from '../driver/block-check.js';
import { genesisTime, testGenesis, testKeys } from '../testkit/cluster.js';
import { incrementProposerPriority, proposerForRound } from '../validators/proposer.js';
import { type ValidatorSet, validatorSetHash } from '../validators/validator-set.js';
import type { ChainState } from './chain-state.js';
import {
  genesisState,
  hashedResultBytes,
  hashedResultCodec,
  nextChainState,
  resultsHash,
} from './update-state.js';

// A (power 3) and B (power 2); C (power 1) joins later. Canonical order is power descending.
const [kA, kB, kC] = testKeys(3) as [KeyPair, KeyPair, KeyPair];
const name = new Map([kA, kB, kC].map((k, i) => [toHex(addressOf(k.publicKey)), 'ABC'[i] as string]));
const genesis = testGenesis([kA, kB], [3n, 2n]);
const appHash0 = sha256(new TextEncoder().encode('app'));

/** `name:priority` per validator, in set order. */
const show = (set: ValidatorSet): string[] =>
  set.validators.map((v) => `${name.get(toHex(v.address))}:${v.proposerPriority}`);
const proposerName = (set: ValidatorSet, round: number): string | undefined =>
  name.get(toHex(proposerForRound(set, round).address));

function result(overrides: Partial<ExecTxResult> = {}): ExecTxResult {
  return {
    code: 0,
    codespace: '',
    log: '',
    data: new Uint8Array(0),
    gasWanted: 1,
    gasUsed: 1,
    events: [],
    ...overrides,
  };
}

/** The state after one more block, with the app's `updates` and `results`. */
function advance(
  state: ChainState,
  updates: readonly ValidatorUpdate[] = [],
  results: ExecTxResult[] = [],
): ChainState {
  const proposer = proposerForRound(state.validators, 0).address;
  const block = makeNextBlock(state, proposer, [], [], null, state.lastBlockTime + 1000);
  const response: FinalizeBlockResponse = {
    txResults: results,
    events: [],
    validatorUpdates: updates,
    appHash: sha256(state.appHash),
  };
  return nextChainState(state, block, blockId(block), response);
}

describe('genesisState', () => {
  it('is the state before the first block, at any initial height', () => {
    const state = genesisState({ ...genesis, initialHeight: 10 }, genesis.validators, appHash0);
    expect(state.lastBlockHeight, 'genesis: last height is initialHeight - 1').toBe(9);
    expect(state.initialHeight, 'genesis: initial height').toBe(10);
    expect(state.lastBlockId, 'genesis: no last block').toBeNull();
    expect(state.lastValidators, 'genesis: no last validators').toBeNull();
    expect(state.lastBlockTime, 'genesis: last block time is the genesis time').toBe(genesisTime);
    expect(state.appHash, 'genesis: the app hash initChain returned').toEqual(appHash0);
    expect(state.lastResultsHash, 'genesis: results hash of no results (RFC 6962 empty root)').toEqual(
      sha256(new Uint8Array(0)),
    );
    expect(show(state.validators), 'genesis: validators at priority 0, power descending').toEqual([
      'A:0',
      'B:0',
    ]);
    expect(show(state.nextValidators), 'genesis: next validators advanced once').toEqual(
      show(incrementProposerPriority(state.validators, 1)),
    );
  });
});

describe('nextChainState', () => {
  it('moves the chain by one block: height, id, time, app hash, results hash, sets', () => {
    const g = genesisState(genesis, genesis.validators, appHash0);
    const block = makeNextBlock(g, addressOf(kA.publicKey), [], [], null, genesisTime);
    const response: FinalizeBlockResponse = {
      txResults: [result()],
      events: [],
      validatorUpdates: [],
      appHash: sha256(appHash0),
    };
    const next = nextChainState(g, block, blockId(block), response);
    expect(next.lastBlockHeight, 'next: height').toBe(1);
    expect(next.lastBlockId, 'next: last block id').toEqual(blockId(block));
    expect(next.lastBlockTime, 'next: block time').toBe(genesisTime);
    expect(next.appHash, 'next: the app hash finalizeBlock returned').toEqual(sha256(appHash0));
    expect(next.lastResultsHash, 'next: the results hash of the block').toEqual(resultsHash([result()]));
    expect(next.lastValidators, 'next: last validators are the ones that signed').toBe(g.validators);
    expect(next.validators, 'next: validators are the previous next validators').toBe(g.nextValidators);
  });

  it('weighted round-robin over heights: A B A B A for powers 3 and 2 (hand table)', () => {
    // Stored priorities (before each height's increment), computed by hand:
    // h1 [0,0] → +[3,2] = [3,2], A proposes → [-2,2]; h2 → [1,4], B → [1,-1]; h3 → [4,1], A → [-1,1];
    // h4 → [2,3], B → [2,-2]; h5 → [5,0], A → [0,0].
    const table = [
      { priorities: ['A:0', 'B:0'], proposer: 'A' },
      { priorities: ['A:-2', 'B:2'], proposer: 'B' },
      { priorities: ['A:1', 'B:-1'], proposer: 'A' },
      { priorities: ['A:-1', 'B:1'], proposer: 'B' },
      { priorities: ['A:2', 'B:-2'], proposer: 'A' },
      { priorities: ['A:0', 'B:0'], proposer: 'A' },
    ];
    let state = genesisState(genesis, genesis.validators, appHash0);
    for (const [i, row] of table.entries()) {
      const h = i + 1;
      expect(show(state.validators), `height ${h}: stored priorities`).toEqual(row.priorities);
      expect(proposerName(state.validators, 0), `height ${h}: round-0 proposer`).toBe(row.proposer);
      state = advance(state);
    }
    // Round 1 of height 1: one more step from [-2,2] → [1,4]: B.
    const g = genesisState(genesis, genesis.validators, appHash0);
    expect(proposerName(g.validators, 1), 'height 1, round 1: proposer').toBe('B');
  });

  it('validator updates returned at height H take effect at H+2', () => {
    const s1 = advance(genesisState(genesis, genesis.validators, appHash0)); // after block 1
    const s2 = advance(s1, [{ pubKey: kC.publicKey, power: 1n }]); // block 2 adds C
    // Set of height 3 (s2.validators): unchanged. Set of height 4 (s2.nextValidators): with C.
    expect(show(s2.validators), 'H+1 (height 3): the old set, priorities as before').toEqual(['A:1', 'B:-1']);
    // Height 4's set: increment h3 → [4,1], A → [-1,1]; C joins at −(6 + 6/8) = −6; centre
    // (sum −6, average −2) → A 1, B 3, C −4.
    expect(show(s2.nextValidators), 'H+2 (height 4): C joined at -1.125·P, centred').toEqual([
      'A:1',
      'B:3',
      'C:-4',
    ]);

    const s3 = advance(s2); // after block 3
    const block3 = makeNextBlock(s2, addressOf(kA.publicKey), [], [], null, s2.lastBlockTime + 1);
    expect(block3.header.validatorsHash, 'block 3 is signed by the old set').toEqual(
      validatorSetHash(s2.validators),
    );
    expect(block3.header.nextValidatorsHash, 'block 3 announces the new set').toEqual(
      validatorSetHash(s2.nextValidators),
    );
    expect(show(s3.validators), 'height 4 validators').toEqual(['A:1', 'B:3', 'C:-4']);
    expect(show(s3.lastValidators as ValidatorSet), 'height 3 signers are the old set').toEqual([
      'A:1',
      'B:-1',
    ]);
    // Height 4, round 0: [1,3,-4] + [3,2,1] = [4,5,-3]: B.
    expect(proposerName(s3.validators, 0), 'height 4: round-0 proposer').toBe('B');

    // Removal (power 0) at height 4 takes effect at height 6.
    const s4 = advance(s3, [{ pubKey: kB.publicKey, power: 0n }]);
    expect(s4.validators.validators.length, 'height 5 still has B').toBe(3);
    expect(
      show(s4.nextValidators).map((v) => v[0]),
      'height 6 has no B',
    ).toEqual(['A', 'C']);
    const s5 = advance(s4);
    expect(
      show(s5.validators).map((v) => v[0]),
      'height 6 validators',
    ).toEqual(['A', 'C']);
  });
});

describe('resultsHash', () => {
  const base = [result(), result({ code: 1 })];
  it.each([
    { name: 'code', changed: [result(), result({ code: 2 })] },
    { name: 'data', changed: [result(), result({ code: 1, data: new Uint8Array([1]) })] },
    { name: 'gasWanted', changed: [result(), result({ code: 1, gasWanted: 2 })] },
    { name: 'gasUsed', changed: [result(), result({ code: 1, gasUsed: 2 })] },
    { name: 'order', changed: [result({ code: 1 }), result()] },
    { name: 'count', changed: [result(), result({ code: 1 }), result()] },
  ])('changes with the $name of the results', ({ name: field, changed }) => {
    expect(toHex(resultsHash(changed)), `results hash changes with ${field}`).not.toBe(
      toHex(resultsHash(base)),
    );
  });

  it('hashes each result as the canonical encoding of its code, data and gas', () => {
    // Around every boundary of msgpack's integer and bin forms, and past the direct path's limits.
    const uint = fc.oneof(
      fc.constantFrom(0, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0xffff_ffff),
      fc.integer({ min: 0, max: 0xffff_ffff }),
    );
    const gas = fc.oneof(uint, fc.constantFrom(2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER));
    const data = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom(new Uint8Array(255), new Uint8Array(256), new Uint8Array(70_000)),
    );
    fc.assert(
      fc.property(uint, data, gas, gas, (code, d, gasWanted, gasUsed) => {
        const r = result({ code, data: d, gasWanted, gasUsed });
        expect(toHex(hashedResultBytes(r)), "the direct encoding is the codec's").toBe(
          toHex(encode(hashedResultCodec, { code, data: d, gasWanted, gasUsed })),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a result the codec refuses', () => {
    expect(() => hashedResultBytes(result({ gasUsed: -1 })), 'negative gas').toThrow();
    expect(() => hashedResultBytes(result({ code: 2 ** 32 })), 'code past 32 bits').toThrow();
    expect(() => hashedResultBytes(result({ gasUsed: 1.5 })), 'fractional gas').toThrow();
  });

  it('ignores the non-deterministic parts (log, codespace, events)', () => {
    const noisy = [
      result({ log: 'anything', codespace: 'x' }),
      result({ code: 1, events: [{ type: 't', attributes: [{ key: 'k', value: 'v' }] }] }),
    ];
    expect(toHex(resultsHash(noisy)), 'log/codespace/events are not hashed').toBe(toHex(resultsHash(base)));
  });

  it('flows into the next header through the state', () => {
    const g = genesisState(genesis, genesis.validators, appHash0);
    const a = advance(g, [], [result()]);
    const b = advance(g, [], [result({ code: 5 })]);
    expect(toHex(a.lastResultsHash), 'different results, different lastResultsHash').not.toBe(
      toHex(b.lastResultsHash),
    );
    const next = makeNextBlock(a, addressOf(kA.publicKey), [], [], null, a.lastBlockTime + 1);
    expect(next.header.lastResultsHash, 'the next header carries it').toEqual(a.lastResultsHash);
  });
});
