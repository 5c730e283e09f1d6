import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../codec/canonical.js';
import { struct } from '../codec/schema.js';
import { DecodeError, InvalidValueError } from '../errors.js';
import { arbBlockId, arbEvidence, arbVote } from '../testkit/arbitraries.js';
import {
  compareBlockIds,
  type DuplicateVoteEvidence,
  duplicateVoteEvidenceCodec,
  makeDuplicateVoteEvidence,
} from '../vote/evidence.js';
import { voteCodec } from '../vote/vote.js';

/** The evidence struct without its rules, to write bytes a correct encoder never would. */
const unchecked = struct<DuplicateVoteEvidence>('DuplicateVoteEvidence', {
  voteA: voteCodec,
  voteB: voteCodec,
});
const swap = (e: DuplicateVoteEvidence): DuplicateVoteEvidence => ({ voteA: e.voteB, voteB: e.voteA });

describe('canonical order of DuplicateVoteEvidence (voteA block id first: nil, then by hash)', () => {
  it('compareBlockIds puts nil first, then orders by hash bytes', () => {
    const id = (b: number) => ({ hash: new Uint8Array(32).fill(b) });
    expect(compareBlockIds(null, id(0)), 'nil before any block').toBeLessThan(0);
    expect(compareBlockIds(id(0), null), 'any block after nil').toBeGreaterThan(0);
    expect(compareBlockIds(id(1), id(2)), 'by hash').toBeLessThan(0);
    expect(compareBlockIds(null, null), 'nil equals nil').toBe(0);
  });

  it('round-trips generated evidence, and refuses it swapped on encode and on decode', () => {
    fc.assert(
      fc.property(arbEvidence, (evidence) => {
        expect(decode(duplicateVoteEvidenceCodec, encode(duplicateVoteEvidenceCodec, evidence))).toEqual(
          evidence,
        );
        expect(() => encode(duplicateVoteEvidenceCodec, swap(evidence)), 'encode swapped').toThrow(
          InvalidValueError,
        );
        const swappedBytes = encode(unchecked, swap(evidence));
        expect(() => decode(duplicateVoteEvidenceCodec, swappedBytes), 'decode swapped').toThrow(DecodeError);
      }),
    );
  });

  it('makeDuplicateVoteEvidence gives the same evidence whichever vote comes first', () => {
    fc.assert(
      fc.property(arbEvidence, (evidence) => {
        expect(makeDuplicateVoteEvidence(evidence.voteB, evidence.voteA), 'reversed arguments').toEqual(
          evidence,
        );
        expect(makeDuplicateVoteEvidence(evidence.voteA, evidence.voteB), 'in order').toEqual(evidence);
      }),
    );
  });

  it('makeDuplicateVoteEvidence refuses votes that do not conflict', () => {
    fc.assert(
      fc.property(arbVote, arbBlockId, (vote, other) => {
        expect(() => makeDuplicateVoteEvidence(vote, vote), 'same block').toThrow(InvalidValueError);
        const later = { ...vote, blockId: other, height: vote.height === 1 ? 2 : vote.height - 1 };
        expect(() => makeDuplicateVoteEvidence(vote, later), 'other height').toThrow(InvalidValueError);
        const stranger = { ...vote, blockId: other, validatorIndex: (vote.validatorIndex + 1) % 1000 };
        expect(() => makeDuplicateVoteEvidence(vote, stranger), 'other validator').toThrow(InvalidValueError);
      }),
    );
  });
});
