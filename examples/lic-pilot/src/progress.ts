/** Redraws of a progress line on a terminal, at most. */
const redrawsPerSecond = 4;
/** A progress line in a log (not a terminal), every. */
const logEveryMs = 10_000;

/**
 * One progress line on stderr: redrawn in place on a terminal, printed every 10 s in a log (CI).
 * `update` takes the done count and extra text; the ETA follows from the rate so far.
 */
export class Progress {
  readonly #label: string;
  readonly #total: number;
  readonly #tty = process.stderr.isTTY === true;
  readonly #t0 = performance.now();
  #lastDraw = 0;
  #line = '';

  constructor(label: string, total: number) {
    this.#label = label;
    this.#total = total;
  }

  update(done: number, extra = ''): void {
    const now = performance.now();
    const every = this.#tty ? 1000 / redrawsPerSecond : logEveryMs;
    if (now - this.#lastDraw < every && done < this.#total) return;
    this.#lastDraw = now;
    const elapsed = (now - this.#t0) / 1000;
    const eta =
      done > 0 && done < this.#total
        ? ` · ${formatSeconds((elapsed * (this.#total - done)) / done)} left`
        : '';
    const pct = this.#total > 0 ? Math.floor((100 * done) / this.#total) : 100;
    this.#line = `  ${this.#label}: ${done}/${this.#total} (${pct} %)${extra === '' ? '' : ` · ${extra}`} · ${formatSeconds(elapsed)}${eta}`;
    if (this.#tty) process.stderr.write(`\r\x1b[2K${this.#line}`);
    else process.stderr.write(`${this.#line}\n`);
  }

  done(extra = ''): void {
    this.#lastDraw = 0;
    this.update(this.#total, extra);
    if (this.#tty) process.stderr.write('\n');
  }
}

export function formatSeconds(s: number): string {
  if (s < 90) return `${s.toFixed(0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}
