/**
 * The consensus write-ahead log: every message and timeout the engine processed, in order, so a
 * restarted validator resumes the current height exactly where it was. Records are opaque bytes to
 * the log (the driver encodes them). `append` with `sync` resolves only when the record is durable.
 */
export interface Wal {
  /** Appends a record; with `sync`, fsyncs before resolving (own messages are written this way). */
  append(record: Uint8Array, options?: { sync?: boolean }): Promise<void>;
  /**
   * Marks the start of `height`; older heights may then be rotated away. Like an unsynced append,
   * the marker is durable once a synced append follows it.
   */
  startHeight(height: number): Promise<void>;
  /** The records written after the marker of `height`, in order ([] when there is no such marker). */
  replay(height: number): Promise<Uint8Array[]>;
  close(): Promise<void>;
}
