import { describe, expect, it } from 'vitest';
import { canPreload, parseUnit, runnableUnit, unitLaunch, unitWrap } from './unit.js';

describe('the systemd unit as the pilot and the benchmarks read it', () => {
  it('splits ExecStart= into Node flags and start arguments, and collects Environment=', () => {
    const unit = parseUnit(
      [
        '[Service]',
        '# ExecStart=/not/this',
        'Environment=MALLOC_ARENA_MAX=1 A=b',
        'ExecStart=/opt/node/bin/node --max-old-space-size=128 --lite-mode /opt/joule.js start --home /var/lib/joule --profile board',
      ].join('\n'),
    );
    expect(unit.env).toEqual(['MALLOC_ARENA_MAX=1', 'A=b']);
    expect(unit.nodeArgs).toEqual(['--max-old-space-size=128', '--lite-mode']);
    expect(unit.startArgs).toEqual(['--profile', 'board']);
    expect(unitWrap(unit)).toEqual([
      'env',
      'MALLOC_ARENA_MAX=1',
      'A=b',
      'sh',
      '-c',
      'exec "$0" "$@" --profile board',
    ]);
  });

  it('refuses a unit it cannot reproduce exactly', () => {
    expect(() => parseUnit('[Service]\n')).toThrow(/no ExecStart=/);
    expect(() => parseUnit('ExecStart=/node /x.js start --home "/a b"')).toThrow(/plain words/);
    expect(() => parseUnit('ExecStart=/node /x.js status')).toThrow(/SCRIPT start --home DIR/);
    expect(() => parseUnit('Environment="A=1"\nExecStart=/node /x.js start --home /h')).toThrow(/NAME=value/);
  });

  it('reads the unit the repository ships: the board profile, the bundle', () => {
    const unit = unitLaunch();
    expect(unit.startArgs.join(' ')).toContain('--profile board');
    expect(unit.nodeArgs.some((a) => a.startsWith('--max-old-space-size='))).toBe(true);
  });

  it('leaves out an LD_PRELOAD library this machine cannot load, and says which', () => {
    const unit = parseUnit(
      'Environment=LD_PRELOAD=libthere.so:libgone.so.2 A=b\nExecStart=/node /x.js start --home /h --profile board',
    );
    const some = runnableUnit(unit, (l) => l === 'libthere.so');
    expect(some.unit.env).toEqual(['LD_PRELOAD=libthere.so', 'A=b']);
    expect(some.missing).toEqual(['libgone.so.2']);
    const none = runnableUnit(unit, () => false);
    expect(none.unit.env).toEqual(['A=b']);
    expect(none.missing).toEqual(['libthere.so', 'libgone.so.2']);
    expect(none.unit.nodeArgs).toEqual(unit.nodeArgs);
  });

  it.runIf(process.platform === 'linux')('asks the dynamic loader whether a library preloads', () => {
    expect(canPreload('libjoule-no-such-library.so.9')).toBe(false);
    // libc is in every process already: preloading it always succeeds.
    expect(canPreload('libc.so.6')).toBe(true);
  });
});
