import { JouleError } from '../errors.js';
import { makeDuplicateVoteEvidence } from '../vote/evidence.js';
import { VoteType } from '../vote/vote.js';
import { NIL, type ValueId, VoteKeeper } from '../votes/vote-keeper.js';
import { isOneThird, isQuorum, type Weights } from '../votes/weights.js';
import {
  type Effect,
  type HeightState,
  type Input,
  type ProposalRecord,
  Step,
  type TimeoutStep,
  type Timeouts,
} from './types.js';

/**
 * The consensus core of one height: the upon-rules of "The latest gossip on BFT consensus"
 * (Buchman, Kwon, Milosevic 2018), Algorithm 1, as a deterministic state machine. `apply` takes
 * one input, updates the state and returns effects (votes to sign, timeouts to schedule, a
 * decision); it performs no I/O and reads no clock. After each input every rule is evaluated
 * again until none fires, so the order in which messages arrive never matters for what fires.
 * Line numbers in comments refer to Algorithm 1.
 */
export function newHeightState(
  height: number,
  weights: Weights,
  isProposer: (round: number) => boolean,
  timeouts: Timeouts,
): HeightState {
  return {
    height,
    started: false,
    round: 0,
    step: Step.Propose,
    lockedValue: null,
    lockedRound: -1,
    validValue: null,
    validRound: -1,
    decision: null,
    proposals: new Map(),
    votes: new VoteKeeper(weights),
    fired: { prevoteTimeout: new Set(), lockOrValid: new Set(), precommitTimeout: new Set() },
    isProposer,
    timeouts,
  };
}

export function apply(s: HeightState, input: Input): Effect[] {
  const out: Effect[] = [];
  switch (input.kind) {
    case 'start':
      if (s.started) return [];
      s.started = true;
      startRound(s, 0, out); // L10
      break;
    case 'proposal': {
      const existing = s.proposals.get(input.round);
      if (existing !== undefined) {
        if (existing.value !== input.record.value)
          out.push({ kind: 'rejected', reason: 'second proposal in round' });
        return out;
      }
      s.proposals.set(input.round, input.record);
      s.votes.addSender(input.round, input.record.proposer);
      break;
    }
    case 'vote': {
      const result = s.votes.add(input.vote, s.round);
      if (result.status === 'equivocation') {
        // Reported, and counted for its value: rules may now fire, so evaluate as for any vote.
        out.push({ kind: 'evidence', evidence: makeDuplicateVoteEvidence(result.first, result.second) });
        break;
      }
      if (result.status !== 'added') {
        if (result.status !== 'duplicate' && result.status !== 'pending')
          out.push({ kind: 'rejected', reason: result.status });
        return out;
      }
      break;
    }
    case 'timeout':
      onTimeout(s, input.step, input.round, out);
      break;
    case 'ownValue':
      if (
        s.started &&
        input.round === s.round &&
        s.step === Step.Propose &&
        s.isProposer(input.round) &&
        !s.proposals.has(input.round)
      ) {
        out.push({ kind: 'propose', round: input.round, value: input.value, polRound: -1 }); // L19
      }
      return out;
    case 'commitCertificate':
      if (s.decision === null && input.valid) decide(s, input.round, input.value, out);
      return out;
  }
  if (s.started) evaluate(s, out);
  return out;
}

/** L11–L21. */
function startRound(s: HeightState, round: number, out: Effect[]): void {
  s.round = round;
  s.step = Step.Propose;
  out.push({ kind: 'newRound', round });
  // The paper schedules this for non-proposers only; the proposer schedules it too (as CometBFT),
  // and first, so a proposer whose block building fails still moves on. L57 acts only in propose.
  schedule(s, 'propose', round, out);
  if (s.isProposer(round)) {
    if (s.validValue !== null) {
      out.push({ kind: 'propose', round, value: s.validValue, polRound: s.validRound });
    } else {
      out.push({ kind: 'getValue', round });
    }
  }
}

function onTimeout(s: HeightState, step: TimeoutStep, round: number, out: Effect[]): void {
  if (!s.started || round !== s.round || s.decision !== null) return;
  if (step === 'propose' && s.step === Step.Propose) {
    vote(s, VoteType.Prevote, null, out); // L57
    s.step = Step.Prevote;
  } else if (step === 'prevote' && s.step === Step.Prevote) {
    vote(s, VoteType.Precommit, null, out); // L61
    s.step = Step.Precommit;
  } else if (step === 'precommit') {
    startRound(s, round + 1, out); // L65
  }
}

/**
 * Evaluates the upon-rules until none fires. Each rule function checks its condition and, when it
 * holds, acts and returns true; evaluation then starts over, since a rule that fired changed the
 * state (step, round, decision, or a once-per-round mark) that the others read.
 */
function evaluate(s: HeightState, out: Effect[]): void {
  const total = s.votes.weights.total;
  for (let guard = 0; guard < 1000; guard++) {
    if (l49(s, total, out)) return;
    if (s.step === Step.Commit) return;
    if (l55(s, total, out)) continue;
    const p = s.proposals.get(s.round);
    if (l22(s, p, out) || l28(s, p, total, out)) continue;
    if (l34(s, total, out) || l36(s, p, total, out) || l44(s, total, out) || l47(s, total, out)) continue;
    return;
  }
  // Unreachable: each rule that fires changes the state its condition reads.
  throw new JouleError('CONSENSUS_RULES_UNSETTLED', 'consensus rules did not settle after 1000 steps', {
    height: s.height,
    round: s.round,
  });
}

