/**
 * Exact integer arithmetic for settlement: bigint only, no floats. A price such as `pb` is a
 * rational `num / den` with `den > 0` until the single rounding of an amount.
 */

export interface Rational {
  readonly num: bigint;
  /** Always positive. */
  readonly den: bigint;
}

/** ⌊n / d⌋ for d > 0 (bigint `/` truncates toward zero, which is wrong for negative n). */
export function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n < 0n && q * d !== n ? q - 1n : q;
}

/** ⌈n / d⌉ for d > 0. */
export function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n > 0n && q * d !== n ? q + 1n : q;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** `num / den` in lowest terms. */
export function reduce(r: Rational): Rational {
  const g = gcd(r.num, r.den);
  return g <= 1n ? r : { num: r.num / g, den: r.den / g };
}

/** The exact decimal string of an integral rational ("18200000"), or "num/den" in lowest terms. */
export function formatRational(r: Rational): string {
  const { num, den } = reduce(r);
  return den === 1n ? num.toString() : `${num}/${den}`;
}
