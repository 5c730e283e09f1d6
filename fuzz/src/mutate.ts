import type { Rng } from './rng.js';

/** The ways an input is derived from a valid one; named so a report can say what found a bug. */
export const mutationNames = [
  'bit-flip',
  'byte-set',
  'truncate',
  'extend',
  'insert',
  'delete',
  'duplicate',
  'splice',
  'length-field',
  'type-byte',
] as const;
export type MutationName = (typeof mutationNames)[number];

const interestingBytes = [0x00, 0x01, 0x7f, 0x80, 0xc0, 0xc1, 0xc4, 0xcf, 0xd3, 0xdc, 0xdd, 0xde, 0xdf, 0xff];
/** MessagePack type bytes: swapping one for another changes what the rest of the input means. */
const typeBytes = [
  0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3,
  0xd4, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0x90, 0x91, 0x9f, 0x80, 0x81, 0x8f, 0xa0, 0xbf, 0x00, 0x7f,
  0xe0, 0xff,
];
/** Huge, boundary and off-by-one lengths for a length or count field. */
const lengthValues = [0, 1, 2, 15, 16, 31, 32, 255, 256, 0xffff, 0x1_0000, 0x7fff_ffff, 0xffff_ffff];

/** One to a few mutations of `input` (never in place); `corpus` feeds the splice. */
export function mutate(rng: Rng, input: Uint8Array, corpus: readonly Uint8Array[]): Uint8Array {
  let out = input;
  const rounds = 1 + (rng.chance(0.3) ? rng.below(4) : 0);
  for (let i = 0; i < rounds; i++) out = mutateOnce(rng, out, corpus, rng.pick(mutationNames));
  return out;
}

export function mutateOnce(
  rng: Rng,
  input: Uint8Array,
  corpus: readonly Uint8Array[],
  how: MutationName,
): Uint8Array {
  const n = input.length;
  const at = rng.below(n + 1);
  switch (how) {
    case 'bit-flip': {
      if (n === 0) return rng.bytes(1);
      const out = input.slice();
      const i = rng.below(n);
      out[i] = (out[i] as number) ^ (1 << rng.below(8));
      return out;
    }
    case 'byte-set': {
      if (n === 0) return Uint8Array.of(rng.pick(interestingBytes));
      const out = input.slice();
      out[rng.below(n)] = rng.chance(0.5) ? rng.pick(interestingBytes) : rng.u32() & 0xff;
      return out;
    }
    case 'truncate':
      return input.slice(0, rng.below(n + 1));
    case 'extend':
      return concat(input, rng.chance(0.5) ? rng.bytes(1 + rng.below(8)) : rng.bytes(1 + rng.below(300)));
    case 'insert':
      return concat(input.subarray(0, at), rng.bytes(1 + rng.below(6)), input.subarray(at));
    case 'delete':
      return concat(input.subarray(0, at), input.subarray(Math.min(n, at + 1 + rng.below(8))));
    case 'duplicate': {
      const end = Math.min(n, at + 1 + rng.below(40));
      return concat(input.subarray(0, end), input.subarray(at, end), input.subarray(end));
    }
    case 'splice': {
      const other = corpus.length === 0 ? rng.bytes(16) : rng.pick(corpus);
      const from = rng.below(other.length + 1);
      const piece = other.subarray(from, from + 1 + rng.below(64));
      return concat(input.subarray(0, at), piece, input.subarray(Math.min(n, at + rng.below(64))));
    }
    case 'length-field':
      return changeLength(rng, input);
    case 'type-byte': {
      const positions = headerPositions(input);
      const out = input.slice();
      const i = positions.length > 0 ? rng.pick(positions) : rng.below(Math.max(1, n));
      if (n === 0) return Uint8Array.of(rng.pick(typeBytes));
      out[i] = rng.pick(typeBytes);
      return out;
    }
  }
}

/** Rewrites the length or count of one MessagePack header (bin, str, array, map) to a chosen value. */
function changeLength(rng: Rng, input: Uint8Array): Uint8Array {
  const positions = headerPositions(input);
  if (positions.length === 0) return concat(Uint8Array.of(0xdd), be32(rng.pick(lengthValues)), input);
  const i = rng.pick(positions);
  const type = input[i] as number;
  const value = rng.chance(0.5) ? rng.pick(lengthValues) : rng.below(64);
  const out = input.slice();
  if ((type & 0xf0) === 0x90 || (type & 0xf0) === 0x80) {
    if (value < 16) out[i] = (type & 0xf0) | value;
    else
      return concat(
        input.subarray(0, i),
        Uint8Array.of(type < 0x90 ? 0xdf : 0xdd),
        be32(value),
        input.subarray(i + 1),
      );
    return out;
  }
  if ((type & 0xe0) === 0xa0) {
    out[i] = 0xa0 | (value & 0x1f);
    return out;
  }
  const width = { 196: 1, 217: 1, 197: 2, 218: 2, 220: 2, 222: 2, 198: 4, 219: 4, 221: 4, 223: 4 }[type] ?? 1;
  for (let k = 0; k < width && i + 1 + k < out.length; k++) {
    out[i + 1 + k] = Math.floor(value / 2 ** (8 * (width - 1 - k))) & 0xff;
  }
  return out;
}

/** Offsets of bytes that look like MessagePack container or string headers (a cheap guess, no parse). */
function headerPositions(input: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < input.length; i++) {
    const b = input[i] as number;
    if ((b & 0xe0) === 0x80 || (b & 0xe0) === 0xa0 || (b >= 0xc4 && b <= 0xc6) || (b >= 0xd9 && b <= 0xdf))
      out.push(i);
  }
  return out;
}

function be32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
