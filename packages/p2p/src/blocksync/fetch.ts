import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { blockSyncProtocol, maxBlockSyncFrameBytes } from '../constants.js';
import type { P2pHost } from '../host/host.js';
import { varintLength } from '../host/length-prefix.js';
import {
  decodeSyncEntry,
  decodeSyncStatus,
  encodeSyncRequest,
  type SyncEntry,
  type SyncStatus,
} from './messages.js';

/** A peer's answer to a block-sync request. */
export interface SyncResponse {
  readonly status: SyncStatus;
  readonly entries: readonly SyncEntry[];
}

/**
 * Asks `peer` for up to `count` blocks from height `from` (0: only its status). Every frame is
 * decoded strictly; the caller verifies the blocks. Rejects on timeout (through `signal`), on a
 * malformed frame (`DecodeError`) or when the peer is unreachable.
 */
export async function requestBlocks(
  host: P2pHost,
  peer: string,
  from: number,
  count: number,
  signal: AbortSignal,
): Promise<SyncResponse> {
  const stream = await host.libp2p.dialProtocol(peerIdFromString(peer), blockSyncProtocol, { signal });
  const lp = lpStream(stream, {
    maxDataLength: maxBlockSyncFrameBytes,
    maxBufferSize: maxBlockSyncFrameBytes + 16,
    // A length prefix that never ends is an error, not read on a byte at a time.
    lengthDecoder: varintLength,
  });
  try {
    await lp.write(encodeSyncRequest({ from, count }), { signal });
    const status = decodeSyncStatus((await lp.read({ signal })).subarray());
    const entries: SyncEntry[] = [];
    let bytes = 0;
    while (entries.length < count) {
      let frame: Uint8Array;
      try {
        frame = (await lp.read({ signal })).subarray();
      } catch (error) {
        if (signal.aborted) throw error;
        break; // the server closed its side: that is all it has
      }
      bytes += frame.length;
      entries.push(decodeSyncEntry(frame));
    }
    host.counters.add(host.counters.bytesIn, 'blocksync', bytes);
    await stream.close({ signal }).catch(() => {});
    return { status, entries };
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}
