/** Steps of a height/round that a validator signs in, ordered as their double-sign guard needs. */
export const SignStep = { Propose: 1, Prevote: 2, Precommit: 3 } as const;
export type SignStep = (typeof SignStep)[keyof typeof SignStep];

/**
 * The last thing a validator signed: its (height, round, step), the exact sign bytes and the
 * signature. Persisted before a signature leaves the process.
 */
export interface SignerState {
  readonly height: number;
  readonly round: number;
  readonly step: SignStep;
  readonly signBytes: Uint8Array;
  readonly signature: Uint8Array;
}

/** Where the double-sign guard keeps its state. `save` resolves only when the state is durable. */
export interface SignerStore {
  load(): Promise<SignerState | null>;
  save(state: SignerState): Promise<void>;
}
