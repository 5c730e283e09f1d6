import type { Rng } from './rng.js';

/**
 * Random MessagePack trees, written byte by byte: the wire format every Joule codec reads, without
 * knowing any schema. Gives the decoders well-formed nesting with wrong shapes (a map where a list
 * is expected, an int out of range, a string in a bytes field), which random bytes rarely reach.
 */
export function randomWire(rng: Rng, depth = 3): Uint8Array {
  const out: number[] = [];
  writeValue(rng, out, depth);
  return Uint8Array.from(out);
}

const interestingInts = [
  0,
  1,
  2,
  3,
  4,
  5,
  0x7f,
  0x80,
  0xff,
  0x100,
  0xffff,
  0x1_0000,
  0x7fff_ffff,
  0xffff_ffff,
  2 ** 53 - 1,
] as const;

function writeValue(rng: Rng, out: number[], depth: number): void {
  const choice = rng.below(depth > 0 ? 12 : 8);
  switch (choice) {
    case 0:
      out.push(rng.pick([0xc0, 0xc2, 0xc3]));
      return;
    case 1:
      writeUint(out, rng.pick(interestingInts));
      return;
    case 2:
      writeUint(out, rng.int(0, 2 ** 40));
      return;
    case 3: {
      const n = -rng.int(1, 2 ** 31);
      if (n >= -32) out.push(n & 0xff);
      else pushBig(out, 0xd3, BigInt(n));
      return;
    }
    case 4: {
      const len = rng.pick([0, 1, 8, 20, 32, 33, 64, rng.below(300)]);
      writeHeader(out, len, 'bin');
      for (const b of rng.bytes(len)) out.push(b);
      return;
    }
    case 5:
    case 6: {
      const s = rng.text(
        rng.pick([0, 1, 6, 20, rng.below(140)]),
        'abcdefghijklmnopqrstuvwxyz0123456789_/.-:J',
      );
      writeHeader(out, s.length, 'str');
      for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
      return;
    }
    case 7:
      out.push(0xcb, ...rng.bytes(8));
      return;
    case 8:
    case 9:
    case 10: {
      const n = rng.pick([0, 1, 2, 3, 4, 5, 6, 8, 12, rng.below(20)]);
      writeHeader(out, n, 'array');
      for (let i = 0; i < n; i++) writeValue(rng, out, depth - 1);
      return;
    }
    default: {
      const n = rng.below(6);
      writeHeader(out, n, 'map');
      for (let i = 0; i < n; i++) {
        writeValue(rng, out, 0);
        writeValue(rng, out, depth - 1);
      }
    }
  }
}

function writeUint(out: number[], n: number): void {
  if (n < 0x80) out.push(n);
  else if (n <= 0xff) out.push(0xcc, n);
  else if (n <= 0xffff) out.push(0xcd, n >> 8, n & 0xff);
  else if (n <= 0xffff_ffff) out.push(0xce, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else pushBig(out, 0xcf, BigInt(n));
}

function pushBig(out: number[], type: number, n: bigint): void {
  out.push(type);
  const u = BigInt.asUintN(64, n);
  for (let shift = 56n; shift >= 0n; shift -= 8n) out.push(Number((u >> shift) & 0xffn));
}

function writeHeader(out: number[], n: number, kind: 'bin' | 'str' | 'array' | 'map'): void {
  if (kind === 'str' && n < 32) out.push(0xa0 | n);
  else if (kind === 'array' && n < 16) out.push(0x90 | n);
  else if (kind === 'map' && n < 16) out.push(0x80 | n);
  else {
    const [b8, b16, b32] = {
      bin: [0xc4, 0xc5, 0xc6],
      str: [0xd9, 0xda, 0xdb],
      array: [-1, 0xdc, 0xdd],
      map: [-1, 0xde, 0xdf],
    }[kind] as [number, number, number];
    if (n <= 0xff && b8 >= 0) out.push(b8, n);
    else if (n <= 0xffff) out.push(b16, n >> 8, n & 0xff);
    else out.push(b32, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  }
}
