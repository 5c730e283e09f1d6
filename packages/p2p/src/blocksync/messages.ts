import {
  type Block,
  blockCodec,
  type Codec,
  type Commit,
  commitCodec,
  decode,
  encode,
  int,
  struct,
} from '@joule/consensus';
import { maxBlockSyncFrameBytes, maxBlockSyncRequestBytes, maxSyncResponseBlocks } from '../constants.js';

/**
 * The block-sync protocol, one request and its response per stream:
 *
 *   client → server: Request { from, count }            (count 0: only the status)
 *   server → client: Status { base, height }            (what the server stores)
 *   server → client: Entry { block, commit }  × n        (heights from, from+1, …; n ≤ count)
 *   server closes its side.
 *
 * Every frame is length-prefixed and encoded canonically; the client decodes strictly and
 * verifies every entry against the validators it trusts before it applies anything.
 */
export interface SyncRequest {
  readonly from: number;
  readonly count: number;
}

export interface SyncStatus {
  readonly base: number;
  readonly height: number;
}

export interface SyncEntry {
  readonly block: Block;
  readonly commit: Commit;
}

export const syncRequestCodec: Codec<SyncRequest> = struct<SyncRequest>('SyncRequest', {
  from: int(0),
  count: int(0, maxSyncResponseBlocks),
});

export const syncStatusCodec: Codec<SyncStatus> = struct<SyncStatus>('SyncStatus', {
  base: int(0),
  height: int(0),
});

export const syncEntryCodec: Codec<SyncEntry> = struct<SyncEntry>('SyncEntry', {
  block: blockCodec,
  commit: commitCodec,
});

export const encodeSyncRequest = (r: SyncRequest): Uint8Array => encode(syncRequestCodec, r);
export const decodeSyncRequest = (b: Uint8Array): SyncRequest =>
  decode(syncRequestCodec, b, { maxBytes: maxBlockSyncRequestBytes });
export const encodeSyncStatus = (s: SyncStatus): Uint8Array => encode(syncStatusCodec, s);
export const decodeSyncStatus = (b: Uint8Array): SyncStatus =>
  decode(syncStatusCodec, b, { maxBytes: maxBlockSyncRequestBytes });
export const encodeSyncEntry = (e: SyncEntry): Uint8Array => encode(syncEntryCodec, e);
export const decodeSyncEntry = (b: Uint8Array): SyncEntry =>
  decode(syncEntryCodec, b, { maxBytes: maxBlockSyncFrameBytes });
