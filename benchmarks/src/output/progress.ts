import type { Progress } from '../report.js';

/** Where the progress line goes: stderr by default, so stdout keeps only the results. */
export interface ProgressDependencies {
  readonly stream: { readonly isTTY?: boolean; write(text: string): unknown };
  /** Milliseconds from any origin. */
  readonly now: () => number;
}

export interface ProgressOptions {
  /** Least time between two redraws on a terminal. */
  readonly redrawMs?: number;
  /** Least time between two lines in a log (not a terminal). */
  readonly logEveryMs?: number;
}

const defaults = { redrawMs: 250, logEveryMs: 10_000 };

/**
 * A progress display for long suites: on a terminal, one line redrawn at most 4 times a second; in a
 * log (CI), a line every 10 s. Each shows the count (and percentage with a `total`), the elapsed time,
 * an ETA extrapolated from the rate so far, and the caller's `extra` text.
 */
export function progress(
  label: string,
  total?: number,
  options: ProgressOptions = {},
  dependencies: ProgressDependencies = { stream: process.stderr, now: () => performance.now() },
): Progress {
  const { stream, now } = dependencies;
  const tty = stream.isTTY === true;
  const every = tty ? (options.redrawMs ?? defaults.redrawMs) : (options.logEveryMs ?? defaults.logEveryMs);
  const start = now();
  let last = start;
  let finished = false;

  const status = (done: number, elapsedMs: number, extra: string | undefined): string => {
    const parts = [label];
    if (total !== undefined && total > 0) {
      parts.push(`${done}/${total} (${Math.floor((100 * done) / total)} %)`);
      const eta = done > 0 && done < total ? (elapsedMs * (total - done)) / done : undefined;
      parts.push(`elapsed ${duration(elapsedMs)}`);
      if (eta !== undefined) parts.push(`ETA ${duration(eta)}`);
    } else parts.push(String(done), `elapsed ${duration(elapsedMs)}`);
    if (extra !== undefined && extra !== '') parts.push(extra);
    return parts.join('  ');
  };

  return {
    tick(done: number, extra?: string): void {
      const t = now();
      if (finished || t - last < every) return;
      last = t;
      const line = status(done, t - start, extra);
      stream.write(tty ? `\r\u001b[2K${line}` : `${line}\n`);
    },
    done(extra?: string): void {
      if (finished) return;
      finished = true;
      const parts = [label, `done in ${duration(now() - start)}`];
      if (extra !== undefined && extra !== '') parts.push(extra);
      stream.write(`${tty ? '\r\u001b[2K' : ''}${parts.join('  ')}\n`);
    },
  };
}

/** `850 ms`, `42 s`, `3 min 05 s`, `2 h 07 min`. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1_000);
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3_600)} h ${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')} min`;
}
