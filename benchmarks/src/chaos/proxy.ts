import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import type { Rng } from '@joule/consensus/internal';

/**
 * A userland TCP proxy for one link of a test network: it listens on 127.0.0.1 and forwards every
 * connection to one target, and its behaviour can be changed while connections are open. It stands
 * in for netem, which these machines do not have. Jitter comes from a seeded `Rng`, so a seed
 * replays the same delays (the moments chunks arrive, which the OS decides, still vary).
 */

/** Most bytes one direction of one connection holds while delayed or throttled; past it, the sender is paused. */
export const maxQueuedBytesPerDirection = 4 * 1024 * 1024;
/** The paused sender is resumed once its direction's queue is below this. */
export const resumeQueuedBytes = 1024 * 1024;
/** Most connections one proxy holds at once; a connection past it is reset. */
export const maxConnectionsPerProxy = 64;
/** A throttled direction may send this many bytes at once after an idle spell (the token bucket's size). */
export const throttleBurstBytes = 16 * 1024;
/** A throttled direction writes at least this much at a time (or the rest of a smaller chunk). */
export const throttleSliceBytes = 1024;
/** Longest delay a `delay` mode may ask for, and longest phase of a `flap`. */
export const maxFaultMs = 10 * 60_000;

export type LinkMode =
  /** Forward every byte as it comes. */
  | { readonly kind: 'pass' }
  /** Reset every open connection and every new one (the peer sees ECONNRESET). */
  | { readonly kind: 'drop' }
  /** Accept, read and discard; forward nothing either way (connections hang until a timeout). */
  | { readonly kind: 'blackhole' }
  /** Hold each chunk `minMs`..`maxMs` (uniform, seeded); order is kept within each direction. */
  | { readonly kind: 'delay'; readonly minMs: number; readonly maxMs: number }
  /** At most `bytesPerSecond` in each direction (a token bucket of `throttleBurstBytes`). */
  | { readonly kind: 'throttle'; readonly bytesPerSecond: number }
  /** `pass` for `upMs`, then `drop` for `downMs`, and again. */
  | { readonly kind: 'flap'; readonly upMs: number; readonly downMs: number };

export interface LinkProxyOptions {
  /** The port to listen on (127.0.0.1); 0 (default) picks a free one — read `port` after `start()`. */
  readonly port?: number;
  /** Where connections go. */
  readonly target: { readonly host: string; readonly port: number };
  /** The mode at start (default `pass`). */
  readonly mode?: LinkMode;
}

export interface LinkProxyDependencies {
  /** Seeded randomness for the delay jitter. */
  readonly rng: Rng;
}

export interface LinkProxyStats {
  /** Connections accepted since start (reset ones included). */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  /** Bytes written to the other side, both directions. */
  readonly forwardedBytes: number;
  /** Bytes read and thrown away (black hole). */
  readonly discardedBytes: number;
}

/** A mode that the caller got wrong. */
export class LinkModeError extends Error {
  readonly code = 'CHAOS_BAD_LINK_MODE';
  constructor(message: string) {
    super(message);
    this.name = 'LinkModeError';
  }
}

/** Checks a mode's numbers (finite, in range); throws `LinkModeError`. */
export function assertLinkMode(mode: LinkMode): void {
  const ms = (name: string, value: number, min: number): void => {
    if (!Number.isFinite(value) || value < min || value > maxFaultMs)
      throw new LinkModeError(`${mode.kind}.${name} must be from ${min} to ${maxFaultMs} ms, not ${value}`);
  };
  switch (mode.kind) {
    case 'pass':
    case 'drop':
    case 'blackhole':
      return;
    case 'delay':
      ms('minMs', mode.minMs, 0);
      ms('maxMs', mode.maxMs, mode.minMs);
      return;
    case 'throttle':
      if (!Number.isFinite(mode.bytesPerSecond) || mode.bytesPerSecond < 1)
        throw new LinkModeError(`throttle.bytesPerSecond must be ≥ 1, not ${mode.bytesPerSecond}`);
      return;
    case 'flap':
      ms('upMs', mode.upMs, 1);
      ms('downMs', mode.downMs, 1);
      return;
    default:
      throw new LinkModeError(`unknown link mode ${JSON.stringify(mode)}`);
  }
}

/** What a direction does with a chunk right now (a flap resolves to pass or drop). */
type Effective =
  | { kind: 'pass' }
  | { kind: 'drop' }
  | { kind: 'blackhole' }
  | { kind: 'delay'; minMs: number; maxMs: number }
  | { kind: 'throttle'; bytesPerSecond: number };

