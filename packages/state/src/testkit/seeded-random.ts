/** A small seeded PRNG (xorshift32) for tests and benchmarks: reproducible from its seed. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = (seed >>> 0) ^ 0x9e3779b9 || 1;
  }

  /** A uniformly distributed integer in [0, 2^32). */
  nextUint32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return this.nextUint32() % n;
  }
}

/** The operations of version `version` in a random workload from `seed`: key → value or `null`. */
export function randomVersionOps(
  seed: number,
  version: number,
  options: { keySpace: number; maxOps: number },
): [Uint8Array, Uint8Array | null][] {
  const rng = new SeededRandom(seed * 1_000_003 + version);
  const count = 1 + rng.below(options.maxOps);
  const ops: [Uint8Array, Uint8Array | null][] = [];
  for (let i = 0; i < count; i++) {
    const key = new TextEncoder().encode(`k/${rng.below(options.keySpace)}`);
    const value = rng.below(4) === 0 ? null : new Uint8Array(1 + rng.below(40)).fill(rng.below(256));
    ops.push([key, value]);
  }
  return ops;
}
