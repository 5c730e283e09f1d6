import { describe, expect, it } from 'vitest';
import type { BlockId } from '../block/block-id.js';
import { encode } from '../codec/canonical.js';
import { generateKeyPair, type KeyPair } from '../crypto/ed25519.js';
import { makeValidator, makeValidatorSet, type ValidatorSet } from '../validators/validator-set.js';
import {
  type DuplicateVoteEvidence,
  duplicateVoteEvidenceCodec,
  makeDuplicateVoteEvidence,
} from '../vote/evidence.js';
import { signVote, type Vote, VoteType } from '../vote/vote.js';
import { EvidenceError } from './errors.js';
import { type EvidenceChainView, EvidencePool, type EvidencePoolOptions } from './pool.js';
import { type ChainTip, evidenceKey } from './verify.js';

const chainId = 'lic-1';
const keys: KeyPair[] = [1, 2, 3, 4].map((i) => generateKeyPair(new Uint8Array(32).fill(i)));
/** The key of validator seed `i` (0–3). */
const keyOf = (i: number): KeyPair => keys[i] as KeyPair;
const outsider = generateKeyPair(new Uint8Array(32).fill(99));
const set: ValidatorSet = makeValidatorSet(keys.map((k, i) => makeValidator(k.publicKey, BigInt(10 + i))));
const blockTime = (height: number): number => 1_700_000_000_000 + height * 1_000;
const block = (n: number): BlockId => ({ hash: new Uint8Array(32).fill(n) });

/** The validator index of `key` in the canonical set. */
const indexOf = (key: KeyPair): number =>
  set.validators.findIndex((v) => Buffer.from(v.pubKey).equals(Buffer.from(key.publicKey)));

interface VoteSpec {
  key?: KeyPair;
  height?: number;
  round?: number;
  blockId?: BlockId | null;
  index?: number;
  signer?: KeyPair;
}

function vote(spec: VoteSpec): Vote {
  const key = spec.key ?? keyOf(0);
  const v = makeValidator(key.publicKey, 1n);
  const unsigned = {
    type: VoteType.Precommit,
    height: spec.height ?? 10,
    round: spec.round ?? 0,
    blockId: spec.blockId === undefined ? block(1) : spec.blockId,
    timestamp: blockTime(spec.height ?? 10) + 500,
    validatorAddress: v.address,
    validatorIndex: spec.index ?? Math.max(0, indexOf(key)),
  };
  return signVote(chainId, unsigned, (spec.signer ?? key).secretKey);
}

/** Two conflicting, really signed votes of one validator, canonically ordered. */
function equivocation(spec: VoteSpec = {}, other: VoteSpec = {}): DuplicateVoteEvidence {
  return makeDuplicateVoteEvidence(
    vote({ ...spec, blockId: block(1) }),
    vote({ ...spec, blockId: block(2), ...other }),
  );
}

/**
 * A committed chain up to `tip.height`, with a counter of store loads. `commit` saves a block's
 * evidence in the chain's index of committed misbehaviour, then updates the pool (as the driver).
 */
function chain(options: EvidencePoolOptions = {}, knownFrom = 1) {
  const loads = { validators: 0, times: 0, committed: 0 };
  let committed = 100;
  const index = new Map<string, number>();
  const view: EvidenceChainView = {
    evidenceBase: () => 1,
    loadEvidenceValidators: async (h) => {
      loads.validators++;
      return h >= knownFrom && h <= committed ? set : null;
    },
    loadBlockTime: async (h) => {
      loads.times++;
      return h >= 1 && h <= committed ? blockTime(h) : null;
    },
    loadCommittedEvidence: async (e) => {
      loads.committed++;
      return index.get(evidenceKey(e)) ?? null;
    },
  };
  const pool = new EvidencePool(options, { chainId, chain: view });
  const at = (height: number, time = blockTime(height)): ChainTip => {
    committed = Math.max(committed, height);
    return { height, time };
  };
  const commit = (height: number, evidence: DuplicateVoteEvidence[]): void => {
    for (const e of evidence) index.set(evidenceKey(e), height);
    committed = Math.max(committed, height);
    pool.update(height, blockTime(height), evidence);
  };
  return { pool, loads, at, commit, view };
}

