/**
 * Counters of the network layer, for the node's metrics endpoint. Plain numbers that only grow
 * (except `peers`): read them with `snapshot()`.
 */
export class P2pCounters {
  /** Frames received, per protocol name. */
  readonly framesIn = new Map<string, number>();
  /** Frames written, per protocol name. */
  readonly framesOut = new Map<string, number>();
  /** Writes to a stream (each carries one or more frames), per protocol name. */
  readonly writesOut = new Map<string, number>();
  /** Bytes received (frame payloads), per protocol name. */
  readonly bytesIn = new Map<string, number>();
  /** Bytes written (frame payloads), per protocol name. */
  readonly bytesOut = new Map<string, number>();
  /** Frames dropped, per reason (`duplicate`, `rate-limited`, `queue-full`, `malformed`, …). */
  readonly dropped = new Map<string, number>();
  /** Score penalties given, per reason. */
  readonly penalties = new Map<string, number>();
  /** Messages relayed further (consensus and transactions). */
  relayed = 0;
  /** Of `relayed`, the transactions. */
  txsRelayed = 0;
  /** Relays not sent because the peer's neighbour already sent the message to it. */
  relaysSkipped = 0;
  /** Peers disconnected and banned for their score. */
  bans = 0;
  /** Blocks applied by block sync. */
  syncedBlocks = 0;

  add(map: Map<string, number>, key: string, amount = 1): void {
    map.set(key, (map.get(key) ?? 0) + amount);
  }

  /** A plain-object copy, e.g. for JSON or a Prometheus exporter. */
  snapshot(): P2pCounterSnapshot {
    const o = (m: Map<string, number>) => Object.fromEntries(m);
    return {
      framesIn: o(this.framesIn),
      framesOut: o(this.framesOut),
      writesOut: o(this.writesOut),
      bytesIn: o(this.bytesIn),
      bytesOut: o(this.bytesOut),
      dropped: o(this.dropped),
      penalties: o(this.penalties),
      relayed: this.relayed,
      txsRelayed: this.txsRelayed,
      relaysSkipped: this.relaysSkipped,
      bans: this.bans,
      syncedBlocks: this.syncedBlocks,
    };
  }

  /** Total payload bytes in and out over every protocol. */
  totalBytes(): { in: number; out: number } {
    let i = 0;
    let o = 0;
    for (const v of this.bytesIn.values()) i += v;
    for (const v of this.bytesOut.values()) o += v;
    return { in: i, out: o };
  }
}

export interface P2pCounterSnapshot {
  readonly framesIn: Record<string, number>;
  readonly framesOut: Record<string, number>;
  readonly writesOut: Record<string, number>;
  readonly bytesIn: Record<string, number>;
  readonly bytesOut: Record<string, number>;
  readonly dropped: Record<string, number>;
  readonly penalties: Record<string, number>;
  readonly relayed: number;
  readonly txsRelayed: number;
  readonly relaysSkipped: number;
  readonly bans: number;
  readonly syncedBlocks: number;
}
