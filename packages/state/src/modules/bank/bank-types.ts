import { address, bigint, type Codec, list, string, struct } from '@joule/consensus';
import { Table, textKey } from '../../app/state.js';
import { maxMultiSendOutputs } from '../../constants.js';

/** Denominations: 3–64 characters, lower-case letters, digits and `/`, starting with a letter. */
export const denomPattern = /^[a-z][a-z0-9/]{2,63}$/;
export const denom: Codec<string> = string(64, denomPattern);
/** Amounts are unsigned 64-bit integers. */
export const maxAmount = 2n ** 64n - 1n;
export const amount: Codec<bigint> = bigint(0n, maxAmount);

export interface Send {
  readonly to: Uint8Array;
  readonly denom: string;
  readonly amount: bigint;
}
export const sendCodec: Codec<Send> = struct<Send>('Send', { to: address, denom, amount });

export interface MultiSend {
  readonly outputs: readonly Send[];
}
export const multiSendCodec: Codec<MultiSend> = struct<MultiSend>('MultiSend', {
  outputs: list(sendCodec, maxMultiSendOutputs) as Codec<readonly Send[]>,
});

/** Mint `amount` of `denom` to `to` (authority only). */
export type Mint = Send;
export const mintCodec: Codec<Mint> = sendCodec;

/** Burn `amount` of `denom` from the signer's own balance (authority only). */
export interface Burn {
  readonly denom: string;
  readonly amount: bigint;
}
export const burnCodec: Codec<Burn> = struct<Burn>('Burn', { denom, amount });

/**
 * State layout (in bank's store, see `moduleTableKey`): `b/<address><denom>` balances, `s/<denom>`
 * supply, `M/<name>` parameters (the authority: `A/`).
 */
export const tables = {
  balance: new Table(
    'bank',
    'b',
    (k: { address: Uint8Array; denom: string }) => balanceKey(k.address, k.denom),
    amount,
  ),
  supply: new Table('bank', 's', (d: string) => textKey(d), amount),
  /** Chain parameters set in genesis (`M/<name>`): `min_new_account`. */
  params: new Table('bank', 'M', (name: 'min_new_account') => textKey(name), amount),
};

/**
 * `address ‖ textKey(denom)` in one array: an ASCII denomination (every one `denomPattern`
 * accepts) is copied char by char into the key, any other goes through `textKey`. A bank send
 * builds two of these keys.
 */
function balanceKey(address: Uint8Array, denom: string): Uint8Array {
  const n = address.length;
  const out = new Uint8Array(n + denom.length);
  out.set(address);
  for (let i = 0; i < denom.length; i++) {
    const c = denom.charCodeAt(i);
    if (c >= 0x80) return concat(address, textKey(denom));
    out[n + i] = c;
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