/** L49: a proposal and +2/3 precommits for it, in any round, decide. */
function l49(s: HeightState, total: bigint, out: Effect[]): boolean {
  if (s.decision !== null) return false;
  for (const [r, p] of s.proposals) {
    if (p.valid && isQuorum(s.votes.power(VoteType.Precommit, r, p.value), total)) {
      decide(s, r, p.value, out);
      return true;
    }
  }
  return false;
}

/** L55: f+1 of the power is already in a higher round: skip to the highest such round. */
function l55(s: HeightState, total: bigint, out: Effect[]): boolean {
  let skipTo = -1;
  for (const r of s.votes.rounds()) if (r > s.round && isOneThird(s.votes.senderPower(r), total)) skipTo = r;
  if (skipTo <= s.round) return false;
  startRound(s, skipTo, out);
  return true;
}

/** L22: a fresh proposal; prevote it unless locked on something else. */
function l22(s: HeightState, p: ProposalRecord | undefined, out: Effect[]): boolean {
  if (s.step !== Step.Propose || p === undefined || p.polRound !== -1) return false;
  const ok = p.valid && (s.lockedRound === -1 || s.lockedValue === p.value);
  vote(s, VoteType.Prevote, ok ? p.value : null, out);
  s.step = Step.Prevote;
  return true;
}

/**
 * L28: a re-proposal backed by a polka in polRound; a lock from that round or older is released
 * here — this is how a node unlocks.
 */
function l28(s: HeightState, p: ProposalRecord | undefined, total: bigint, out: Effect[]): boolean {
  if (s.step !== Step.Propose || p === undefined) return false;
  if (p.polRound < 0 || p.polRound >= s.round) return false;
  if (!isQuorum(s.votes.power(VoteType.Prevote, p.polRound, p.value), total)) return false;
  const ok = p.valid && (s.lockedRound <= p.polRound || s.lockedValue === p.value);
  vote(s, VoteType.Prevote, ok ? p.value : null, out);
  s.step = Step.Prevote;
  return true;
}

/** L34: +2/3 prevotes of any kind: start the prevote timeout (once per round). */
function l34(s: HeightState, total: bigint, out: Effect[]): boolean {
  if (s.step !== Step.Prevote || s.fired.prevoteTimeout.has(s.round)) return false;
  if (!isQuorum(s.votes.anyPower(VoteType.Prevote, s.round), total)) return false;
  s.fired.prevoteTimeout.add(s.round);
  schedule(s, 'prevote', s.round, out);
  return true;
}

/** L36: a valid proposal with a polka in this round: lock (if still prevoting) and remember it. */
function l36(s: HeightState, p: ProposalRecord | undefined, total: bigint, out: Effect[]): boolean {
  if (!p?.valid || s.step < Step.Prevote || s.fired.lockOrValid.has(s.round)) return false;
  if (!isQuorum(s.votes.power(VoteType.Prevote, s.round, p.value), total)) return false;
  s.fired.lockOrValid.add(s.round);
  if (s.step === Step.Prevote) {
    s.lockedValue = p.value;
    s.lockedRound = s.round;
    vote(s, VoteType.Precommit, p.value, out);
    s.step = Step.Precommit;
  }
  s.validValue = p.value;
  s.validRound = s.round;
  return true;
}

/** L44: a polka for nil: precommit nil. */
function l44(s: HeightState, total: bigint, out: Effect[]): boolean {
  if (s.step !== Step.Prevote || !isQuorum(s.votes.power(VoteType.Prevote, s.round, NIL), total))
    return false;
  vote(s, VoteType.Precommit, null, out);
  s.step = Step.Precommit;
  return true;
}

/** L47: +2/3 precommits of any kind: start the precommit timeout (once per round). */
function l47(s: HeightState, total: bigint, out: Effect[]): boolean {
  if (s.fired.precommitTimeout.has(s.round)) return false;
  if (!isQuorum(s.votes.anyPower(VoteType.Precommit, s.round), total)) return false;
  s.fired.precommitTimeout.add(s.round);
  schedule(s, 'precommit', s.round, out);
  return true;
}

function decide(s: HeightState, round: number, value: ValueId, out: Effect[]): void {
  s.decision = { value, round };
  s.step = Step.Commit;
  out.push({ kind: 'decide', round, value });
}

function vote(s: HeightState, type: VoteType, value: ValueId | null, out: Effect[]): void {
  out.push({ kind: 'vote', type, round: s.round, value });
}

function schedule(s: HeightState, step: TimeoutStep, round: number, out: Effect[]): void {
  out.push({ kind: 'scheduleTimeout', step, round, delayMs: timeoutMs(s.timeouts, step, round) });
}

/** Timeouts grow linearly with the round. */
export function timeoutMs(t: Timeouts, step: TimeoutStep, round: number): number {
  if (step === 'propose') return t.proposeMs + round * t.proposeDeltaMs;
  if (step === 'prevote') return t.prevoteMs + round * t.prevoteDeltaMs;
  return t.precommitMs + round * t.precommitDeltaMs;
}
