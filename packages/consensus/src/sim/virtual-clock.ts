import type { Clock } from '../driver/clock.js';
import { SimulationError } from './errors.js';

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** Most events waiting at once before the simulation is declared runaway. */
export const maxScheduledEvents = 1_000_000;

/**
 * Simulated time. Nothing happens between events: `runNext` moves time to the next event and runs
 * it. Ties are broken by scheduling order, so a seed always replays the same history.
 */
export class VirtualTime {
  #now: number;
  #seq = 0;
  #heap: Scheduled[] = [];

  constructor(start: number) {
    this.#now = start;
  }

  get now(): number {
    return this.#now;
  }

  get size(): number {
    return this.#heap.length;
  }

  schedule(delayMs: number, run: () => void): () => void {
    if (this.#heap.length >= maxScheduledEvents)
      throw new SimulationError('SIM_EVENT_LIMIT', 'simulation has too many pending events', {
        limit: maxScheduledEvents,
      });
    const item: Scheduled = {
      at: this.#now + Math.max(0, Math.floor(delayMs)),
      seq: this.#seq++,
      run,
      cancelled: false,
    };
    this.#push(item);
    return () => {
      item.cancelled = true;
    };
  }

  /** Runs the next event; false when there is none or it is after `limit`. */
  runNext(limit: number): boolean {
    while (this.#heap.length > 0) {
      const top = this.#heap[0] as Scheduled;
      if (top.at > limit) return false;
      this.#pop();
      if (top.cancelled) continue;
      this.#now = top.at;
      top.run();
      return true;
    }
    return false;
  }

  /** A node's view of time: the shared time plus a fixed skew (clocks are never perfectly in sync). */
  clockFor(skewMs: number, alive: () => boolean): Clock {
    return {
      now: () => this.#now + skewMs,
      setTimer: (delayMs, callback) =>
        this.schedule(delayMs, () => {
          if (alive()) callback();
        }),
    };
  }

  #less(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(item: Scheduled): void {
    const h = this.#heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(h[i] as Scheduled, h[parent] as Scheduled)) break;
      [h[i], h[parent]] = [h[parent] as Scheduled, h[i] as Scheduled];
      i = parent;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop() as Scheduled;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l] as Scheduled, h[m] as Scheduled)) m = l;
      if (r < h.length && this.#less(h[r] as Scheduled, h[m] as Scheduled)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as Scheduled, h[i] as Scheduled];
      i = m;
    }
  }
}
