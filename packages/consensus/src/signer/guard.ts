import { decode, equalBytes } from '../codec/canonical.js';
import type { Codec } from '../codec/schema.js';
import { domainTags } from '../constants.js';
import { publicKeyOf, signRemembered, verifyFast } from '../crypto/ed25519.js';
import { DecodeError } from '../errors.js';
import type { Startable } from '../startable.js';
import { type CanonicalProposal, type Proposal, proposalSignBytes } from '../vote/proposal.js';
import { type Vote, VoteType, voteSignBytes } from '../vote/vote.js';
import { DoubleSignError, SignerStateCorruptError } from './errors.js';
import { maxSignBytes } from './limits.js';
import { proposalSignBytesCodec, type SignedValue, voteSignBytesCodec } from './sign-bytes-codecs.js';
import { type SignerState, type SignerStore, SignStep } from './signer-store.js';

export interface DoubleSignGuardOptions {
  readonly chainId: string;
}

export interface DoubleSignGuardDependencies {
  readonly store: SignerStore;
  /** The validator's 32-byte ed25519 secret key. */
  readonly secretKey: Uint8Array;
}

/** A (height, round, step): the position a signature is for. */
export interface SignPosition {
  readonly height: number;
  readonly round: number;
  readonly step: SignStep;
}

/**
 * The only way a validator's key signs a vote or a proposal. It keeps the last signed
 * (height, round, step) with its sign bytes and signature and, as CometBFT's FilePV:
 *
 * - refuses any position below the last one (`DOUBLE_SIGN_REFUSED`);
 * - at the same position, returns the stored signature for the same sign bytes (a restarted node
 *   re-derives its votes from the WAL), and the stored signature *and timestamp* when only the
 *   timestamp differs (the clock moved on); anything else at that position is refused;
 * - above it, signs, saves the new state durably, and only then returns the signature.
 *
 * Calls are serialized, so two signatures can never race past the same check. If the save fails
 * the signature is dropped and the in-memory state is left as it was: nothing left the process.
 */
export class DoubleSignGuard implements Startable {
  private readonly chainId: string;
  private readonly store: SignerStore;
  private readonly secretKey: Uint8Array;
  private readonly publicKey: Uint8Array;
  private last: SignerState | null = null;
  private loading: Promise<void> | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(options: DoubleSignGuardOptions, deps: DoubleSignGuardDependencies) {
    this.chainId = options.chainId;
    this.store = deps.store;
    this.secretKey = deps.secretKey;
    this.publicKey = publicKeyOf(deps.secretKey); // refuses a malformed key up front
  }

  /**
   * Loads and checks the stored state (idempotent; the sign methods wait for it). A state that
   * does not match its own sign bytes or this validator's key is `SIGNER_STATE_CORRUPT`, and the
   * guard then refuses every signature: it never falls back to an empty state.
   */
  init(): Promise<void> {
    this.loading ??= this.store.load().then((state) => {
      if (state !== null) this.checkStored(state);
      this.last = state;
    });
    return this.loading;
  }

  /** `Startable`: loads and checks the stored state (`init`). */
  start(): Promise<void> {
    return this.init();
  }

  /** `Startable`: waits for the signature in progress; the guard holds no timer or handle of its own. */
  async stop(): Promise<void> {
    await this.tail;
  }

  /** The position of the last signature, or null when this validator never signed. */
  lastSigned(): SignPosition | null {
    const last = this.last;
    return last === null ? null : { height: last.height, round: last.round, step: last.step };
  }

  signVote(vote: Omit<Vote, 'signature'>): Promise<Vote> {
    return this.serialize(async () => {
      const step = vote.type === VoteType.Prevote ? SignStep.Prevote : SignStep.Precommit;
      const bytes = voteSignBytes(this.chainId, vote);
      const position = { height: vote.height, round: vote.round, step };
      const cachedTimestamp = (stored: Uint8Array): number | undefined =>
        this.timestampOnly(voteSignBytesCodec, domainTags.vote, stored, (timestamp) =>
          voteSignBytes(this.chainId, { ...vote, timestamp }),
        );
      const { signature, timestamp } = await this.signAt(position, bytes, cachedTimestamp);
      return { ...vote, timestamp: timestamp ?? vote.timestamp, signature };
    });
  }

  signProposal(proposal: CanonicalProposal): Promise<Proposal> {
    return this.serialize(async () => {
      const bytes = proposalSignBytes(this.chainId, proposal);
      const position = { height: proposal.height, round: proposal.round, step: SignStep.Propose };
      const cachedTimestamp = (stored: Uint8Array): number | undefined =>
        this.timestampOnly(proposalSignBytesCodec, domainTags.proposal, stored, (timestamp) =>
          proposalSignBytes(this.chainId, { ...proposal, timestamp }),
        );
      const { signature, timestamp } = await this.signAt(position, bytes, cachedTimestamp);
      return { ...proposal, timestamp: timestamp ?? proposal.timestamp, signature };
    });
  }