async function refusal(promise: Promise<unknown>): Promise<EvidenceError> {
  try {
    await promise;
  } catch (error) {
    expect(error, 'refusals are EvidenceErrors').toBeInstanceOf(EvidenceError);
    return error as EvidenceError;
  }
  throw new Error('expected the evidence to be refused');
}
const codeAndReason = (e: EvidenceError): [string, unknown] => [e.code, e.context.reason];
const size = (e: DuplicateVoteEvidence): number => encode(duplicateVoteEvidenceCodec, e).length;

describe('EvidencePool.add', () => {
  it('accepts really signed conflicting votes, including a nil vote against a block', async () => {
    const { pool, at } = chain();
    const ev = equivocation();
    await pool.add(ev, at(100));
    const nil = makeDuplicateVoteEvidence(
      vote({ key: keyOf(1), blockId: block(5) }),
      vote({ key: keyOf(1), blockId: null }),
    );
    expect(nil.voteA.blockId, 'nil sorts first').toBeNull();
    await pool.add(nil, at(100));
    expect([pool.size(), pool.bytes()]).toEqual([2, size(ev) + size(nil)]);
    expect(pool.pending(-1)).toEqual([ev, nil]);
  });

  it('EVIDENCE_INVALID bad-signature: a tampered signature, or votes signed by someone else', async () => {
    const { pool, at } = chain();
    const ev = equivocation();
    const sig = ev.voteB.signature.slice();
    sig[0] = (sig[0] as number) ^ 1;
    const tampered = { voteA: ev.voteA, voteB: { ...ev.voteB, signature: sig } };
    expect(codeAndReason(await refusal(pool.add(tampered, at(100)))), 'tampered').toEqual([
      'EVIDENCE_INVALID',
      'bad-signature',
    ]);
    const forged = equivocation({ signer: keyOf(1) });
    expect(codeAndReason(await refusal(pool.add(forged, at(100)))), 'signed by another validator').toEqual([
      'EVIDENCE_INVALID',
      'bad-signature',
    ]);
  });

  it('EVIDENCE_INVALID unknown-validator: the accused is not in the set of that height', async () => {
    const { pool, at } = chain();
    const err = await refusal(pool.add(equivocation({ key: outsider, index: 0 }), at(100)));
    expect(codeAndReason(err)).toEqual(['EVIDENCE_INVALID', 'unknown-validator']);
  });

  it('EVIDENCE_INVALID wrong-index: the accused is in the set, at another index', async () => {
    const { pool, at } = chain();
    const key = keyOf(0);
    const wrong = (indexOf(key) + 1) % set.validators.length;
    const err = await refusal(pool.add(equivocation({ key, index: wrong }), at(100)));
    expect(codeAndReason(err)).toEqual(['EVIDENCE_INVALID', 'wrong-index']);
    expect(err.context.actualIndex).toBe(indexOf(key));
  });

  it('EVIDENCE_INVALID future-height and unknown-height: only committed sets count', async () => {
    const { pool, at, loads } = chain({}, 5);
    const future = await refusal(pool.add(equivocation({ height: 101 }), at(100)));
    expect(codeAndReason(future), 'above the committed height').toEqual([
      'EVIDENCE_INVALID',
      'future-height',
    ]);
    expect(loads.validators, 'refused before touching the store').toBe(0);
    const pruned = await refusal(pool.add(equivocation({ height: 3 }), at(100)));
    expect(codeAndReason(pruned), 'set of that height unknown').toEqual([
      'EVIDENCE_INVALID',
      'unknown-height',
    ]);
  });

  it('EVIDENCE_INVALID malformed: votes out of canonical order, or not a conflicting pair', async () => {
    const { pool, at } = chain();
    const ev = equivocation();
    const swapped = { voteA: ev.voteB, voteB: ev.voteA };
    expect(codeAndReason(await refusal(pool.add(swapped, at(100)))), 'swapped').toEqual([
      'EVIDENCE_INVALID',
      'malformed',
    ]);
    const same = { voteA: ev.voteA, voteB: ev.voteA };
    expect(codeAndReason(await refusal(pool.add(same, at(100)))), 'same vote twice').toEqual([
      'EVIDENCE_INVALID',
      'malformed',
    ]);
  });

  it('EVIDENCE_EXPIRED only when older than maxAgeBlocks AND maxAgeMs (as CometBFT)', async () => {
    const options = { maxAgeBlocks: 10, maxAgeMs: 60_000 };
    const ev = equivocation({ height: 10 });
    const expired = chain(options);
    const err = await refusal(expired.pool.add(ev, expired.at(21, blockTime(10) + 60_001)));
    expect(err.code, '11 blocks and 60 001 ms old').toBe('EVIDENCE_EXPIRED');
    const blocksOnly = chain(options);
    await expect(
      blocksOnly.pool.add(ev, blocksOnly.at(21, blockTime(10) + 60_000)),
      'time bound not passed',
    ).resolves.toBeUndefined();
    const timeOnly = chain(options);
    await expect(
      timeOnly.pool.add(ev, timeOnly.at(20, blockTime(10) + 999_999)),
      'block bound not passed',
    ).resolves.toBeUndefined();
  });

  it('EVIDENCE_DUPLICATE: the same pair, another pair for the same slot, or one being verified', async () => {
    const { pool, at } = chain();
    const ev = equivocation();
    const results = await Promise.allSettled([pool.add(ev, at(100)), pool.add(ev, at(100))]);
    expect(results[0]?.status, 'first concurrent add').toBe('fulfilled');
    const second = results[1];
    expect(second?.status === 'rejected' && codeAndReason(second.reason), 'second concurrent add').toEqual([
      'EVIDENCE_DUPLICATE',
      'verifying',
    ]);
    expect(codeAndReason(await refusal(pool.add(ev, at(100)))), 'same pair').toEqual([
      'EVIDENCE_DUPLICATE',
      'pending',
    ]);
    const third = equivocation({}, { blockId: block(3) });
    expect(codeAndReason(await refusal(pool.add(third, at(100)))), 'same slot, other pair').toEqual([
      'EVIDENCE_DUPLICATE',
      'pending',
    ]);
    await pool.add(equivocation({ round: 1 }), at(100));
    expect(pool.size(), 'another round is another misbehaviour').toBe(2);
  });

  it('EVIDENCE_POOL_FULL by count and by bytes, counting evidence being verified', async () => {
    const one = chain({ maxPending: 1 });
    const first = one.pool.add(equivocation({ key: keyOf(0) }), one.at(100));
    const err = await refusal(one.pool.add(equivocation({ key: keyOf(1) }), one.at(100)));
    expect(err.code, 'one slot, taken by an add in flight').toBe('EVIDENCE_POOL_FULL');
    await first;
    const ev = equivocation();
    const bytes = chain({ maxBytes: size(ev) + 10 });
    await bytes.pool.add(ev, bytes.at(100));
    expect((await refusal(bytes.pool.add(equivocation({ key: keyOf(1) }), bytes.at(100)))).code).toBe(
      'EVIDENCE_POOL_FULL',
    );
  });
});

