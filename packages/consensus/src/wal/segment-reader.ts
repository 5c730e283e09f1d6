import type { FileHandle } from 'node:fs/promises';
import { WalError } from './errors.js';
import { checkPayload, frameHeaderBytes, parseHeader, type RecordType } from './frame.js';
import { walReadChunkBytes } from './limits.js';

/** One step of reading a segment: a valid record, the clean end, or the offset where parsing stopped. */
export type SegmentEntry =
  | {
      readonly kind: 'record';
      readonly offset: number;
      readonly end: number;
      readonly type: RecordType;
      /** Height of a marker (0 for data). */
      readonly height: number;
      /** A view into the reader's buffer, valid until the next call: copy it to keep it. */
      readonly payload: Uint8Array;
    }
  | { readonly kind: 'end'; readonly offset: number }
  | { readonly kind: 'bad'; readonly offset: number; readonly reason: string };

/**
 * Reads the frames of one segment in order through a fixed buffer, so that opening or replaying a
 * large log costs a few hundred reads and `walReadChunkBytes` of memory, not a syscall per record
 * or a copy of the whole file. Only a record larger than the buffer gets its own allocation
 * (bounded by `maxWalRecordBytes`, which the header check enforces before any allocation).
 */
export class SegmentReader {
  private buffer = new Uint8Array(walReadChunkBytes);
  private bufferStart = 0;
  private bufferLength = 0;
  private offset = 0;
  private last: SegmentEntry | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly fileSize: number,
  ) {}

  /** The next entry; after an `end` or `bad` entry, the same entry again. */
  async next(): Promise<SegmentEntry> {
    if (this.last !== undefined) return this.last;
    const offset = this.offset;
    if (offset === this.fileSize) {
      this.last = { kind: 'end', offset };
      return this.last;
    }
    const remaining = this.fileSize - offset;
    if (remaining < frameHeaderBytes) return this.stop(offset, `incomplete header (${remaining} bytes)`);
    const header = (await this.view(offset, frameHeaderBytes)).slice();
    const parsed = parseHeader(header, remaining - frameHeaderBytes);
    if (!parsed.ok) return this.stop(offset, parsed.reason);
    const payload = await this.view(offset + frameHeaderBytes, parsed.length);
    const checked = checkPayload(header, parsed.crc, parsed.type, payload);
    if (!checked.ok) return this.stop(offset, checked.reason);
    const end = offset + frameHeaderBytes + parsed.length;
    this.offset = end;
    return { kind: 'record', offset, end, type: parsed.type, height: checked.height, payload };
  }

  private stop(offset: number, reason: string): SegmentEntry {
    this.last = { kind: 'bad', offset, reason };
    return this.last;
  }

  /** `length` bytes at `position` (all inside the file, as the header check guarantees). */
  private async view(position: number, length: number): Promise<Uint8Array> {
    const start = position - this.bufferStart;
    if (start >= 0 && start + length <= this.bufferLength) {
      return this.buffer.subarray(start, start + length);
    }
    if (length > this.buffer.length) {
      const big = new Uint8Array(length);
      await this.readFully(big, position);
      return big;
    }
    const size = Math.min(this.buffer.length, this.fileSize - position);
    await this.readFully(this.buffer.subarray(0, size), position);
    this.bufferStart = position;
    this.bufferLength = size;
    return this.buffer.subarray(0, length);
  }

  private async readFully(target: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < target.length) {
      const { bytesRead } = await this.handle.read(target, done, target.length - done, position + done);
      if (bytesRead === 0)
        throw new WalError('WAL_IO', `unexpected end of file at ${position + done}`, {
          offset: position + done,
        });
      done += bytesRead;
    }
  }
}
