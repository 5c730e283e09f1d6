/**
 * Node's `crypto` where the runtime has it, else `undefined` (a browser): asked of
 * `process.getBuiltinModule` rather than imported, so that the codec, hashing and signature
 * modules load in a browser too and fall back to @noble there. The verdicts never depend on it:
 * the native paths are speed-ups that noble checks (see `hash.ts`, `ed25519.ts`).
 */
export const nodeCrypto: typeof import('node:crypto') | undefined = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined;

/** Whether Node's `Buffer` exists (the faster hex and latin1 conversions use it). */
export const hasBuffer: boolean = typeof globalThis.Buffer === 'function';

/**
 * `Buffer.prototype.latin1Slice` where the runtime has it: the latin1 string of bytes `start`
 * to `end` of any `Uint8Array`, made in one native call with nothing allocated but the string.
 * `latin1` takes it for runs longer than `shortLatin1Bytes` only: an array of 64 bytes or less is
 * kept by V8 on its own heap, and the native call on a fresh one (a state key, a hash about to be
 * a map key) cost ~1.0–1.4 µs against ~0.2–0.4 µs for the same string made in JavaScript.
 */
const latin1Slice = checkedLatin1Slice(
  (globalThis as { Buffer?: { prototype?: { latin1Slice?: unknown } } }).Buffer?.prototype?.latin1Slice,
);

/**
 * `slice` if it is the latin1 slice Joule relies on — on a view with an offset, bytes 0x00, 0xff
 * and 0x80 give those three code points — else `undefined`, and `latin1` takes the portable path:
 * a runtime whose `Buffer` only imitates Node's (a polyfill, another runtime) must not change a
 * map key or a decoded string, on which consensus depends.
 */
export function checkedLatin1Slice(slice: unknown): ((start: number, end: number) => string) | undefined {
  if (typeof slice !== 'function') return undefined;
  try {
    const probe = new Uint8Array([0x41, 0x00, 0xff, 0x80, 0x42]).subarray(1, 4);
    return slice.call(probe, 0, probe.length) === '\u0000\u00ff\u0080'
      ? (slice as (start: number, end: number) => string)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Longest run `latin1` turns into a string in JavaScript even where `latin1Slice` exists: V8's
 * largest typed array kept on its own heap (`typed_array_max_size_in_heap`, 64 bytes). Above it an
 * array's bytes are off V8's heap and the native slice is the cheaper way.
 */
export const shortLatin1Bytes = 64;

/** Longest run of bytes `latin1` hands to `String.fromCharCode.apply` at once, without `Buffer`. */
const charCodeChunk = 4096;

const fromCharCode = String.fromCharCode;

/**
 * Bytes `start` to `end` of `bytes` as a string of one char per byte (code points 0–255): a
 * lossless map key for byte strings, and the string an ASCII text decodes to.
 */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start <= shortLatin1Bytes) return shortLatin1(bytes, start, end);
  if (latin1Slice !== undefined) return latin1Slice.call(bytes, start, end);
  let out = '';
  for (let i = start; i < end; i += charCodeChunk)
    out += fromCharCode.apply(
      null,
      bytes.subarray(i, Math.min(end, i + charCodeChunk)) as unknown as number[],
    );
  return out;
}

/** `latin1` of a short run: eight bytes a `String.fromCharCode` call, no argument list, no native call. */
function shortLatin1(b: Uint8Array, start: number, end: number): string {
  let out = '';
  let i = start;
  for (; i + 8 <= end; i += 8)
    out += fromCharCode(
      b[i] as number,
      b[i + 1] as number,
      b[i + 2] as number,
      b[i + 3] as number,
      b[i + 4] as number,
      b[i + 5] as number,
      b[i + 6] as number,
      b[i + 7] as number,
    );
  for (; i < end; i++) out += fromCharCode(b[i] as number);
  return out;
}
