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
