import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CommandIo, settleCommand } from './command.js';
import { settleFiles } from './settle.js';

const vectors = new URL('../../test/vectors/algorithm1/', import.meta.url);
const file = (name: string): string => fileURLToPath(new URL(name, vectors));

function io(files: Record<string, string> = {}): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    readFile: async (path) => files[path] ?? readFile(path, 'utf8'),
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
  };
}

describe('offline audit: settle', () => {
  it('recomputes Algorithm 1 from the vector files, exactly', async () => {
    const expected = JSON.parse(await readFile(file('expected.json'), 'utf8'));
    const t = io();
    const code = await settleCommand(
      ['--params', file('params.json'), '--measures', file('measures.json'), '--json'],
      t,
    );
    expect([code, t.err]).toEqual([0, []]);
    const { source: _source, ...want } = expected;
    expect(JSON.parse(t.out.join('\n'))).toEqual(want);
    const human = io();
    await settleCommand(['--params', file('params.json'), '--measures', file('measures.json')], human);
    expect(human.out).toContain('admin: 9.800000 ECT');
    expect(human.out).toContain('  N1: -45.500000 ECT');
  });

  it('runs as a compiled command', () => {
    const cli = fileURLToPath(new URL('../../dist/audit/cli.js', import.meta.url));
    const out = execFileSync(process.execPath, [
      cli,
      'settle',
      '--params',
      file('params.json'),
      '--measures',
      file('measures.json'),
      '--json',
    ]);
    expect(JSON.parse(out.toString()).gridFlow).toBe('23100000');
  });

  it('accepts any label, reports accounts that only produced or broke even, and DSO payments as negative', () => {
    const params = {
      tsStart: 900,
      tsEnd: 2700,
      slotSeconds: 900,
      pBuyBAU: '21000000',
      pSellBAU: '6000000',
      pBuyLEM: '16000000',
      pSellLEM: '9000000',
      beta: '0',
      admin: 'lic1admin',
    };
    const row = (meterId: string, account: string, tsStart: number, signal: string, value: number) => ({
      meterId,
      account,
      tsStart,
      tsEnd: tsStart + 900,
      signal,
      value,
    });
    const report = settleFiles(params, [
      row('k1', 'kindergarten', 900, 'production', 3000),
      row('h1', 'lic1qxyz', 900, 'consumption', 1000),
      row('z', 'idle', 1800, 'consumption', 0),
    ]);
    expect(report.deltas).toEqual({ idle: '0', kindergarten: '21000000', lic1qxyz: '-16000000' });
    expect([report.admin, report.gridFlow]).toEqual(['7000000', '-12000000']);
    expect(report.slots.map((s) => [s.tsStart, s.pb, s.ps, s.E])).toEqual([
      [900, '16000000', '7000000', -2000],
      [1800, null, null, 0],
    ]);
  });

  it('refuses malformed files with one line naming the field', async () => {
    const params = JSON.parse(await readFile(file('params.json'), 'utf8'));
    const measures = JSON.parse(await readFile(file('measures.json'), 'utf8'));
    const cases: [unknown, unknown, string][] = [
      [{ ...params, pBuyBAU: 21 }, measures, 'pBuyBAU: expected a non-negative decimal string, got 21'],
      [{ ...params, tsEnd: 450 }, measures, 'tsEnd: 450 is not a multiple of slotSeconds 900'],
      [{ ...params, extra: 1 }, measures, 'extra: unknown field'],
      [{ ...params, admin: '' }, measures, 'admin: expected a non-empty string'],
      [
        params,
        [{ ...measures[0], signal: 'prod' }],
        'measures[0].signal: expected "consumption" or "production", got "prod"',
      ],
      [params, [{ ...measures[0], value: -1 }], 'measures[0].value: -1 is outside'],
      [params, [{ ...measures[0], value: 2.5 }], 'measures[0].value: expected an integer'],
      [params, [{ ...measures[0], tsStart: 10, tsEnd: 910 }], 'measures[0].tsStart: 10 is not aligned'],
      [
        params,
        [{ ...measures[0], tsStart: 900, tsEnd: 1800 }],
        'measures[0].tsStart: 900 is outside the period',
      ],
      [params, [measures[0], measures[0]], 'measures[1]: a second consumption measure for meter m1'],
      [
        params,
        [measures[0], { ...measures[1], meterId: 'm1' }],
        'measures[1].account: meter m1 already belongs to N1',
      ],
      [params, [{ ...measures[0], account: undefined }], 'measures[0].account: missing'],
      [params, {}, 'measures: expected an array'],
    ];
    for (const [p, m, message] of cases) {
      const t = io({ 'p.json': JSON.stringify(p), 'm.json': JSON.stringify(m) });
      const code = await settleCommand(['--params', 'p.json', '--measures', 'm.json', '--json'], t);
      expect(code, message).toBe(1);
      expect(t.err, message).toHaveLength(1);
      expect(t.err[0], message).toContain(`error: ${message}`);
      expect(t.err[0], message).not.toContain('\n');
    }
    const usage = io();
    expect(await settleCommand(['--params', 'p.json'], usage)).toBe(2);
    const notJson = io({ 'p.json': '{', 'm.json': '[]' });
    expect(await settleCommand(['--params', 'p.json', '--measures', 'm.json'], notJson)).toBe(1);
    expect(notJson.err[0]).toMatch(/^error: params: p.json is not JSON/);
  });
});