  /** The decision. `timestampOnly` gives the stored timestamp when only the timestamp differs. */
  private async signAt(
    position: SignPosition,
    signBytes: Uint8Array,
    timestampOnly: (stored: Uint8Array) => number | undefined,
  ): Promise<{ signature: Uint8Array; timestamp?: number }> {
    await this.init();
    const last = this.last;
    if (last !== null) {
      const order = comparePositions(position, last);
      if (order < 0) throw this.refusal('regression', position, last);
      if (order === 0) {
        if (equalBytes(signBytes, last.signBytes)) return { signature: last.signature };
        const timestamp = timestampOnly(last.signBytes);
        if (timestamp !== undefined) return { signature: last.signature, timestamp };
        throw this.refusal('conflict', position, last);
      }
    }
    // Remembered as valid: the vote comes back (relayed, in the next block's commit) unverified.
    const signature = signRemembered(this.secretKey, signBytes);
    const state: SignerState = { ...position, signBytes, signature };
    await this.store.save(state);
    this.last = state;
    return { signature };
  }

  /**
   * Decodes the stored sign bytes, re-encodes the new value with the stored timestamp, and
   * returns that timestamp if the bytes are then identical: a difference in the timestamp alone.
   */
  private timestampOnly<T extends { readonly timestamp: number }>(
    codec: Codec<SignedValue<T>>,
    tag: string,
    stored: Uint8Array,
    reencode: (timestamp: number) => Uint8Array,
  ): number | undefined {
    const decoded = decodeOrUndefined(codec, stored);
    if (decoded === undefined || decoded.tag !== tag || decoded.chainId !== this.chainId) return undefined;
    const timestamp = decoded.value.timestamp;
    return equalBytes(reencode(timestamp), stored) ? timestamp : undefined;
  }

  private refusal(
    reason: 'regression' | 'conflict',
    position: SignPosition,
    last: SignerState,
  ): DoubleSignError {
    const what =
      reason === 'regression' ? 'is below the last signed' : 'was already signed with different sign bytes';
    return new DoubleSignError(`refusing to sign at ${format(position)}: it ${what} (${format(last)})`, {
      reason,
      height: position.height,
      round: position.round,
      step: position.step,
      lastHeight: last.height,
      lastRound: last.round,
      lastStep: last.step,
    });
  }

  /** A stored state must say what its sign bytes say, and carry this validator's signature. */
  private checkStored(state: SignerState): void {
    const codec: Codec<SignedValue<{ height: number; round: number; type?: VoteType }>> =
      state.step === SignStep.Propose ? proposalSignBytesCodec : voteSignBytesCodec;
    const decoded = decodeOrUndefined(codec, state.signBytes);
    const value = decoded?.value;
    const stepMatches =
      state.step === SignStep.Propose ||
      value?.type === (state.step === SignStep.Prevote ? VoteType.Prevote : VoteType.Precommit);
    if (value === undefined || value.height !== state.height || value.round !== state.round || !stepMatches) {
      throw new SignerStateCorruptError(
        `stored signer state at ${format(state)} does not match its sign bytes`,
        {
          reason: 'inconsistent',
          height: state.height,
          round: state.round,
          step: state.step,
        },
      );
    }
    if (!verifyFast(this.publicKey, state.signBytes, state.signature)) {
      throw new SignerStateCorruptError(
        `stored signer state at ${format(state)} was not signed by this validator's key`,
        { reason: 'foreign-signature', height: state.height, round: state.round, step: state.step },
      );
    }
  }

  private serialize<T>(run: () => Promise<T>): Promise<T> {
    const result = this.tail.then(run);
    this.tail = result.catch(() => {});
    return result;
  }
}

/** Orders positions by height, then round, then step (Propose < Prevote < Precommit). */
export function comparePositions(a: SignPosition, b: SignPosition): number {
  if (a.height !== b.height) return a.height < b.height ? -1 : 1;
  if (a.round !== b.round) return a.round < b.round ? -1 : 1;
  if (a.step !== b.step) return a.step < b.step ? -1 : 1;
  return 0;
}

function decodeOrUndefined<T>(codec: Codec<T>, bytes: Uint8Array): T | undefined {
  try {
    return decode(codec, bytes, { maxBytes: maxSignBytes });
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
}

function format(p: SignPosition): string {
  return `height ${p.height} round ${p.round} step ${p.step}`;
}