describe('EvidencePool.pending and update', () => {
  it('pending respects maxBytes, oldest height first, stopping at the first that does not fit', async () => {
    const { pool, at } = chain();
    const late = equivocation({ height: 50 });
    const early = equivocation({ height: 20, key: keyOf(1) });
    const mid = equivocation({ height: 30, key: keyOf(2) });
    for (const ev of [late, early, mid]) await pool.add(ev, at(100));
    expect(pool.pending(-1), 'oldest first').toEqual([early, mid, late]);
    expect(pool.pending(size(early) + size(mid)), 'exactly two fit').toEqual([early, mid]);
    expect(pool.pending(size(early) + size(mid) - 1), 'the second does not fit').toEqual([early]);
    expect(pool.pending(0)).toEqual([]);
  });

  it('committed evidence leaves the pending list and is not re-admitted', async () => {
    const { pool, at, commit } = chain();
    const ev = equivocation();
    await pool.add(ev, at(100));
    commit(101, [ev]);
    expect([pool.size(), pool.bytes(), await pool.knows(ev)]).toEqual([0, 0, 'committed']);
    expect(codeAndReason(await refusal(pool.add(ev, at(101)))), 'same pair').toEqual([
      'EVIDENCE_DUPLICATE',
      'committed',
    ]);
    const otherPair = equivocation({}, { blockId: block(7) });
    expect(codeAndReason(await refusal(pool.add(otherPair, at(101)))), 'same slot').toEqual([
      'EVIDENCE_DUPLICATE',
      'committed',
    ]);
  });

  it('drops pending evidence once it has expired', async () => {
    const { pool, at } = chain({ maxAgeBlocks: 10, maxAgeMs: 5_000 });
    const old = equivocation({ height: 95 });
    await pool.add(old, at(100));
    pool.update(105, blockTime(105), []);
    expect(pool.size(), '10 blocks old: still valid').toBe(1);
    pool.update(106, blockTime(106), []);
    expect(pool.size(), '11 blocks and 11 s old: expired').toBe(0);
  });

  it('an add that a block overtakes while it verifies is refused as committed', async () => {
    const { pool, at, commit, loads } = chain();
    const ev = equivocation();
    const adding = pool.add(ev, at(100));
    // The add has reserved the slot and read the index; commit the same misbehaviour meanwhile.
    expect(loads.committed, 'the index was read once').toBe(1);
    commit(101, [ev]);
    expect(codeAndReason(await refusal(adding)), 'overtaken').toEqual(['EVIDENCE_DUPLICATE', 'committed']);
    expect(pool.size(), 'nothing pending').toBe(0);
  });

  it('holds no committed misbehaviour in memory: a fresh pool on the same chain refuses it too', async () => {
    const first = chain();
    const ev = equivocation();
    first.commit(101, [ev]);
    const restarted = new EvidencePool({}, { chainId, chain: first.view });
    const err = await refusal(restarted.checkBlockEvidence([ev], first.at(101)));
    expect(codeAndReason(err), 'refused from the index').toEqual(['EVIDENCE_DUPLICATE', 'committed']);
  });

  it('update refuses heights that do not increase and times that go back', () => {
    const { pool } = chain();
    pool.update(5, 1_000, []);
    expect(() => pool.update(5, 2_000, [])).toThrow(/height/);
    expect(() => pool.update(6, 999, [])).toThrow(/time/);
  });
});

