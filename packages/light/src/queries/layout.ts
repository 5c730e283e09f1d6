import {
  address,
  bigint,
  type Codec,
  int,
  list,
  nullable,
  string,
  struct,
  uint,
} from '@joule/consensus/core';

import { moduleTableKey } from '@joule/state/proof';

/**
 * The keys and values a light client proves, as the bank and market modules lay them out: the
 * framework's key of a module's table (`moduleTableKey`: the module's length-prefixed name, the
 * table's name and `/`, then the key bytes, integers big-endian; written `<module>/<table>/<key>` below), and the modules' published
 * records (their READMEs and `records.ts`). A test checks each verified answer against the node's
 * own query answer, so a layout change fails it.
 */

const utf8 = new TextEncoder();

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `n` as `bytes` big-endian bytes. */
export function bigEndian(n: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt(n);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const table = moduleTableKey;

export const keys = {
  /** `bank/b/<address><denom>`: a balance. */
  balance: (addr: Uint8Array, denom: string): Uint8Array => table('bank', 'b', cat(addr, utf8.encode(denom))),
  /** `market/pd/<UTC day u32>`: the tsStarts of the periods touching that day. */
  periodDays: (day: number): Uint8Array => table('market', 'pd', bigEndian(day, 4)),
  /** `market/mp/<tsStart u64>`: a period's parameters. */
  period: (tsStart: number): Uint8Array => table('market', 'mp', bigEndian(tsStart, 8)),
  /** `market/rc/<tsStart u64>`: a solved period's receipt. */
  receipt: (tsStart: number): Uint8Array => table('market', 'rc', bigEndian(tsStart, 8)),
  /** `market/ps/<tsStart u64>`: the prefix of a period's account deltas (`‖ seq u32`). */
  deltasPrefix: (tsStart: number): Uint8Array => table('market', 'ps', bigEndian(tsStart, 8)),
  /** `market/am/<meterId>`: a meter (index, account, active). */
  meter: (meterId: string): Uint8Array => table('market', 'am', utf8.encode(meterId)),
  /** `market/ml/<period u64><pass u8><meter u32>`: the prefix of a meter's measure groups in one pass (`‖ group u16`). */
  measuresPrefix: (tsStart: number, pass: number, meter: number): Uint8Array =>
    table('market', 'ml', cat(bigEndian(tsStart, 8), bigEndian(pass, 1), bigEndian(meter, 4))),
};

/** Signed decimal amounts (settlement sums). */
export const signedAmount: Codec<bigint> = {
  kind: 'signedAmount',
  toWire: (value) => value.toString(),
  fromWire: (wire, path) => BigInt(string(80, /^-?(0|[1-9][0-9]*)$/).fromWire(wire, path)),
};

export const amount: Codec<bigint> = bigint(0n);

export interface Period {
  readonly tsStart: number;
  readonly tsEnd: number;
  readonly slotSeconds: number;
  readonly pBuyBAU: bigint;
  readonly pSellBAU: bigint;
  readonly pBuyLEM: bigint;
  readonly pSellLEM: bigint;
  readonly beta: bigint;
  /** 0 NOT_SOLVED, 1 SOLVING, 2 SOLVED, 3 FAILED. */
  readonly state: number;
}
export const periodCodec: Codec<Period> = struct<Period>('Period', {
  tsStart: uint(),
  tsEnd: uint(),
  slotSeconds: uint(),
  pBuyBAU: bigint(),
  pSellBAU: bigint(),
  pBuyLEM: bigint(),
  pSellLEM: bigint(),
  beta: bigint(),
  state: int(0, 3),
});
export const periodStates = ['NOT_SOLVED', 'SOLVING', 'SOLVED', 'FAILED'] as const;

export const periodDaysCodec: Codec<number[]> = list(uint(), 1024) as Codec<number[]>;

export interface Receipt {
  readonly admin: Uint8Array;
  readonly adminDelta: bigint;
  readonly gridFlow: bigint;
  readonly missing: number;
  readonly accounts: number;
  readonly meters: number;
  readonly solvedHeight: number;
}
export const receiptCodec: Codec<Receipt> = struct<Receipt>('Receipt', {
  admin: address,
  adminDelta: signedAmount,
  gridFlow: signedAmount,
  missing: uint(),
  accounts: uint(),
  meters: uint(),
  solvedHeight: uint(),
});

export interface AccountDelta {
  readonly account: Uint8Array;
  readonly delta: bigint;
}
export const accountDeltaCodec: Codec<AccountDelta> = struct<AccountDelta>('AccountDelta', {
  account: address,
  delta: signedAmount,
});

export interface Meter {
  readonly index: number;
  readonly account: Uint8Array;
  readonly active: boolean;
}

/** A meter's 16 slots of one group: `[cons0, prod0, cons1, prod1, …]`, Wh or null. */
export const slotsPerGroup = 16;
export const slotsPerPass = 1_024;
export const measureGroupCodec: Codec<(number | null)[]> = list(nullable(uint()), 2 * slotsPerGroup) as Codec<
  (number | null)[]
>;

/** The UTC day of a Unix time in seconds. */
export function dayOf(ts: number): number {
  return Math.floor(ts / 86_400);
}
