import { DecodeError, InvalidValueError } from '../errors.js';

/**
 * A codec describes one type's canonical wire form. `toWire` checks a value and turns it into what
 * msgpackr packs (structs become fixed-order arrays, integers wider than 32 bits become bigints so
 * that msgpack writes them as integers, never as floats); `fromWire` does the reverse on untrusted
 * input and throws a `DecodeError` naming the path of the first bad field.
 */
export interface Codec<T> {
  readonly kind: string;
  /**
   * `true` when `toWire(fromWire(w))` is `w` for every wire value `fromWire` accepts: the codec
   * neither normalizes nor drops anything. Then the minimal encoding of an accepted wire tree is
   * the canonical encoding of its value, and `decode` proves canonicity in its one walk over the
   * bytes instead of re-encoding. Leave it unset for a codec that normalizes (say, a decimal
   * string read into a bigint: `"-0"` and `"0"` give the same value).
   */
  readonly exact?: boolean;
  toWire(value: T, path: string): unknown;
  fromWire(wire: unknown, path: string): T;
  /** What the codec takes, in a few words (`integer`, `20 bytes`, `string`): for help texts and forms. */
  readonly describe?: string;
  /** A struct's fields by name, in wire order: what tools (the CLI's help, its `--args`) list. */
  readonly fields?: Readonly<Record<string, Codec<unknown>>>;
  /** The codec a `nullable` or a `list` wraps. */
  readonly inner?: Codec<unknown>;
}

/** The TypeScript type a codec describes. */
export type Infer<C> = C extends Codec<infer T> ? T : never;

const U32_MAX = 0xffff_ffff;
const I32_MIN = -0x8000_0000;
const U32_MAX_BIG = BigInt(U32_MAX);
const I32_MIN_BIG = BigInt(I32_MIN);
const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function typeName(value: unknown): string {
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value;
}

function wrongType(path: string, expected: string, wire: unknown): never {
  throw new DecodeError('DECODE_TYPE', `${path}: expected ${expected}, got ${typeName(wire)}`, {
    path,
    expected,
    got: typeName(wire),
  });
}

function invalid(path: string, message: string): never {
  throw new InvalidValueError(`${path}: ${message}`, { path });
}

/**
 * Lists and structs hand their own path to their items, so that a value that converts cleanly
 * builds no path string per field or element; only when an item fails is it converted again with
 * its precise path (`Block.txs[7]`), and that error, naming the field, is the one thrown. Every
 * conversion is a pure function of its input, so the second attempt fails as the first did.
 */
function precisely(error: unknown, again: () => unknown): unknown {
  try {
    again();
  } catch (precise) {
    return precise;
  }
  return error;
}

/**
 * A safe integer in [min, max] carried as a JS number; `int()` is signed (any safe integer). For
 * counts, heights, indexes and times use `uint()`, which refuses negative values when decoding.
 */