describe('EvidencePool.checkBlockEvidence', () => {
  it('accepts verified evidence, and skips the store for pending evidence with the same bytes', async () => {
    const { pool, at, loads } = chain();
    const pending = equivocation();
    await pool.add(pending, at(100));
    const fresh = equivocation({ key: keyOf(1) });
    const before = loads.validators;
    await pool.checkBlockEvidence([pending, fresh], at(100));
    expect(loads.validators - before, 'only the fresh piece is loaded and verified').toBe(1);
  });

  it('refuses a duplicate in the list, committed evidence, and invalid evidence, naming the index', async () => {
    const { pool, at, commit } = chain();
    const a = equivocation();
    const b = equivocation({ key: keyOf(1) });
    const dup = await refusal(
      pool.checkBlockEvidence([a, b, equivocation({}, { blockId: block(9) })], at(100)),
    );
    expect([...codeAndReason(dup), dup.context.index], 'same slot twice').toEqual([
      'EVIDENCE_DUPLICATE',
      'in-block',
      2,
    ]);
    commit(101, [a]);
    const old = await refusal(pool.checkBlockEvidence([b, a], at(101)));
    expect([...codeAndReason(old), old.context.index], 'already committed').toEqual([
      'EVIDENCE_DUPLICATE',
      'committed',
      1,
    ]);
    const forged = equivocation({ key: keyOf(2), signer: keyOf(3) });
    const bad = await refusal(pool.checkBlockEvidence([b, forged], at(101)));
    expect([...codeAndReason(bad), bad.context.index], 'bad signature').toEqual([
      'EVIDENCE_INVALID',
      'bad-signature',
      1,
    ]);
    const future = await refusal(pool.checkBlockEvidence([equivocation({ height: 102 })], at(101)));
    expect(codeAndReason(future), 'future height').toEqual(['EVIDENCE_INVALID', 'future-height']);
  });
});
