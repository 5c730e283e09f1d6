import type { DuplicateVoteEvidence } from '../vote/evidence.js';
import type { Vote, VoteType } from '../vote/vote.js';
import type { ValueId, VoteKeeper } from '../votes/vote-keeper.js';

/** Steps of a round (the paper's `step_p`), ordered. */
export const Step = { Propose: 1, Prevote: 2, Precommit: 3, Commit: 4 } as const;
export type Step = (typeof Step)[keyof typeof Step];

/** Timeouts in ms; round r waits `base + r * delta` (linear growth, as the paper and CometBFT). */
export interface Timeouts {
  readonly proposeMs: number;
  readonly proposeDeltaMs: number;
  readonly prevoteMs: number;
  readonly prevoteDeltaMs: number;
  readonly precommitMs: number;
  readonly precommitDeltaMs: number;
  /** Wait after a decision before the next height, to collect more precommits for the commit. */
  readonly commitMs: number;
}

export const defaultTimeouts: Timeouts = {
  proposeMs: 3000,
  proposeDeltaMs: 500,
  prevoteMs: 1000,
  prevoteDeltaMs: 500,
  precommitMs: 1000,
  precommitDeltaMs: 500,
  commitMs: 1000,
};

export type TimeoutStep = 'propose' | 'prevote' | 'precommit';

/** A proposal as the engine sees it: the driver checked the signer and the block's validity. */
export interface ProposalRecord {
  readonly value: ValueId;
  readonly polRound: number;
  readonly valid: boolean;
  /** Hex address of the proposer who signed it. */
  readonly proposer: string;
}

/** The state of one height. Plain data plus the vote keeper; only `apply` changes it. */
export interface HeightState {
  readonly height: number;
  /** False until the `start` input: messages are recorded but no rule fires. */
  started: boolean;
  round: number;
  step: Step;
  lockedValue: ValueId | null;
  lockedRound: number;
  validValue: ValueId | null;
  validRound: number;
  decision: { readonly value: ValueId; readonly round: number } | null;
  /** First proposal from the round's proposer, per round. */
  readonly proposals: Map<number, ProposalRecord>;
  readonly votes: VoteKeeper;
  /** Rounds in which each once-only rule already fired. */
  readonly fired: { prevoteTimeout: Set<number>; lockOrValid: Set<number>; precommitTimeout: Set<number> };
  /** Whether this node is the proposer of a round (validators only; always false for others). */
  readonly isProposer: (round: number) => boolean;
  readonly timeouts: Timeouts;
}

export type Input =
  /** Start the height at round 0 (the driver decides when: createEmptyBlocks). */
  | { readonly kind: 'start' }
  | { readonly kind: 'proposal'; readonly round: number; readonly record: ProposalRecord }
  | { readonly kind: 'vote'; readonly vote: Vote }
  | { readonly kind: 'timeout'; readonly step: TimeoutStep; readonly round: number }
  /** The value the driver built after a `getValue` effect. */
  | { readonly kind: 'ownValue'; readonly round: number; readonly value: ValueId }
  /** A verified commit (+2/3 precommits) for `value` in `round`, received whole from a peer. */
  | {
      readonly kind: 'commitCertificate';
      readonly round: number;
      readonly value: ValueId;
      readonly valid: boolean;
    };

export type Effect =
  | { readonly kind: 'newRound'; readonly round: number }
  /** Build a new value to propose in `round` (the paper's getValue()). */
  | { readonly kind: 'getValue'; readonly round: number }
  | { readonly kind: 'propose'; readonly round: number; readonly value: ValueId; readonly polRound: number }
  | { readonly kind: 'vote'; readonly type: VoteType; readonly round: number; readonly value: ValueId | null }
  | {
      readonly kind: 'scheduleTimeout';
      readonly step: TimeoutStep;
      readonly round: number;
      readonly delayMs: number;
    }
  | { readonly kind: 'decide'; readonly round: number; readonly value: ValueId }
  | { readonly kind: 'evidence'; readonly evidence: DuplicateVoteEvidence }
  /** Why an input was not used (for peer scoring and logs); the state did not change. */
  | { readonly kind: 'rejected'; readonly reason: string };
