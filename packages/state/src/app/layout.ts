/**
 * Where a module's state lives in the application store: the one definition of the layout, used by
 * the framework's module-scoped state and by clients that prove keys (it needs nothing of Node, so
 * `@joule/state/proof` re-exports it for a browser).
 *
 * A module's keys start with its **store prefix**, the length of its name in one byte and the name
 * (`0x04 "bank"`), so that no module's keys are a prefix of another's (`bank` and `bankx` differ in
 * the first byte). A `Table` adds its name and a `/`, then the key bytes:
 * `0x04 "bank" "b/" <address><denom>`.
 */

const utf8 = new TextEncoder();

/** The longest module name a store prefix can carry (its length is one byte). */
export const maxStorePrefixNameBytes = 255;

/** `len(name) ‖ name`: the first bytes of every key of module `module`. */
export function moduleStorePrefix(module: string): Uint8Array {
  const name = textKey(module);
  if (name.length === 0 || name.length > maxStorePrefixNameBytes)
    throw new RangeError(`a module name is 1..${maxStorePrefixNameBytes} bytes`);
  const out = new Uint8Array(1 + name.length);
  out[0] = name.length;
  out.set(name, 1);
  return out;
}

/** `<table>/`: the start of a table's keys inside its module's store. */
export function tableStorePrefix(table: string): Uint8Array {
  return textKey(`${table}/`);
}

/** The full application key of `key` in table `table` of module `module`. */
export function moduleTableKey(
  module: string,
  table: string,
  key: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const m = moduleStorePrefix(module);
  const t = tableStorePrefix(table);
  const out = new Uint8Array(m.length + t.length + key.length);
  out.set(m);
  out.set(t, m.length);
  out.set(key, m.length + t.length);
  return out;
}

/** The module a message type or query path belongs to: `bank` of `bank/send` and of `/bank/balance`. */
export function moduleOf(typeOrPath: string): string {
  const at = typeOrPath.startsWith('/') ? 1 : 0;
  const slash = typeOrPath.indexOf('/', at);
  return typeOrPath.slice(at, slash < 0 ? undefined : slash);
}

/**
 * Strings up to this many characters are tried as ASCII by `textKey`, one char code at a time,
 * before `TextEncoder` (whose call costs more than the loop for a denomination or a meter id).
 */
const asciiKeyChars = 64;

/**
 * Table keys from strings (UTF-8). A short ASCII string — a denomination, a meter id, a parameter
 * name: the keys a transaction reads and writes — is copied char by char; anything else (longer,
 * or with a character past U+007F) goes through `TextEncoder`. The bytes are the same either way.
 */
export function textKey(text: string): Uint8Array {
  const n = text.length;
  if (n > asciiKeyChars) return utf8.encode(text);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return utf8.encode(text);
    out[i] = c;
  }
  return out;
}
