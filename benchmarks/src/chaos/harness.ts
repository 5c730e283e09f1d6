import { rename } from 'node:fs/promises';
import type { SeededRng } from '@joule/consensus/sim';
import { type LocalNetwork, NodeStartError } from '@joule/lic-pilot';
import { homePaths } from '@joule/node';
import { JouleClient } from '@joule/node/client';

/** Per status request of the harness's observers: a paused node must not hold them, ms. */
const observeTimeoutMs = 3_000;
/** Time a node has, after its height advanced, before a power loss: up to about one block interval. */
const maxKillDelayMs = 2_000;
/** How long the harness waits for a node's height to advance before it kills it anyway, ms. */
const commitWaitMs = 5_000;
/** Between two looks at a rejoining node's height, ms. */
const rejoinPollMs = 200;

/** What a fault did, before the invariants are checked. */
export interface Outcome {
  readonly node: string;
  readonly validator: boolean;
  /** Seconds since the run's start: when the fault began and when it was healed. */
  readonly t: number;
  readonly healT: number;
  /** Seconds from the heal until the node (or every node) reached the network's height; null: not in time. */
  readonly rejoinS: number | null;
  readonly lostBlocks: number;
  /** The node refused to start and its data had to be moved away: its error's line. */
  readonly manualRepair: string | null;
  /** What the fault broke that it must not have (a split that committed), or null. */
  readonly failure: string | null;
  readonly detail: string;
}

/** The outcome fields a fault that broke nothing may leave out. */
type QuietFields = 'lostBlocks' | 'manualRepair' | 'failure';

/** An outcome with `lostBlocks` 0 and `manualRepair` and `failure` null unless given. */
export function outcome(o: Omit<Outcome, QuietFields> & Partial<Pick<Outcome, QuietFields>>): Outcome {
  return {
    node: o.node,
    validator: o.validator,
    t: o.t,
    healT: o.healT,
    rejoinS: o.rejoinS,
    lostBlocks: o.lostBlocks ?? 0,
    manualRepair: o.manualRepair ?? null,
    failure: o.failure ?? null,
    detail: o.detail,
  };
}

/**
 * The network as the faults see it: the processes, a seeded source of every choice, the nodes
 * currently down (killed or stopped, left alone by the observers and the load), every node's last
 * height, and the steps faults share (wait for a commit, restart, wait for a rejoin).
 */
export class Harness {
  readonly net: LocalNetwork;
  readonly rng: SeededRng;
  /** Nodes killed or stopped right now. */
  readonly down = new Set<number>();
  /** Each node's last height seen. */
  readonly latest: number[];
  readonly heights: { name: string; validator: boolean; points: [number, number][] }[];
  readonly observers: JouleClient[];
  readonly log: (line: string) => void;
  readonly rejoinTimeoutMs: number;
  readonly #t0 = performance.now();

  constructor(o: {
    net: LocalNetwork;
    rng: SeededRng;
    log: (line: string) => void;
    rejoinTimeoutMs: number;
  }) {
    this.net = o.net;
    this.rng = o.rng;
    this.log = o.log;
    this.rejoinTimeoutMs = o.rejoinTimeoutMs;
    this.latest = o.net.nodes.map(() => 0);
    this.heights = o.net.nodes.map((n) => ({ name: n.name, validator: n.validator, points: [] }));
    this.observers = o.net.nodes.map((n) => new JouleClient({ url: n.api, timeoutMs: observeTimeoutMs }));
  }

