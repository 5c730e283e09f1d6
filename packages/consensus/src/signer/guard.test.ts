import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../crypto/ed25519.js';
import { JouleError } from '../errors.js';
import { type CanonicalProposal, signProposal, verifyProposalSignature } from '../vote/proposal.js';
import { signVote, type Vote, VoteType, verifyVoteSignature } from '../vote/vote.js';
import { comparePositions, DoubleSignGuard, type SignPosition } from './guard.js';
import { MemorySignerStore } from './memory-signer-store.js';
import { type SignerState, type SignerStore, SignStep } from './signer-store.js';

const chainId = 'lugaggia-1';
const key = generateKeyPair(new Uint8Array(32).fill(7));
const other = generateKeyPair(new Uint8Array(32).fill(8));
const block = (n: number) => ({ hash: new Uint8Array(32).fill(n) });

function vote(
  height: number,
  round: number,
  type: VoteType,
  extra: Partial<Vote> = {},
): Omit<Vote, 'signature'> {
  return {
    type,
    height,
    round,
    blockId: block(1),
    timestamp: 1_700_000_000_000,
    validatorAddress: new Uint8Array(20).fill(3),
    validatorIndex: 0,
    ...extra,
  };
}
function proposal(height: number, round: number, extra: Partial<CanonicalProposal> = {}): CanonicalProposal {
  return { height, round, polRound: -1, blockId: block(1), timestamp: 1_700_000_000_000, ...extra };
}
function guardOver(store: SignerStore, secretKey = key.secretKey): DoubleSignGuard {
  return new DoubleSignGuard({ chainId }, { store, secretKey });
}
/** Signs whatever belongs at `p` (a proposal or a vote of the step's type). */
function signAt(guard: DoubleSignGuard, p: SignPosition, n = 1): Promise<unknown> {
  if (p.step === SignStep.Propose)
    return guard.signProposal(proposal(p.height, p.round, { blockId: block(n) }));
  const type = p.step === SignStep.Prevote ? VoteType.Prevote : VoteType.Precommit;
  return guard.signVote(vote(p.height, p.round, type, { blockId: block(n) }));
}
async function refusal(promise: Promise<unknown>): Promise<JouleError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a refusal').toBeInstanceOf(JouleError);
  return error as JouleError;
}

