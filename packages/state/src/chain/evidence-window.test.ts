import {
  type Block,
  type ChainStore,
  type ConsensusParams,
  type DuplicateVoteEvidence,
  type EvidenceChainView,
  EvidenceError,
  EvidencePool,
  makeValidator,
  makeValidatorSet,
  signVote,
  type ValidatorSet,
  VoteType,
} from '@joule/consensus';
import { evidenceValidators, makeDuplicateVoteEvidence } from '@joule/consensus/internal';
import { MemoryChainStore } from '@joule/consensus/sim';
import { afterEach, describe, expect, it } from 'vitest';
import { ClassicKvStore } from '../kv/level-kv-store.js';
import {
  testBlock,
  testBlockIntervalMs,
  testChainState,
  testCommit,
  testGenesisTimeMs,
  testKey,
  testValidatorSet,
} from '../testkit/chain-fixtures.js';
import { tempDir } from '../testkit/temp-dir.js';
import { LevelChainStore } from './level-chain-store.js';

/**
 * The evidence window on LevelDB: what verifying evidence reads (validator sets, block times, the
 * index of committed misbehaviour) is kept exactly as long as evidence of that height can be valid,
 * whatever the node prunes and across restarts, so every node gives a block's evidence the same
 * verdict. Blocks are 1 s apart; evidence expires past 20 blocks AND 20 s.
 */

