import { crc32 } from './crc32.js';
import { maxWalRecordBytes } from './limits.js';

/**
 * The record framing of a WAL segment. A segment is a plain sequence of frames:
 *
 *   u32 BE payload length | u32 BE CRC-32 | u8 type | payload
 *
 * The CRC-32 (zlib's, as gzip) covers the length bytes, the type byte and the payload, so a bit
 * flip anywhere in a frame, or a zero-filled tail left by a crash, fails the check. Type 1 is an
 * opaque data record; type 2 marks the start of a height and carries it as a u64 BE. Any other
 * type is refused: a future format gets a new type byte, never a new meaning for an old one.
 */
export const RecordType = { Data: 1, Height: 2 } as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** Bytes before the payload: length, CRC, type. */
export const frameHeaderBytes = 9;
/** Payload of a height marker: the height as a u64. */
export const heightPayloadBytes = 8;

/** One frame, header and payload, ready to be written. */
export function encodeFrame(type: RecordType, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(frameHeaderBytes + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, payload.length);
  frame[8] = type;
  frame.set(payload, frameHeaderBytes);
  view.setUint32(4, frameCrc(frame.subarray(0, 4), type, payload));
  return frame;
}

/** The frame of a height marker. */
export function encodeHeightFrame(height: number): Uint8Array {
  const payload = new Uint8Array(heightPayloadBytes);
  new DataView(payload.buffer).setBigUint64(0, BigInt(height));
  return encodeFrame(RecordType.Height, payload);
}

/** What a frame header says, or why it cannot start a valid frame. */
export type HeaderCheck = { ok: true; length: number; crc: number; type: RecordType } | BadFrame;
export interface BadFrame {
  readonly ok: false;
  readonly reason: string;
}

/** Checks a 9-byte header against the bytes that remain in the file after it. */
export function parseHeader(header: Uint8Array, bytesAfterHeader: number): HeaderCheck {
  const view = new DataView(header.buffer, header.byteOffset, frameHeaderBytes);
  const length = view.getUint32(0);
  const crc = view.getUint32(4);
  const type = header[8];
  if (length > maxWalRecordBytes) {
    return { ok: false, reason: `record length ${length} exceeds maxWalRecordBytes (${maxWalRecordBytes})` };
  }
  if (length > bytesAfterHeader) {
    return { ok: false, reason: `record length ${length} runs past the end of the file` };
  }
  if (type !== RecordType.Data && type !== RecordType.Height) {
    return { ok: false, reason: `unknown record type ${String(type)}` };
  }
  return { ok: true, length, crc, type };
}

/** Checks a payload against its header; returns the height of a marker, or why the frame is bad. */
export function checkPayload(
  header: Uint8Array,
  expectedCrc: number,
  type: RecordType,
  payload: Uint8Array,
): { ok: true; height: number } | BadFrame {
  if (frameCrc(header.subarray(0, 4), type, payload) !== expectedCrc) {
    return { ok: false, reason: 'CRC mismatch' };
  }
  if (type !== RecordType.Height) return { ok: true, height: 0 };
  if (payload.length !== heightPayloadBytes) {
    return { ok: false, reason: `height marker of ${payload.length} bytes` };
  }
  const height = new DataView(payload.buffer, payload.byteOffset, heightPayloadBytes).getBigUint64(0);
  if (height < 1n || height > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, reason: `height marker ${height} out of range` };
  }
  return { ok: true, height: Number(height) };
}

function frameCrc(lengthBytes: Uint8Array, type: number, payload: Uint8Array): number {
  let crc = crc32(lengthBytes);
  crc = crc32(new Uint8Array([type]), crc);
  return crc32(payload, crc);
}
