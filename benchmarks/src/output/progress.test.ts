import { describe, expect, it } from 'vitest';
import { duration, progress } from './progress.js';

/** A fake stream and clock: the test moves time, nothing waits. */
function fake(isTTY: boolean) {
  const writes: string[] = [];
  let t = 0;
  return {
    writes,
    advance: (ms: number) => {
      t += ms;
    },
    dependencies: { stream: { isTTY, write: (s: string) => writes.push(s) }, now: () => t },
  };
}

describe('progress', () => {
  it('prints a line at most every 10 s when stderr is not a terminal, with elapsed and ETA', () => {
    const f = fake(false);
    const p = progress('lic', 100, {}, f.dependencies);
    f.advance(5_000);
    p.tick(5);
    expect(f.writes, 'nothing before 10 s').toEqual([]);
    f.advance(5_000);
    p.tick(10, 'height 42');
    expect(f.writes, 'a line at 10 s').toEqual([
      'lic  10/100 (10 %)  elapsed 10 s  ETA 1 min 30 s  height 42\n',
    ]);
    f.advance(3_000);
    p.tick(13);
    expect(f.writes.length, 'still one line 3 s later').toBe(1);
    f.advance(7_000);
    p.tick(20);
    expect(f.writes.length, 'a second line 10 s later').toBe(2);
    p.done('ok');
    expect(f.writes.at(-1), 'the final line').toBe('lic  done in 20 s  ok\n');
    p.tick(30);
    p.done();
    expect(f.writes.length, 'nothing after done').toBe(3);
  });

  it('counts without a total', () => {
    const f = fake(false);
    const p = progress('blocks', undefined, {}, f.dependencies);
    f.advance(12_000);
    p.tick(300);
    expect(f.writes, 'count and elapsed').toEqual(['blocks  300  elapsed 12 s\n']);
  });

  it('redraws one line on a terminal, at most 4 times a second', () => {
    const f = fake(true);
    const p = progress('micro', 4, {}, f.dependencies);
    for (let i = 1; i <= 20; i++) {
      f.advance(50);
      p.tick(i % 4);
    }
    expect(f.writes.length, '1 s of ticks every 50 ms').toBe(4);
    expect(
      f.writes.every((w) => w.startsWith('\r\u001b[2K') && !w.includes('\n')),
      'carriage return, no newline',
    ).toBe(true);
    p.done();
    expect(f.writes.at(-1)?.endsWith('\n'), 'done ends the line').toBe(true);
  });

  it('formats durations', () => {
    expect([850, 42_000, 185_000, 7_620_000].map(duration), 'ms, s, min, h').toEqual([
      '850 ms',
      '42 s',
      '3 min 05 s',
      '2 h 07 min',
    ]);
  });
});