  /** Seconds since the harness started. */
  now(): number {
    return (performance.now() - this.#t0) / 1000;
  }

  async heightOf(i: number): Promise<number> {
    return Number((await (this.observers[i] as JouleClient).status()).sync_info.latest_block_height);
  }

  /** Every live node's height, into `latest` and the plot. */
  async sampleHeights(): Promise<void> {
    await Promise.all(
      this.net.nodes.map(async (n) => {
        if (this.down.has(n.index)) return;
        const h = await this.heightOf(n.index).catch(() => null);
        if (h === null || this.down.has(n.index)) return;
        this.latest[n.index] = h;
        this.heights[n.index]?.points.push([this.now(), h]);
      }),
    );
  }

  /** The highest height of the live nodes other than `except`. */
  networkHeight(except = -1): number {
    return Math.max(0, ...this.latest.filter((_, i) => i !== except && !this.down.has(i)));
  }

  /** Waits until node `i` is at the network's height of now; seconds since `healT`, or null after the timeout. */
  async rejoin(i: number, healT: number): Promise<number | null> {
    await this.sampleHeights();
    const target = this.networkHeight(i);
    const deadline = performance.now() + this.rejoinTimeoutMs;
    while (performance.now() < deadline) {
      const h = await this.heightOf(i).catch(() => -1);
      if (h >= target) return this.now() - healT;
      await sleep(rejoinPollMs);
    }
    return null;
  }

  /** Waits until every node is at the highest height of now; seconds since `healT`, or null. */
  async rejoinAll(healT: number): Promise<number | null> {
    await this.sampleHeights();
    const target = this.networkHeight();
    const deadline = performance.now() + this.rejoinTimeoutMs;
    while (performance.now() < deadline) {
      await this.sampleHeights();
      if (this.latest.every((h) => h >= target)) return this.now() - healT;
      await sleep(rejoinPollMs);
    }
    return null;
  }

  /** Waits until the network's height passes `above`; false if it has not after `timeoutMs`. */
  async commitsPast(above: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      await this.sampleHeights();
      if (this.networkHeight() > above) return true;
      if (performance.now() >= deadline) return false;
      await sleep(rejoinPollMs);
    }
  }

  /** Waits for node `i`'s height to advance (a commit just happened), then a random part of a block interval. */
  async nearCommit(i: number): Promise<number> {
    const h0 = await this.heightOf(i).catch(() => this.latest[i] as number);
    const deadline = performance.now() + commitWaitMs;
    let h = h0;
    while (h <= h0 && performance.now() < deadline) {
      await sleep(25);
      h = await this.heightOf(i).catch(() => h);
    }
    await sleep(this.rng.int(0, maxKillDelayMs));
    return h;
  }

  /** Sends `signal` to node `i`'s process. */
  signal(i: number, signal: NodeJS.Signals): void {
    const pid = this.net.nodes[i]?.pid();
    if (pid !== undefined) process.kill(pid, signal);
  }

  /** SIGKILL, and waits until the process is gone. */
  async kill(i: number): Promise<void> {
    this.signal(i, 'SIGKILL');
    while (this.net.running(i)) await sleep(20);
  }

  /**
   * Starts node `i` again. If it refuses (its process exits), that is a manual repair: its `db`
   * and `wal` are moved aside (the signer state stays) and it starts from its peers. Resolves with
   * the refusal's line, or null.
   */
  async restart(i: number, cycle: number): Promise<string | null> {
    try {
      await this.net.startNode(i);
      return null;
    } catch (error) {
      if (!(error instanceof NodeStartError)) throw error;
      const reason = refusal(error.logTail);
      this.log(`${this.net.nodes[i]?.name} refused to start: ${reason}; moving its db and wal away`);
      const paths = homePaths((this.net.nodes[i] as { home: string }).home);
      await rename(paths.db, `${paths.db}.refused-${cycle}`).catch(() => undefined);
      await rename(paths.wal, `${paths.wal}.refused-${cycle}`).catch(() => undefined);
      await this.net.startNode(i);
      return reason;
    }
  }

  /**
   * Heals node `i`, down since it was last seen at height `seen`: starts it again (see `restart`),
   * reads its height, gives it back to the observers and waits for its rejoin. `lostBlocks` counts
   * the blocks it had before and no longer has.
   */
  async restartAndRejoin(
    i: number,
    cycle: number,
    seen: number,
  ): Promise<{
    healT: number;
    manualRepair: string | null;
    after: number;
    lostBlocks: number;
    rejoinS: number | null;
  }> {
    const healT = this.now();
    const manualRepair = await this.restart(i, cycle);
    const after = await this.heightOf(i).catch(() => seen);
    this.down.delete(i);
    const rejoinS = await this.rejoin(i, healT);
    return { healT, manualRepair, after, lostBlocks: Math.max(0, seen - after), rejoinS };
  }
}

/** The first line of a log tail that names an error code (`WAL_CORRUPT`, `STORE_CORRUPT` …). */
export function refusal(logTail: string): string {
  const lines = logTail.split('\n').filter((l) => l.trim() !== '');
  const coded = lines.find((l) => /\b[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+\b/.test(l));
  return (coded ?? lines.at(-1) ?? 'no log').slice(0, 300);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