describe('DoubleSignGuard signing', () => {
  it('signs exactly what signVote and signProposal sign, and saves before it returns', async () => {
    let release: () => void = () => {};
    const saved: SignerState[] = [];
    const store: SignerStore = {
      load: async () => null,
      save: (state) =>
        new Promise<void>((resolve) => {
          release = () => {
            saved.push(state);
            resolve();
          };
        }),
    };
    const guard = guardOver(store);
    const v = vote(3, 0, VoteType.Prevote);
    let returned = false;
    const pending = guard.signVote(v).then((signed) => {
      returned = true;
      return signed;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(returned, 'no signature before the state is durable').toBe(false);
    release();
    const signed = await pending;
    expect(signed).toEqual(signVote(chainId, v, key.secretKey));
    expect(verifyVoteSignature(chainId, signed, key.publicKey)).toBe(true);
    expect(saved).toMatchObject([
      { height: 3, round: 0, step: SignStep.Prevote, signature: signed.signature },
    ]);
    const p = proposal(4, 0);
    const pendingProposal = guard.signProposal(p);
    await new Promise((r) => setTimeout(r, 0));
    release();
    expect(await pendingProposal).toEqual(signProposal(chainId, p, key.secretKey));
  });

  it('walks Propose → Prevote → Precommit, then the next round and height', async () => {
    const guard = guardOver(new MemorySignerStore());
    await guard.signProposal(proposal(1, 0));
    await guard.signVote(vote(1, 0, VoteType.Prevote));
    await guard.signVote(vote(1, 0, VoteType.Precommit, { blockId: null }));
    await guard.signVote(vote(1, 1, VoteType.Prevote, { blockId: block(2) }));
    await guard.signVote(vote(2, 0, VoteType.Precommit));
    expect(guard.lastSigned()).toEqual({ height: 2, round: 0, step: SignStep.Precommit });
  });

  it('refuses every position below the last signed, and signs every position above it', async () => {
    const position = fc.record({
      height: fc.integer({ min: 1, max: 4 }),
      round: fc.integer({ min: 0, max: 3 }),
      step: fc.constantFrom(SignStep.Propose, SignStep.Prevote, SignStep.Precommit),
    });
    await fc.assert(
      fc.asyncProperty(position, position, async (first, second) => {
        const guard = guardOver(new MemorySignerStore());
        await signAt(guard, first);
        const order = comparePositions(second, first);
        if (order > 0) {
          await signAt(guard, second, 2);
          return;
        }
        if (order === 0) return;
        const error = await refusal(signAt(guard, second));
        expect(error.code).toBe('DOUBLE_SIGN_REFUSED');
        expect(error.context).toEqual({
          reason: 'regression',
          height: second.height,
          round: second.round,
          step: second.step,
          lastHeight: first.height,
          lastRound: first.round,
          lastStep: first.step,
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('DoubleSignGuard at the same position', () => {
  it('returns the same signature for the same vote, without signing or saving again', async () => {
    const store = new MemorySignerStore();
    let saves = 0;
    const counting: SignerStore = {
      load: () => store.load(),
      save: (s) => {
        saves++;
        return store.save(s);
      },
    };
    const guard = guardOver(counting);
    const first = await guard.signVote(vote(5, 1, VoteType.Precommit));
    const again = await guard.signVote(vote(5, 1, VoteType.Precommit));
    expect(again).toEqual(first);
    expect(saves).toBe(1);
  });

  it('returns the stored signature and timestamp when only the timestamp differs', async () => {
    const guard = guardOver(new MemorySignerStore());
    const first = await guard.signVote(vote(5, 1, VoteType.Prevote, { timestamp: 1000 }));
    const later = await guard.signVote(vote(5, 1, VoteType.Prevote, { timestamp: 2000 }));
    expect(later).toEqual(first);
    expect(later.timestamp).toBe(1000);
    expect(verifyVoteSignature(chainId, later, key.publicKey)).toBe(true);

    const p1 = await guard.signProposal(proposal(6, 0, { timestamp: 5000 }));
    const p2 = await guard.signProposal(proposal(6, 0, { timestamp: 9000 }));
    expect(p2).toEqual(p1);
    expect(verifyProposalSignature(chainId, p2, key.publicKey)).toBe(true);
  });

  it('refuses anything else at the same position', async () => {
    const guard = guardOver(new MemorySignerStore());
    await guard.signVote(vote(5, 1, VoteType.Prevote, { timestamp: 1000 }));
    for (const conflicting of [
      vote(5, 1, VoteType.Prevote, { blockId: block(2) }),
      vote(5, 1, VoteType.Prevote, { blockId: null }),
      vote(5, 1, VoteType.Prevote, { blockId: block(2), timestamp: 2000 }),
    ]) {
      const error = await refusal(guard.signVote(conflicting));
      expect(error).toMatchObject({ code: 'DOUBLE_SIGN_REFUSED', context: { reason: 'conflict' } });
    }
    await guard.signProposal(proposal(6, 0));
    const error = await refusal(guard.signProposal(proposal(6, 0, { polRound: 0, timestamp: 1 })));
    expect(error).toMatchObject({ code: 'DOUBLE_SIGN_REFUSED', context: { reason: 'conflict' } });
  });

  it('serializes concurrent calls: of two conflicting votes at once, exactly one is signed', async () => {
    const store = new MemorySignerStore();
    const slow: SignerStore = {
      load: () => store.load(),
      save: async (s) => {
        await new Promise((r) => setTimeout(r, 10));
        await store.save(s);
      },
    };
    const guard = guardOver(slow);
    const results = await Promise.allSettled([
      guard.signVote(vote(9, 0, VoteType.Prevote, { blockId: block(1) })),
      guard.signVote(vote(9, 0, VoteType.Prevote, { blockId: block(2) })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});

describe('DoubleSignGuard across crashes and failures', () => {
  it('a new guard over the same store refuses a conflicting vote and repeats the signed one', async () => {
    const store = new MemorySignerStore();
    const signed = await guardOver(store).signVote(vote(7, 2, VoteType.Precommit));
    const restarted = guardOver(store.crash());
    await restarted.init();
    expect(restarted.lastSigned()).toEqual({ height: 7, round: 2, step: SignStep.Precommit });
    const error = await refusal(restarted.signVote(vote(7, 2, VoteType.Precommit, { blockId: null })));
    expect(error.code).toBe('DOUBLE_SIGN_REFUSED');
    await expect(refusal(restarted.signVote(vote(7, 1, VoteType.Precommit)))).resolves.toMatchObject({
      code: 'DOUBLE_SIGN_REFUSED',
    });
    expect(await restarted.signVote(vote(7, 2, VoteType.Precommit))).toEqual(signed);
  });

  it('a failed save returns no signature and leaves the state as it was', async () => {
    const store = new MemorySignerStore();
    const guard = guardOver(store);
    await guard.signVote(vote(1, 0, VoteType.Prevote));
    store.failSaves(new Error('disk full'));
    await expect(guard.signVote(vote(1, 0, VoteType.Precommit))).rejects.toThrow('disk full');
    expect(guard.lastSigned()).toEqual({ height: 1, round: 0, step: SignStep.Prevote });
    store.failSaves(null);
    // Nothing left the process, so a different precommit at that position may still be signed.
    await guard.signVote(vote(1, 0, VoteType.Precommit, { blockId: null }));
  });

  it('refuses to sign at all over a stored state that contradicts itself or another key', async () => {
    const store = new MemorySignerStore();
    await guardOver(store).signVote(vote(4, 0, VoteType.Prevote));
    const good = (await store.load()) as SignerState;

    const lying = new MemorySignerStore({ ...good, height: 9 });
    const error = await refusal(guardOver(lying).signVote(vote(10, 0, VoteType.Prevote)));
    expect(error).toMatchObject({ code: 'SIGNER_STATE_CORRUPT', context: { reason: 'inconsistent' } });

    const wrongStep = new MemorySignerStore({ ...good, step: SignStep.Precommit });
    await expect(guardOver(wrongStep).init()).rejects.toMatchObject({ code: 'SIGNER_STATE_CORRUPT' });

    const foreign = guardOver(new MemorySignerStore(good), other.secretKey);
    await expect(foreign.init()).rejects.toMatchObject({
      code: 'SIGNER_STATE_CORRUPT',
      context: { reason: 'foreign-signature' },
    });
    await expect(foreign.signVote(vote(10, 0, VoteType.Prevote))).rejects.toMatchObject({
      code: 'SIGNER_STATE_CORRUPT',
    });
  });

  it('refuses a malformed key and an invalid vote with typed errors', async () => {
    expect(() => guardOver(new MemorySignerStore(), new Uint8Array(31))).toThrow(JouleError);
    const guard = guardOver(new MemorySignerStore());
    await expect(guard.signVote(vote(0, 0, VoteType.Prevote))).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    });
    expect(guard.lastSigned()).toBeNull();
  });
});
