/**
 * Runs async tasks one at a time, in the order they were queued. The mempool sends every call to
 * the application (`checkTx` of an add, the rechecks of an update) and every change of its
 * contents through one lane: the application sees one call at a time, as the ABCI contract of
 * `Application` promises, and an update never interleaves with an admission.
 *
 * The lane itself holds no bound: each caller that queues a task must already hold a bounded
 * resource (the mempool reserves a transaction's slot before queueing its check).
 */
export class SerialLane {
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;

  /** Queues `task` after every task queued before it; resolves or rejects with its result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.#queued++;
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => this.#queued--,
      () => this.#queued--,
    );
    return result;
  }

  /** Tasks queued or running. */
  get queued(): number {
    return this.#queued;
  }
}
