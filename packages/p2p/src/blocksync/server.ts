import { type ChainStore, DecodeError } from '@joule/consensus';
import type { Connection, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import {
  blockSyncBurstRequests,
  blockSyncProtocol,
  blockSyncRequestsPerSecond,
  maxBlockSyncRequestBytes,
  maxBlockSyncStreamsPerConnection,
  maxSyncResponseBytes,
  penalties,
  syncRequestTimeoutMs,
} from '../constants.js';
import type { P2pHost } from '../host/host.js';
import { varintLength } from '../host/length-prefix.js';
import { TokenBucket } from '../peers/token-bucket.js';
import { decodeSyncRequest, encodeSyncEntry, encodeSyncStatus } from './messages.js';

/** What the server reads: committed blocks and the commits that decided them. */
export type BlockSource = Pick<ChainStore, 'height' | 'base' | 'loadBlock' | 'loadCommit'>;

/**
 * Serves committed blocks with their commits to peers that are behind (see `messages.ts`). Each
 * request is rate-limited per peer, answered within `syncRequestTimeoutMs`, and bounded to
 * `maxSyncResponseBlocks` blocks and `maxSyncResponseBytes` bytes.
 */
export class BlockSyncServer {
  readonly #host: P2pHost;
  readonly #store: BlockSource;
  readonly #buckets = new Map<string, TokenBucket>();
  #abort = new AbortController();
  #running = false;

  constructor(deps: { readonly host: P2pHost; readonly store: BlockSource }) {
    this.#host = deps.host;
    this.#store = deps.store;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    await this.#host.libp2p.handle(blockSyncProtocol, (s, c) => this.#serve(s, c), {
      maxInboundStreams: maxBlockSyncStreamsPerConnection,
      maxOutboundStreams: maxBlockSyncStreamsPerConnection,
    });
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#abort.abort();
    this.#buckets.clear();
    await this.#host.libp2p.unhandle(blockSyncProtocol).catch(() => {});
  }

  async #serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    const host = this.#host;
    if (!this.#running || host.isBanned(peer) || !this.#bucket(peer).take()) {
      if (this.#running && !host.isBanned(peer))
        host.scores.penalize(peer, penalties.rateLimited, 'rate-limited');
      stream.abort(new Error('refused'));
      return;
    }
    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(syncRequestTimeoutMs)]);
    // varintLength: a length prefix that never ends is an error, not read on a byte at a time.
    const lp = lpStream(stream, { maxDataLength: maxBlockSyncRequestBytes, lengthDecoder: varintLength });
    try {
      const request = decodeSyncRequest((await lp.read({ signal })).subarray());
      const store = this.#store;
      const height = store.height();
      const base = store.base();
      await lp.write(encodeSyncStatus({ base, height }), { signal });
      let bytes = 0;
      let sent = 0;
      const from = request.from;
      for (let h = from; h < from + request.count && h <= height && h >= base; h++) {
        const [block, commit] = await Promise.all([store.loadBlock(h), store.loadCommit(h)]);
        if (block === null || commit === null) break;
        const frame = encodeSyncEntry({ block, commit });
        if (sent > 0 && bytes + frame.length > maxSyncResponseBytes) break;
        await lp.write(frame, { signal });
        bytes += frame.length;
        sent++;
      }
      host.counters.add(host.counters.bytesOut, 'blocksync', bytes);
      await stream.close({ signal });
    } catch (error) {
      if (error instanceof DecodeError) host.scores.penalize(peer, penalties.malformed, 'malformed');
      stream.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #bucket(peer: string): TokenBucket {
    let bucket = this.#buckets.get(peer);
    if (bucket === undefined) {
      bucket = new TokenBucket(blockSyncRequestsPerSecond, blockSyncBurstRequests, this.#host.now);
      if (this.#buckets.size >= 1_024) this.#buckets.clear();
      this.#buckets.set(peer, bucket);
    }
    return bucket;
  }
}