const CHAIN = 'evidence-window';
const validators = testValidatorSet(3);
const params: Partial<ConsensusParams> = { evidenceMaxAgeBlocks: 20, evidenceMaxAgeMs: 20_000 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Validator 0 signs two precommits for `height`, round `round`: duplicate-vote evidence. */
function equivocation(height: number, round = 0, set: ValidatorSet = validators): DuplicateVoteEvidence {
  const key = testKey(0);
  const index = set.validators.findIndex((v) => v.pubKey.every((b, i) => b === key.publicKey[i]));
  const vote = (blockId: { hash: Uint8Array } | null) =>
    signVote(
      CHAIN,
      {
        type: VoteType.Precommit,
        height,
        round,
        blockId,
        timestamp: testGenesisTimeMs + height * testBlockIntervalMs + 500,
        validatorAddress: set.validators[index]?.address as Uint8Array,
        validatorIndex: index,
      },
      key.secretKey,
    );
  return makeDuplicateVoteEvidence(vote(null), vote({ hash: new Uint8Array(32).fill(height) }));
}

/** A LevelDB chain store in a fresh directory; `reopen` closes it and opens the same files. */
async function levelStore(label: string) {
  const dir = tempDir(label);
  cleanups.push(dir.remove);
  let kv = new ClassicKvStore({ location: dir.path });
  await kv.start();
  cleanups.push(() => kv.stop());
  const store = new LevelChainStore({}, { kv });
  await store.start();
  const reopen = async (): Promise<LevelChainStore> => {
    await kv.stop();
    kv = new ClassicKvStore({ location: dir.path });
    await kv.start();
    const again = new LevelChainStore({}, { kv });
    await again.start();
    return again;
  };
  return { store, reopen, kv: () => kv };
}

/** Saves blocks `from`..`to` after `previous`, block `h` carrying `evidenceAt.get(h)`. */
async function extend(
  store: ChainStore,
  previous: Block | null,
  to: number,
  evidenceAt: ReadonlyMap<number, DuplicateVoteEvidence[]> = new Map(),
  setOf: (height: number) => ValidatorSet = () => validators,
): Promise<Block> {
  let last = previous;
  for (let h = (previous?.header.height ?? 0) + 1; h <= to; h++) {
    const set = setOf(h);
    const block = testBlock(CHAIN, h, last, [], new Uint8Array(32), set, evidenceAt.get(h) ?? []);
    const state = testChainState(CHAIN, block, set);
    await store.saveBlock(block, testCommit(block), {
      ...state,
      consensusParams: { ...state.consensusParams, ...params },
    });
    last = block;
  }
  if (last === null) throw new Error('no block saved');
  return last;
}

const tipOf = (block: Block) => ({ height: block.header.height, time: block.header.time });
const poolOn = (store: EvidenceChainView) =>
  new EvidencePool(
    { maxAgeBlocks: params.evidenceMaxAgeBlocks ?? 0, maxAgeMs: params.evidenceMaxAgeMs ?? 0 },
    { chainId: CHAIN, chain: store },
  );

/** The pool's verdict on a block carrying `evidence`: 'valid' or the refusal's code and reason. */
async function verdict(pool: EvidencePool, evidence: DuplicateVoteEvidence, tip: Block): Promise<string> {
  try {
    await pool.checkBlockEvidence([evidence], tipOf(tip));
    return 'valid';
  } catch (error) {
    if (!(error instanceof EvidenceError)) throw error;
    return `${error.code}/${String(error.context.reason ?? '')}`;
  }
}

describe('the evidence window of LevelChainStore', () => {
  it('indexes committed misbehaviour across a reopen and forgets it at the block where it expires', async () => {
    const { store, reopen } = await levelStore('evidence-index');
    const evidence = equivocation(10);
    const at30 = await extend(store, null, 30, new Map([[12, [evidence]]]));
    expect(await store.loadCommittedEvidence(evidence), 'committed by block 12').toBe(12);
    const other = equivocation(10, 1);
    expect(await store.loadCommittedEvidence(other), 'another round: another slot').toBeNull();
    const reopened = await reopen();
    expect(await reopened.loadCommittedEvidence(evidence), 'after a reopen').toBe(12);
    // At 30 the evidence of height 10 is 20 blocks old: still valid. At 31 it is 21 blocks and 21 s.
    expect(reopened.evidenceBase(), 'window base at 30').toBe(10);
    await extend(reopened, at30, 31);
    expect(reopened.evidenceBase(), 'window base at 31').toBe(11);
    expect(await reopened.loadCommittedEvidence(evidence), 'expired at 31: forgotten').toBeNull();
    expect(
      await poolOn(reopened)
        .add(evidence, { height: 31, time: at30.header.time + 1000 })
        .catch((e) => e.code),
    ).toBe('EVIDENCE_EXPIRED');
  });

  /**
   * Regression (reproduction of the pruning half): pruning deleted the validator sets below the
   * retain height, so a pruning node refused evidence from inside the window as "unknown height"
   * while an archive node accepted it — a block's validity depended on a node's disk settings.
   */
  it('a pruning node keeps the sets and times of the window and judges evidence as an archive node', async () => {
    const archive = await levelStore('evidence-archive');
    const pruning = await levelStore('evidence-pruning');
    const tip = await extend(archive.store, null, 60);
    await extend(pruning.store, null, 60);
    expect(await pruning.store.prune(55), 'blocks below 55 pruned').toBe(54);
    expect(await pruning.store.loadBlock(45), 'block 45 is gone').toBeNull();
    expect(pruning.store.evidenceBase(), 'window base at 60').toBe(40);
    expect(await pruning.store.loadValidators(45), 'the full set of 45 went with its block').toBeNull();
    expect(await pruning.store.loadEvidenceValidators(45), 'evidence validators of 45 kept').toEqual(
      evidenceValidators(validators),
    );
    expect(await pruning.store.loadBlockTime(45), 'time of 45 kept').toBe(testGenesisTimeMs + 45_000);
    expect(await pruning.store.loadEvidenceValidators(39), '39 left the window').toBeNull();
    expect(await pruning.store.loadBlockTime(39), 'and its time').toBeNull();
    expect(await archive.store.loadBlockTime(39), 'an archive reads it from the block').toBe(
      testGenesisTimeMs + 39_000,
    );

    // The simulator's in-memory store keeps the window too, pruned alike.
    const memory = new MemoryChainStore();
    await extend(memory, null, 60);
    await memory.prune(55);
    const fromArchive = poolOn(archive.store);
    const fromPruning = poolOn(pruning.store);
    const fromMemory = poolOn(memory);
    const seen: Record<number, string> = {};
    for (let height = 35; height <= 61; height++) {
      const evidence = equivocation(height);
      const a = await verdict(fromArchive, evidence, tip);
      expect(await verdict(fromPruning, evidence, tip), `evidence of height ${height}`).toBe(a);
      expect(await verdict(fromMemory, evidence, tip), `evidence of height ${height}, in memory`).toBe(a);
      seen[height] = a;
    }
    expect([seen[39], seen[40], seen[45], seen[60], seen[61]], 'the window is 40..60').toEqual([
      'EVIDENCE_EXPIRED/',
      'valid',
      'valid',
      'valid',
      'EVIDENCE_INVALID/future-height',
    ]);
    await expect(
      fromPruning.add(equivocation(45), tipOf(tip)),
      'added on the pruning node',
    ).resolves.toBeUndefined();
  });

  it('keeps one record of evidence validators per change of the set, and the right one for each height', async () => {
    const { store, kv } = await levelStore('evidence-sets');
    // Key 0's power changes at height 25 so that it moves in the set's power order: to the front
    // if it is not there, else to the back.
    const key0 = (v: { pubKey: Uint8Array }) => v.pubKey.every((b, i) => b === testKey(0).publicKey[i]);
    const power = validators.validators.findIndex(key0) === 0 ? 1n : 50n;
    const changed = makeValidatorSet(
      validators.validators.map((v) => makeValidator(v.pubKey, key0(v) ? power : v.votingPower)),
    );
    const setOf = (h: number) => (h >= 25 ? changed : validators);
    const records = async () => {
      const out: number[] = [];
      for await (const [key] of kv().entries({ gte: new Uint8Array([0x17]), lt: new Uint8Array([0x18]) }))
        out.push(key[8] as number);
      return out;
    };
    const at30 = await extend(store, null, 30, new Map(), setOf);
    expect(await records(), 'one record per set, from heights 1 and 25').toEqual([1, 25]);
    expect(await store.loadEvidenceValidators(24), 'the old set').toEqual(evidenceValidators(validators));
    expect(await store.loadEvidenceValidators(25), 'the new set').toEqual(evidenceValidators(changed));
    const pool = poolOn(store);
    expect(
      await verdict(pool, equivocation(24, 0, validators), at30),
      'signed at its index in the old set',
    ).toBe('valid');
    expect(await verdict(pool, equivocation(26, 0, changed), at30), 'and in the new set').toBe('valid');
    expect(await verdict(pool, equivocation(26, 0, validators), at30), 'the old index at 26').toBe(
      'EVIDENCE_INVALID/wrong-index',
    );
    // At 45 the base is 25: the old set's record has no height left in the window.
    await extend(store, at30, 45, new Map(), setOf);
    expect(store.evidenceBase(), 'window base at 45').toBe(25);
    expect(await records(), 'the old set went').toEqual([25]);
    expect(await store.loadEvidenceValidators(25), 'the new set stays').toEqual(evidenceValidators(changed));
  });
});
