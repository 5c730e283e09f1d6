/**
 * A small seeded PRNG for the community generator (never `Math.random`): mulberry32 for the
 * stream, a murmur3 finaliser to derive independent stream seeds from `(seed, stream, …keys)`.
 * Deriving one stream per (purpose, meter, day) keeps a day's data the same whatever window of
 * days is generated, and a change to one part of the model from reshuffling the others.
 */

/** murmur3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const twoPow32 = 4_294_967_296;

/** A 32-bit seed from a safe-integer `seed` and integer keys (stream id, meter index, day). */
export function seedFrom(seed: number, ...keys: readonly number[]): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ (Math.floor(seed / twoPow32) >>> 0));
  for (const key of keys) h = fmix32(Math.imul(h ^ (key >>> 0), 0x9e3779b1) + 0x7f4a7c15);
  return h;
}

/** mulberry32: 32 bits of state, period 2^32, good enough for a simulator (not for keys). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / twoPow32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller; the second variate is dropped for simplicity). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(u) is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fills `out` with standard normals. */
  fillNormal(out: Float64Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
  }
}