export function int(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Codec<number> {
  return {
    kind: 'int',
    exact: true,
    describe:
      min === 0 && max === Number.MAX_SAFE_INTEGER
        ? 'integer ≥ 0'
        : min === -Number.MAX_SAFE_INTEGER && max === Number.MAX_SAFE_INTEGER
          ? 'integer'
          : `integer ${min}..${max}`,
    toWire(value, path) {
      if (!Number.isSafeInteger(value) || value < min || value > max) {
        invalid(path, `expected an integer in [${min}, ${max}], got ${String(value)}`);
      }
      // msgpackr writes numbers beyond 32 bits as float64; a bigint makes it an int64/uint64.
      return value > U32_MAX || value < I32_MIN ? BigInt(value) : value;
    },
    fromWire(wire, path) {
      let n: number;
      if (typeof wire === 'number') n = wire;
      else if (typeof wire === 'bigint' && wire >= I32_MIN_BIG && wire <= U32_MAX_BIG) {
        // The encoder writes these as msgpack's 32-bit (or shorter) integers, never as 64-bit.
        throw new DecodeError('DECODE_NON_CANONICAL', `${path}: a 32-bit integer in a 64-bit form`, { path });
      } else if (
        typeof wire === 'bigint' &&
        wire >= BigInt(Number.MIN_SAFE_INTEGER) &&
        wire <= BigInt(Number.MAX_SAFE_INTEGER)
      )
        n = Number(wire);
      else if (typeof wire === 'bigint') throw rangeError(path, min, max, wire);
      else wrongType(path, 'integer', wire);
      if (!Number.isSafeInteger(n)) wrongType(path, 'integer', wire);
      if (n < min || n > max) throw rangeError(path, min, max, n);
      return n;
    },
  };
}

/**
 * A non-negative safe integer, at most `max` (heights, counts, indexes, times in ms): `int(0, max)`,
 * the same wire form as any integer codec.
 */
export function uint(max = Number.MAX_SAFE_INTEGER): Codec<number> {
  return int(0, max);
}

/** An integer in [min, max] carried as a bigint (amounts, voting power, priorities); always 9 bytes on the wire. */
export function bigint(min: bigint = 0n, max: bigint = U64_MAX): Codec<bigint> {
  if (min < I64_MIN || max > U64_MAX)
    throw new InvalidValueError('bigint codec bounds exceed 64 bits', { min, max });
  return {
    kind: 'bigint',
    exact: true,
    describe:
      min === 0n && max === U64_MAX
        ? 'integer ≥ 0 (64-bit)'
        : min === I64_MIN && max === I64_MAX
          ? 'integer (64-bit)'
          : `integer ${min}..${max}`,
    toWire(value, path) {
      if (typeof value !== 'bigint' || value < min || value > max) {
        invalid(path, `expected a bigint in [${min}, ${max}], got ${String(value)}`);
      }
      return value;
    },
    fromWire(wire, path) {
      if (typeof wire !== 'bigint') wrongType(path, '64-bit integer', wire);
      if (wire < min || wire > max) throw rangeError(path, min, max, wire);
      return wire;
    },
  };
}

/** A signed 64-bit bigint. */
export const i64: Codec<bigint> = bigint(I64_MIN, I64_MAX);

function rangeError(
  path: string,
  min: number | bigint,
  max: number | bigint,
  got: number | bigint,
): DecodeError {
  return new DecodeError(
    'DECODE_RANGE',
    `${path}: ${String(got)} is outside [${String(min)}, ${String(max)}]`,
    {
      path,
      min: String(min),
      max: String(max),
      got: String(got),
    },
  );
}

/** A byte string of exactly `length` bytes, or of `min..max` bytes. */
export function bytes(length: number): Codec<Uint8Array>;
export function bytes(bounds: { min?: number; max: number }): Codec<Uint8Array>;
export function bytes(spec: number | { min?: number; max: number }): Codec<Uint8Array> {
  const min = typeof spec === 'number' ? spec : (spec.min ?? 0);
  const max = typeof spec === 'number' ? spec : spec.max;
  const want = min === max ? `${min} bytes` : `${min}..${max} bytes`;
  return {
    kind: 'bytes',
    exact: true,
    describe: want,
    toWire(value, path) {
      if (!(value instanceof Uint8Array)) invalid(path, `expected a Uint8Array, got ${typeName(value)}`);
      if (value.length < min || value.length > max) invalid(path, `expected ${want}, got ${value.length}`);
      return value;
    },
    fromWire(wire, path) {
      if (!(wire instanceof Uint8Array)) wrongType(path, 'bytes', wire);
      if (wire.length < min || wire.length > max) {
        throw new DecodeError('DECODE_LENGTH', `${path}: expected ${want}, got ${wire.length}`, {
          path,
          got: wire.length,
        });
      }
      // A plain Uint8Array (not msgpackr's Buffer), so values compare equal however they were made.
      return wire.constructor === Uint8Array
        ? wire
        : new Uint8Array(wire.buffer, wire.byteOffset, wire.length);
    },
  };
}

/** A UTF-8 string of at most `maxLength` characters, optionally matching `pattern`. */
export function string(maxLength: number, pattern?: RegExp): Codec<string> {
  const check = (value: string): string | undefined => {
    if (value.length > maxLength) return `longer than ${maxLength} characters`;
    if (pattern !== undefined && !pattern.test(value)) return `does not match ${String(pattern)}`;
    return undefined;
  };
  return {
    kind: 'string',
    exact: true,
    describe: `string ≤ ${maxLength} characters`,
    toWire(value, path) {
      if (typeof value !== 'string') invalid(path, `expected a string, got ${typeName(value)}`);
      const problem = check(value);
      if (problem !== undefined) invalid(path, `string ${problem}`);
      return value;
    },
    fromWire(wire, path) {
      if (typeof wire !== 'string') wrongType(path, 'string', wire);
      const problem = check(wire);
      if (problem !== undefined) {
        throw new DecodeError('DECODE_RANGE', `${path}: string ${problem}`, { path });
      }
      return wire;
    },
  };
}

export const bool: Codec<boolean> = {
  kind: 'bool',
  exact: true,
  describe: 'boolean',
  toWire(value, path) {
    if (typeof value !== 'boolean') invalid(path, `expected a boolean, got ${typeName(value)}`);
    return value;
  },
  fromWire(wire, path) {
    if (typeof wire !== 'boolean') wrongType(path, 'boolean', wire);
    return wire;
  },
};

/** One of a fixed set of small integers (enums on the wire). */
export function oneOf<const T extends number>(values: readonly T[]): Codec<T> {
  const allowed = new Set<number>(values);
  const list = values.join(', ');
  return {
    kind: 'oneOf',
    exact: true,
    describe: `one of ${values.join('|')}`,
    toWire(value, path) {
      if (!allowed.has(value)) invalid(path, `expected one of ${list}, got ${String(value)}`);
      return value;
    },
    fromWire(wire, path) {
      if (typeof wire !== 'number') wrongType(path, `one of ${list}`, wire);
      if (!allowed.has(wire)) {
        throw new DecodeError('DECODE_RANGE', `${path}: expected one of ${list}, got ${wire}`, { path });
      }
      return wire as T;
    },
  };
}

/** `null` or a value of `inner` (nil on the wire). */
export function nullable<T>(inner: Codec<T>): Codec<T | null> {
  return {
    kind: 'nullable',
    exact: inner.exact === true,
    describe: `${inner.describe ?? inner.kind} or null`,
    inner: inner as Codec<unknown>,
    toWire(value, path) {
      return value === null ? null : inner.toWire(value, path);
    },
    fromWire(wire, path) {
      return wire === null ? null : inner.fromWire(wire, path);
    },
  };
}

/** A list of at most `maxLength` values of `item`. */
export function list<T>(item: Codec<T>, maxLength: number): Codec<T[]> {
  return {
    kind: 'list',
    exact: item.exact === true,
    describe: `list of ≤ ${maxLength} ${item.describe ?? item.kind}`,
    inner: item as Codec<unknown>,
    toWire(value, path) {
      if (!Array.isArray(value)) invalid(path, `expected an array, got ${typeName(value)}`);
      if (value.length > maxLength) invalid(path, `more than ${maxLength} items (${value.length})`);
      const out = new Array<unknown>(value.length);
      let i = 0;
      try {
        for (; i < value.length; i++) out[i] = item.toWire(value[i] as T, path);
      } catch (error) {
        throw precisely(error, () => item.toWire(value[i] as T, `${path}[${i}]`));
      }
      return out;
    },
    fromWire(wire, path) {
      if (!Array.isArray(wire)) wrongType(path, 'array', wire);
      if (wire.length > maxLength) {
        throw new DecodeError('DECODE_LENGTH', `${path}: more than ${maxLength} items (${wire.length})`, {
          path,
          got: wire.length,
        });
      }
      const out = new Array<T>(wire.length);
      let i = 0;
      try {
        for (; i < wire.length; i++) out[i] = item.fromWire(wire[i], path);
      } catch (error) {
        throw precisely(error, () => item.fromWire(wire[i], `${path}[${i}]`));
      }
      return out;
    },
  };
}

/**
 * A record encoded as a fixed-order array. The field order is the key order of `fields`, which is
 * part of the wire format: never reorder the keys of a published struct.
 */
export function struct<T extends object>(name: string, fields: { [K in keyof T]-?: Codec<T[K]> }): Codec<T> {
  const entries = Object.entries(fields) as [keyof T & string, Codec<unknown>][];
  return {
    kind: 'struct',
    exact: entries.every(([, codec]) => codec.exact === true),
    describe: name,
    fields: fields as Record<string, Codec<unknown>>,
    toWire(value, path) {
      if (typeof value !== 'object' || value === null) invalid(path || name, `expected a ${name} object`);
      const base = path || name;
      const out = new Array<unknown>(entries.length);
      let i = 0;
      try {
        for (; i < entries.length; i++) {
          const [key, codec] = entries[i] as [string, Codec<unknown>];
          out[i] = codec.toWire((value as Record<string, unknown>)[key], base);
        }
      } catch (error) {
        const [key, codec] = entries[i] as [string, Codec<unknown>];
        throw precisely(error, () => codec.toWire((value as Record<string, unknown>)[key], `${base}.${key}`));
      }
      return out;
    },
    fromWire(wire, path) {
      const base = path || name;
      if (!Array.isArray(wire)) wrongType(base, `${name} (array of ${entries.length})`, wire);
      if (wire.length !== entries.length) {
        throw new DecodeError(
          'DECODE_LENGTH',
          `${base}: ${name} has ${entries.length} fields, got ${wire.length}`,
          { path: base, got: wire.length },
        );
      }
      const out: Record<string, unknown> = {};
      let i = 0;
      try {
        for (; i < entries.length; i++) {
          const [key, codec] = entries[i] as [string, Codec<unknown>];
          out[key] = codec.fromWire(wire[i], base);
        }
      } catch (error) {
        const [key, codec] = entries[i] as [string, Codec<unknown>];
        throw precisely(error, () => codec.fromWire(wire[i], `${base}.${key}`));
      }
      return out as T;
    },
  };
}

/**
 * `inner` plus a rule across fields (`check` returns a problem or `undefined`). The rule holds both
 * ways: an encoder refuses a value that breaks it, a decoder refuses bytes that decode to one.
 */
export function refine<T>(inner: Codec<T>, check: (value: T) => string | undefined): Codec<T> {
  return {
    kind: inner.kind,
    exact: inner.exact === true,
    ...(inner.describe === undefined ? {} : { describe: inner.describe }),
    ...(inner.fields === undefined ? {} : { fields: inner.fields }),
    ...(inner.inner === undefined ? {} : { inner: inner.inner }),
    toWire(value, path) {
      const wire = inner.toWire(value, path);
      const problem = check(value);
      if (problem !== undefined) invalid(path || inner.kind, problem);
      return wire;
    },
    fromWire(wire, path) {
      const value = inner.fromWire(wire, path);
      const problem = check(value);
      if (problem !== undefined) {
        throw new DecodeError('DECODE_RANGE', `${path || inner.kind}: ${problem}`, { path });
      }
      return value;
    },
  };
}

/**
 * A tagged union encoded as `[tag, value]`; `variants` maps each tag (a small integer, part of the
 * wire format) to the kind name and codec of its value.
 */
export function union<T extends { kind: string }>(
  name: string,
  variants: { [K in T['kind']]: [tag: number, codec: Codec<Extract<T, { kind: K }>>] },
): Codec<T> {
  const byKind = new Map<string, [number, Codec<unknown>]>();
  const byTag = new Map<number, Codec<unknown>>();
  let exact = true;
  for (const [kind, [tag, codec]] of Object.entries(variants) as [string, [number, Codec<unknown>]][]) {
    if (byTag.has(tag) || codec.exact !== true) exact = false;
    byKind.set(kind, [tag, codec]);
    byTag.set(tag, codec);
  }
  return {
    kind: 'union',
    exact,
    describe: `${name} (${Object.keys(variants).join('|')})`,
    toWire(value, path) {
      const base = path || name;
      const variant = byKind.get((value as { kind?: unknown })?.kind as string);
      if (variant === undefined)
        invalid(base, `unknown ${name} kind ${String((value as { kind?: unknown })?.kind)}`);
      return [variant[0], variant[1].toWire(value, `${base}<${value.kind}>`)];
    },
    fromWire(wire, path) {
      const base = path || name;
      if (!Array.isArray(wire) || wire.length !== 2) wrongType(base, `${name} ([tag, value])`, wire);
      const codec = typeof wire[0] === 'number' ? byTag.get(wire[0]) : undefined;
      if (codec === undefined) {
        throw new DecodeError('DECODE_RANGE', `${base}: unknown ${name} tag ${String(wire[0])}`, {
          path: base,
        });
      }
      return codec.fromWire(wire[1], base) as T;
    },
  };
}

/** A constant string field (the `kind` of a union variant); not written on the wire by `tagged`. */
export function tagged<T extends { kind: string }>(kind: T['kind'], inner: Codec<Omit<T, 'kind'>>): Codec<T> {
  return {
    kind: 'tagged',
    exact: inner.exact === true,
    ...(inner.describe === undefined ? {} : { describe: inner.describe }),
    ...(inner.fields === undefined ? {} : { fields: inner.fields }),
    toWire(value, path) {
      const { kind: _kind, ...rest } = value;
      return inner.toWire(rest as Omit<T, 'kind'>, path);
    },
    fromWire(wire, path) {
      return { kind, ...inner.fromWire(wire, path) } as T;
    },
  };
}