/** One direction of one connection: chunks from `src`, in order, to `dst`, as the mode allows. */
class Direction {
  readonly #queue: { chunk: Buffer; releaseAt: number }[] = [];
  #queuedBytes = 0;
  #lastReleaseAt = 0;
  #tokens = throttleBurstBytes;
  #tokensAt = performance.now();
  #timer: NodeJS.Timeout | null = null;
  #waitingDrain = false;
  #closed = false;

  constructor(
    readonly src: Socket,
    readonly dst: Socket,
    private readonly link: LinkProxy,
  ) {
    src.on('data', (chunk: Buffer) => this.#take(chunk));
    dst.on('drain', () => {
      this.#waitingDrain = false;
      this.#pump();
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
  }

  #take(chunk: Buffer): void {
    if (this.#closed) return;
    const mode = this.link.effective();
    if (mode.kind === 'blackhole' || mode.kind === 'drop') {
      this.link.discarded(chunk.length);
      return;
    }
    const now = performance.now();
    if (mode.kind === 'pass' && this.#queue.length === 0 && !this.#waitingDrain) {
      this.#write(chunk);
      return;
    }
    const delay = mode.kind === 'delay' ? this.link.jitter(mode.minMs, mode.maxMs) : 0;
    // Order-preserving: a chunk never leaves before the one read before it.
    const releaseAt = Math.max(now + delay, this.#lastReleaseAt);
    this.#lastReleaseAt = releaseAt;
    this.#queue.push({ chunk, releaseAt });
    this.#queuedBytes += chunk.length;
    if (this.#queuedBytes > maxQueuedBytesPerDirection) this.src.pause();
    this.#pump();
  }

  #pump(): void {
    if (this.#closed || this.#waitingDrain || this.#timer !== null) return;
    this.#drain();
    if (this.#queuedBytes < resumeQueuedBytes && this.src.isPaused() && !this.#waitingDrain)
      this.src.resume();
  }

  /** Writes what is due, as far as the mode and the other side allow. */
  #drain(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0] as { chunk: Buffer; releaseAt: number };
      const now = performance.now();
      if (head.releaseAt > now) {
        this.#wake(head.releaseAt - now);
        return;
      }
      const mode = this.link.effective();
      if (mode.kind === 'blackhole' || mode.kind === 'drop') {
        // Switched to a black hole while chunks waited: they are lost, as on a dead link.
        this.link.discarded(this.#queuedBytes);
        this.#queue.length = 0;
        this.#queuedBytes = 0;
        break;
      }
      let piece = head.chunk;
      if (mode.kind === 'throttle') {
        this.#refill(now, mode.bytesPerSecond);
        // Waits for a useful slice rather than trickling single bytes.
        const need = Math.min(piece.length, throttleSliceBytes);
        if (this.#tokens < need) {
          this.#wake(((need - this.#tokens) / mode.bytesPerSecond) * 1000);
          return;
        }
        const n = Math.min(piece.length, Math.floor(this.#tokens));
        this.#tokens -= n;
        if (n < piece.length) {
          head.chunk = piece.subarray(n);
          piece = piece.subarray(0, n);
        } else this.#queue.shift();
      } else this.#queue.shift();
      this.#queuedBytes -= piece.length;
      if (!this.#write(piece)) {
        this.#waitingDrain = true;
        break;
      }
    }
  }

  #refill(now: number, bytesPerSecond: number): void {
    this.#tokens = Math.min(
      throttleBurstBytes,
      this.#tokens + ((now - this.#tokensAt) / 1000) * bytesPerSecond,
    );
    this.#tokensAt = now;
  }

  #wake(afterMs: number): void {
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.#pump();
      },
      Math.max(1, Math.ceil(afterMs)),
    );
  }

  #write(chunk: Buffer): boolean {
    this.link.forwarded(chunk.length);
    const ok = this.dst.write(chunk);
    if (!ok && this.#queue.length === 0) {
      // A direct write hit backpressure: hold the sender until the other side drains.
      this.src.pause();
      this.dst.once('drain', () => {
        if (!this.#closed && this.#queuedBytes < resumeQueuedBytes) this.src.resume();
      });
    }
    return ok;
  }
}

/** A client connection and its upstream connection. */
class Pair {
  readonly #directions: Direction[];
  #closed = false;

  constructor(
    readonly client: Socket,
    readonly upstream: Socket | null,
    link: LinkProxy,
    onClose: (pair: Pair) => void,
  ) {
    this.#directions =
      upstream === null ? [] : [new Direction(client, upstream, link), new Direction(upstream, client, link)];
    const close = (): void => {
      if (this.#closed) return;
      this.#closed = true;
      for (const d of this.#directions) d.close();
      client.destroy();
      upstream?.destroy();
      onClose(this);
    };
    for (const s of [client, upstream]) {
      if (s === null) continue;
      s.on('error', close);
      s.on('close', close);
    }
    if (upstream === null)
      client.on('data', (chunk: Buffer) => {
        link.discarded(chunk.length);
      });
  }

  /** Resets both sockets (the peers see ECONNRESET, as when a link dies). */
  reset(): void {
    this.client.resetAndDestroy();
    this.upstream?.resetAndDestroy();
  }
}

/** One link's proxy. `Startable`: `start()` listens, `stop()` closes the listener and every connection. */
export class LinkProxy {
  readonly #target: { host: string; port: number };
  readonly #rng: Rng;
  readonly #requestedPort: number;
  readonly #pairs = new Set<Pair>();
  #server: Server | null = null;
  #port = 0;
  #mode: LinkMode;
  #flapDown = false;
  #flapTimer: NodeJS.Timeout | null = null;
  #accepted = 0;
  #forwardedBytes = 0;
  #discardedBytes = 0;

  constructor(options: LinkProxyOptions, deps: LinkProxyDependencies) {
    this.#target = { host: options.target.host, port: options.target.port };
    this.#requestedPort = options.port ?? 0;
    this.#mode = options.mode ?? { kind: 'pass' };
    assertLinkMode(this.#mode);
    this.#rng = deps.rng;
  }

  /** The port it listens on (0 before `start()`). */
  get port(): number {
    return this.#port;
  }

  get mode(): LinkMode {
    return this.#mode;
  }

  stats(): LinkProxyStats {
    return {
      accepted: this.#accepted,
      open: this.#pairs.size,
      forwardedBytes: this.#forwardedBytes,
      discardedBytes: this.#discardedBytes,
    };
  }

  async start(): Promise<void> {
    if (this.#server !== null) return;
    const server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    server.maxConnections = maxConnectionsPerProxy;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#requestedPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    const address = server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : 0;
    this.#applyMode();
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    this.#clearFlap();
    for (const pair of [...this.#pairs]) pair.reset();
    this.#pairs.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Changes the link's behaviour now, for open connections too. */
  setMode(mode: LinkMode): void {
    assertLinkMode(mode);
    const leavingBlackhole = this.#mode.kind === 'blackhole' && mode.kind !== 'blackhole';
    this.#mode = mode;
    // A black-holed connection lost bytes (or never had an upstream): it cannot carry on, so it
    // is reset when the hole closes and the peers redial.
    if (leavingBlackhole) this.#resetAll();
    this.#applyMode();
  }

  /** What a chunk meets right now. @internal */
  effective(): Effective {
    const m = this.#mode;
    if (m.kind === 'flap') return this.#flapDown ? { kind: 'drop' } : { kind: 'pass' };
    return m;
  }

  /** A delay in [minMs, maxMs] from the seeded generator. @internal */
  jitter(minMs: number, maxMs: number): number {
    return minMs + (this.#rng.nextUint32() / 2 ** 32) * (maxMs - minMs);
  }

  /** @internal */
  forwarded(bytes: number): void {
    this.#forwardedBytes += bytes;
  }

  /** @internal */
  discarded(bytes: number): void {
    this.#discardedBytes += bytes;
  }

  #applyMode(): void {
    this.#clearFlap();
    if (this.#server === null) return;
    if (this.#mode.kind === 'flap') {
      const { upMs, downMs } = this.#mode;
      const phase = (down: boolean): void => {
        this.#flapDown = down;
        if (down) this.#resetAll();
        this.#flapTimer = setTimeout(() => phase(!down), down ? downMs : upMs);
        this.#flapTimer.unref();
      };
      phase(false);
    } else if (this.#mode.kind === 'drop') this.#resetAll();
  }

  #clearFlap(): void {
    if (this.#flapTimer !== null) clearTimeout(this.#flapTimer);
    this.#flapTimer = null;
    this.#flapDown = false;
  }

  #resetAll(): void {
    for (const pair of [...this.#pairs]) pair.reset();
  }

  #accept(client: Socket): void {
    this.#accepted++;
    const mode = this.effective();
    if (mode.kind === 'drop') {
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    let upstream: Socket | null = null;
    if (mode.kind !== 'blackhole') {
      upstream = tcpConnect({ host: this.#target.host, port: this.#target.port, noDelay: true });
    }
    const pair = new Pair(client, upstream, this, (p) => this.#pairs.delete(p));
    this.#pairs.add(pair);
  }
}
