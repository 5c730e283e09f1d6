/**
 * Limits of the consensus WAL, each named with its unit. They live here until the lead moves them
 * into the package's `constants.ts`.
 */
import { maxMsgBytes } from '../constants.js';

/**
 * Room the driver may add around a consensus message in one WAL record (a record kind, the peer
 * it came from, the local time): far more than it needs, far less than a message.
 */
export const walRecordEnvelopeBytes = 64 * 1024;
/**
 * Largest payload of one WAL record: the largest consensus message plus its envelope. `append`
 * refuses a larger record, and a frame on disk that claims more is treated as corruption, so a
 * flipped length bit can never make the reader allocate gigabytes.
 */
export const maxWalRecordBytes = maxMsgBytes + walRecordEnvelopeBytes;
/**
 * Default size at which `startHeight` rotates to a new segment. A segment may grow past it by the
 * records of one height, because the log only rotates at a height marker.
 */
export const defaultWalMaxSegmentBytes = 8 * 1024 * 1024;
/**
 * Default number of segments kept. With the defaults the log stays near 4 × 8 MiB plus the
 * records of the current height: bounded, and small enough for an eMMC card on a 1 GB board.
 */
export const defaultWalMaxSegments = 4;
/** Size of the chunks the segment reader reads a file in, in bytes. */
export const walReadChunkBytes = 256 * 1024;
/** Default number of heights a `MemoryWal` keeps (the simulator runs for many heights). */
export const defaultMemoryWalRetainedHeights = 4;
/**
 * Most bytes of queued appends written with one `write` call: appends that pile up while a write
 * or an fsync is in flight go to disk together (and share one fsync), in chunks of this size.
 */
export const walWriteBatchBytes = 1024 * 1024;
/**
 * Most bytes of appends waiting for the disk. Unsynced appends may be fired and forgotten, so a
 * stalled disk would otherwise let the queue grow without end; past this bound the log fails
 * (`WAL_OVERLOADED`) rather than drop records silently.
 */
export const maxWalQueuedBytes = 32 * 1024 * 1024;
/**
 * Largest write into a log or state file made as a blocking call on the calling thread (larger
 * ones go to the thread pool): copying 64 KiB into the page cache takes tens of microseconds, a
 * thread-pool round trip costs more than that in CPU alone.
 */
export const maxBlockingWriteBytes = 64 * 1024;
