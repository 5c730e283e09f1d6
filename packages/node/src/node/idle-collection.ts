/**
 * A memory-reducing full collection when the node idles after a commit (the board profile's
 * `idleCollectionDelayMs`).
 *
 * V8 collects its old generation when the heap reaches a limit set above the live heap, and its
 * memory reducer (which collects once allocation slows) marks incrementally, which the board's
 * `--no-incremental-marking` turns off. So between two full collections a board node holds the
 * garbage of the blocks since the last one, the committed but unused pages of its old space and a
 * young generation grown to its cap: at the pilot's rate a node idles for minutes after each block
 * with all of it resident. This asks for V8's memory-reducing collection (`gc` with the
 * `last-resort` flavour: two or more compacting full collections that shrink the young generation
 * and hand V8's pooled pages back to the system) once a commit is followed by `delayMs` with no
 * other commit and nothing in the mempool. A node that keeps busy (a back-fill, a flood of
 * transactions) never waits that long with an empty mempool, and is left to V8's own limits.
 *
 * Bounded in CPU: after a collection that took `d` ms the next waits at least `d / maxCpuShare`
 * ms (`idleCollectionMaxCpuShare`, 1 %), however often blocks commit. Without it a trickle of
 * transactions (one every few seconds: a block and its proof block each, the mempool empty
 * after both) would have a full collection follow every block.
 */

/** A full collection: resolves once it has run. */
export type Collect = () => Promise<void>;

export interface IdleCollectionDeps {
  /** Runs the collection (`memoryReducingCollection()`). */
  readonly collect: Collect;
  /** Whether work waits (transactions in the mempool): no collection then. */
  readonly busy: () => boolean;
  /** Called after each collection (a metric). */
  readonly collected?: () => void;
  /** Called when a collection fails (it is not retried). */
  readonly failed?: (error: unknown) => void;
  /** A monotonic clock in ms (`performance.now`): how long a collection took. */
  readonly now: () => number;
  /** The most of the time collections may take (0.01: each waits 100 × the last one's duration). */
  readonly maxCpuShare: number;
}

/** Schedules a collection `delayMs` after the last commit; `committed()` is called at each commit. */
export class IdleCollection {
  readonly #delayMs: number;
  readonly #deps: IdleCollectionDeps;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = false;
  /** When the next collection may start (`now()`), from the last one's duration. */
  #nextAllowed = Number.NEGATIVE_INFINITY;

  constructor(delayMs: number, deps: IdleCollectionDeps) {
    this.#delayMs = delayMs;
    this.#deps = deps;
  }

  /** A block committed: the collection waits `delayMs` from now (a later commit starts the wait again). */
  committed(): void {
    if (this.#stopped || this.#delayMs <= 0) return;
    clearTimeout(this.#timer);
    const wait = Math.max(this.#delayMs, this.#nextAllowed - this.#deps.now());
    this.#timer = setTimeout(() => this.#idle(), wait);
    // A pending collection never keeps the process alive.
    this.#timer.unref();
  }

  /** Cancels a pending collection; later commits schedule none. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #idle(): void {
    this.#timer = undefined;
    if (this.#stopped || this.#running || this.#deps.busy()) return;
    this.#running = true;
    const start = this.#deps.now();
    const done = (): void => {
      this.#running = false;
      const end = this.#deps.now();
      this.#nextAllowed = end + (end - start) / this.#deps.maxCpuShare;
    };
    this.#deps.collect().then(
      () => {
        done();
        this.#deps.collected?.();
      },
      (error: unknown) => {
        done();
        this.#deps.failed?.(error);
      },
    );
  }
}

/**
 * V8's memory-reducing full collection, run as a task of the event loop once the current one ends
 * (no JavaScript on the stack), or null when Node runs without `--expose-gc`.
 */
export function memoryReducingCollection(): Collect | null {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') return null;
  return () => gc({ type: 'major', execution: 'async', flavor: 'last-resort' });
}
