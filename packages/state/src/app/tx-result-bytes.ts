import { encode, maxBlockTxs } from '@joule/consensus';
import { isUint32, uintBytes, writeUint } from '@joule/consensus/core';
import {
  maxCodespaceLength,
  maxEventAttributeLength,
  maxEventAttributes,
  maxEventsPerTx,
  maxEventTypeLength,
  maxLogLength,
  maxTxResultDataBytes,
} from '../constants.js';
import type { AppEvent } from './abci.js';
import { type StoredTxResult, storedTxResultCodec } from './results.js';

/**
 * `encode(storedTxResultCodec, stored)`: the bytes every node indexes a transaction's result under.
 * A block writes one per transaction, and the usual result — integers within 32 bits, ASCII
 * strings (event types, keys and values, codespaces, logs), less than 64 KiB of data — is written
 * here directly as the codec's canonical msgpack (arrays in field order, integers and headers in
 * their shortest forms), sized first and written once, without the codec's intermediate arrays
 * and copy. Anything else, invalid values included, goes through the codec, which gives the same
 * bytes or the same error.
 */
export function storedTxResultBytes(stored: StoredTxResult): Uint8Array {
  const size = directStoredTxResultSize(stored);
  if (size < 0) return encode(storedTxResultCodec, stored);
  const out = new Uint8Array(size);
  writeStoredTxResult(out, stored);
  return out;
}

/** Writes `stored` into `out`, whose length is `directStoredTxResultSize(stored)` (≥ 0). */
export function writeStoredTxResult(out: Uint8Array, stored: StoredTxResult): void {
  const { result } = stored;
  out[0] = 0x93;
  let at = writeUint(out, 1, stored.height);
  at = writeUint(out, at, stored.index);
  out[at++] = 0x97;
  at = writeUint(out, at, result.code);
  at = writeAscii(out, at, result.codespace);
  at = writeAscii(out, at, result.log);
  const { data } = result;
  if (data.length < 0x100) {
    out[at++] = 0xc4;
    out[at++] = data.length;
  } else {
    out[at++] = 0xc5;
    out[at++] = data.length >>> 8;
    out[at++] = data.length & 0xff;
  }
  out.set(data, at);
  at = writeUint(out, at + data.length, result.gasWanted);
  at = writeUint(out, at, result.gasUsed);
  at = writeArrayHeader(out, at, result.events.length);
  for (const event of result.events) {
    out[at++] = 0x92;
    at = writeAscii(out, at, event.type);
    at = writeArrayHeader(out, at, event.attributes.length);
    for (const { key, value } of event.attributes) {
      out[at++] = 0x92;
      at = writeAscii(out, at, key);
      at = writeAscii(out, at, value);
    }
  }
}

/**
 * The size of `storedTxResultBytes(stored)` when it is written directly (`writeStoredTxResult`):
 * every check the codec makes passes and the values fit the direct path; else -1 (only the codec
 * encodes it).
 */
export function directStoredTxResultSize(stored: StoredTxResult): number {
  if (typeof stored !== 'object' || stored === null) return -1;
  const { result } = stored;
  if (typeof result !== 'object' || result === null) return -1;
  const { height, index } = stored;
  const { code, codespace, log, data, gasWanted, gasUsed, events } = result;
  if (!(isUint32(height) && height >= 1 && isUint32(index) && index <= maxBlockTxs)) return -1;
  if (!(isUint32(code) && isUint32(gasWanted) && isUint32(gasUsed))) return -1;
  if (!(data instanceof Uint8Array && data.length < 0x1_0000 && data.length <= maxTxResultDataBytes))
    return -1;
  if (!Array.isArray(events) || events.length > maxEventsPerTx) return -1;
  const codespaceBytes = asciiBytes(codespace, maxCodespaceLength);
  const logBytes = asciiBytes(log, maxLogLength);
  if (codespaceBytes < 0 || logBytes < 0) return -1;
  let size =
    2 +
    uintBytes(height) +
    uintBytes(index) +
    uintBytes(code) +
    codespaceBytes +
    logBytes +
    (data.length < 0x100 ? 2 : 3) +
    data.length +
    uintBytes(gasWanted) +
    uintBytes(gasUsed) +
    arrayHeaderBytes(events.length);
  for (const event of events as readonly AppEvent[]) {
    if (typeof event !== 'object' || event === null) return -1;
    const { type, attributes } = event;
    const typeBytes = asciiBytes(type, maxEventTypeLength);
    if (typeBytes < 0 || !Array.isArray(attributes) || attributes.length > maxEventAttributes) return -1;
    size += 1 + typeBytes + arrayHeaderBytes(attributes.length);
    for (const attribute of attributes) {
      if (typeof attribute !== 'object' || attribute === null) return -1;
      const keyBytes = asciiBytes(attribute.key, maxEventAttributeLength);
      const valueBytes = asciiBytes(attribute.value, maxEventAttributeLength);
      if (keyBytes < 0 || valueBytes < 0) return -1;
      size += 1 + keyBytes + valueBytes;
    }
  }
  return size;
}

function arrayHeaderBytes(length: number): number {
  return length < 0x10 ? 1 : 3;
}

/** Header and bytes of `text` as a msgpack string if it is ASCII and at most `max` characters, else -1. */
function asciiBytes(text: unknown, max: number): number {
  if (typeof text !== 'string' || text.length > max || text.length >= 0x1_0000) return -1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return -1;
  return (text.length < 0x20 ? 1 : text.length < 0x100 ? 2 : 3) + text.length;
}

/** Writes an array header of `length` (< 2^16) items. */
function writeArrayHeader(out: Uint8Array, at: number, length: number): number {
  if (length < 0x10) {
    out[at] = 0x90 | length;
    return at + 1;
  }
  out[at] = 0xdc;
  out[at + 1] = length >>> 8;
  out[at + 2] = length & 0xff;
  return at + 3;
}

/** Writes ASCII `text` (checked by `asciiBytes`) as a msgpack string. */
function writeAscii(out: Uint8Array, at: number, text: string): number {
  const n = text.length;
  if (n < 0x20) out[at++] = 0xa0 | n;
  else if (n < 0x100) {
    out[at++] = 0xd9;
    out[at++] = n;
  } else {
    out[at++] = 0xda;
    out[at++] = n >>> 8;
    out[at++] = n & 0xff;
  }
  for (let i = 0; i < n; i++) out[at++] = text.charCodeAt(i);
  return at;
}
